// Store: everything spacecrab persists, behind one interface.
//
// Callers never see SQL. The embedded default is SqliteStore (sqlite_store.h);
// a PostgreSQL implementation can be added by implementing this interface and
// choosing it from the `[store] url` scheme in OpenStore (store_factory.h).
//
// Thread-safety: implementations are safe to call from any thread; each call
// is atomic (one transaction). Methods that take several rows (InsertTokens,
// RecordEvents) commit all or nothing.
//
// Failure: storage errors come back as kUnavailable (busy, I/O) or kInternal;
// kNotFound / kAlreadyExists as documented per method.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_key.h"
#include "core/audit.h"
#include "core/event.h"
#include "core/honey_token.h"
#include "core/status.h"

namespace spacecrab {

struct TokenFilter {
  std::optional<TokenStatus> status;
  std::optional<TokenKind> kind;
  std::string location_prefix;  // empty: any
  std::string owner;            // exact; empty: any
  std::string tag_key;          // with tag_value: tokens carrying this tag; empty: any
  std::string tag_value;
  std::string access_key_id;    // exact; empty: any
  std::optional<Timestamp> expires_before;  // only tokens with expires_at < this (expiry sweeps)
  std::string after_id;         // cursor: ids strictly greater than this (ids sort by time)
  int limit = 100;              // 1..1000
};

struct TokenPage {
  std::vector<HoneyToken> items;
  std::string next_cursor;  // empty when there are no more
};

// The minimum the matcher needs to know about every key ever issued.
struct TokenKeyRef {
  std::string access_key_id;
  std::string token_id;
  std::string account_id;
  std::string user_name;
  TokenKind kind = TokenKind::kDecoy;
  TokenStatus status = TokenStatus::kActive;
};

struct EventFilter {
  std::string token_id;
  std::string incident_id;
  std::optional<Timestamp> since;
  std::optional<Timestamp> until;
  std::string after_id;  // cursor over (received order)
  int limit = 100;
};

struct EventPage {
  std::vector<Event> items;
  std::string next_cursor;
};

// Progress of one ingest source, e.g. ("s3://bucket/AWSLogs/1234/CloudTrail/us-east-1/", last key).
struct Checkpoint {
  std::string source;
  std::string position;
  Timestamp updated_at{};
};

// The kAlreadyExists a Store returns when a token's access key id is held by
// another token, and its test (TokenService mints a decoy batch again on it).
inline Status AccessKeyIdTaken(const std::string& access_key_id) {
  return AlreadyExists("access key id " + access_key_id + " belongs to another token");
}
inline bool IsAccessKeyIdTaken(const Status& st) {
  constexpr std::string_view kTail = " belongs to another token";
  const std::string& m = st.message();
  return st.code() == StatusCode::kAlreadyExists && m.size() >= kTail.size() &&
         m.compare(m.size() - kTail.size(), kTail.size(), kTail) == 0;
}

class Store {
 public:
  virtual ~Store() = default;

  // Creates tables / applies pending migrations. Idempotent.
  virtual Status Migrate() = 0;
  // Cheap liveness check for /readyz.
  virtual Status Ping() = 0;

  // ---- tokens -------------------------------------------------------------
  // kAlreadyExists if the id or access key id is taken (the latter as
  // AccessKeyIdTaken below).
  virtual Status InsertTokens(std::span<const HoneyToken> tokens) = 0;
  // InsertTokens and AppendAudit(audit) in one transaction: the tokens and the
  // record of who issued them commit together. Implementations may commit
  // concurrent calls together (group commit); each call still succeeds or
  // fails on its own. The default is the two calls in sequence.
  virtual Status InsertTokensAudited(std::span<const HoneyToken> tokens, const AuditEntry& audit) {
    if (Status s = InsertTokens(tokens); !s.ok()) return s;
    return AppendAudit(audit);
  }
  virtual Expected<HoneyToken> GetToken(const std::string& id) = 0;
  virtual Expected<HoneyToken> GetTokenByAccessKeyId(const std::string& access_key_id) = 0;
  virtual Expected<TokenPage> ListTokens(const TokenFilter& filter) = 0;
  // Replaces every field of the row with this id (kNotFound if absent), except
  // the usage fields event_count / first_used_at / last_used_at, which only
  // RecordEvents writes (so an update from a stale copy cannot undo a use).
  virtual Status UpdateToken(const HoneyToken& token) = 0;
  // Rotation in one transaction: inserts `replacement`, writes `old_token`.
  virtual Status ReplaceToken(const HoneyToken& old_token, const HoneyToken& replacement) = 0;
  // Every key ever issued, tombstones included (for the matcher's index).
  virtual Status ForEachTokenKey(const std::function<void(const TokenKeyRef&)>& fn) = 0;
  // Rows changed since `version` (a monotonically increasing change counter),
  // so the matcher can follow changes without rescanning; returns the new version.
  virtual Expected<int64_t> TokenKeysChangedSince(
      int64_t version, const std::function<void(const TokenKeyRef&)>& fn) = 0;
  virtual Expected<int64_t> CountTokens(const TokenFilter& filter) = 0;

  // ---- API keys -----------------------------------------------------------
  virtual Status InsertApiKey(const ApiKey& key) = 0;
  // kNotFound for unknown hashes; revoked keys are returned (caller checks revoked_at).
  virtual Expected<ApiKey> FindApiKeyByHash(const std::string& secret_hash) = 0;
  virtual Expected<std::vector<ApiKey>> ListApiKeys() = 0;
  virtual Status RevokeApiKey(const std::string& id, Timestamp at) = 0;
  virtual Status TouchApiKey(const std::string& id, Timestamp at) = 0;
  virtual Expected<int64_t> CountApiKeys() = 0;

  // ---- audit --------------------------------------------------------------
  virtual Status AppendAudit(const AuditEntry& entry) = 0;
  virtual Expected<std::vector<AuditEntry>> ListAudit(int limit, int64_t before_id) = 0;

  // ---- events (detections) ------------------------------------------------
  // Inserts each event whose id is new and, in the same transaction, bumps the
  // token's event_count / first_used_at / last_used_at. Returns, per input
  // event, whether it was new (false: duplicate eventID, nothing changed).
  virtual Expected<std::vector<bool>> RecordEvents(std::span<const Event> events) = 0;
  virtual Expected<Event> GetEvent(const std::string& id) = 0;
  virtual Expected<EventPage> ListEvents(const EventFilter& filter) = 0;

  // ---- ingest checkpoints ---------------------------------------------------
  virtual Expected<std::optional<Checkpoint>> GetCheckpoint(const std::string& source) = 0;
  virtual Status PutCheckpoint(const Checkpoint& checkpoint) = 0;
};

}  // namespace spacecrab
