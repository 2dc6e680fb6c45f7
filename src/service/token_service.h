// TokenService: the token use cases — issue, list, show, update, revoke,
// delete (tombstone), rotate, expire — independent of HTTP.
//
// Every mutating call validates its input, talks to the token's Provider, writes
// the Store and appends one AuditEntry (actor, action, object id, source ip and
// non-secret details). Plain secrets exist only in the IssuedToken returned by
// Create/Rotate; the store gets the provider's sealed form (decoy) or nothing (aws).
//
// Thread-safety: safe to call concurrently. Read-modify-write calls on one
// token are serialised by a per-token lock within this process (several nodes
// sharing a database need the store's own compare-and-set; not done yet).
// Ownership: the Store, Providers, Clock and RandomSource in the options must
// outlive the service.
// Failure: InvalidArgument (input, naming the field), NotFound,
// FailedPrecondition (e.g. rotating a deleted token), provider and store errors
// as they come.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/honey_token.h"
#include "core/status.h"
#include "crypto/random.h"
#include "provider/provider.h"
#include "service/actor.h"
#include "store/store.h"

namespace spacecrab {

// What a deployer asks for: one placement's metadata.
struct TokenSpec {
  std::optional<TokenKind> kind;  // empty: the default (first) provider
  std::string location;           // required, 1-256 characters
  std::string owner;
  std::string notes;
  std::map<std::string, std::string> tags;
  std::optional<Timestamp> planted_at;
  std::optional<Timestamp> expires_at;                  // must be in the future
  std::optional<std::chrono::milliseconds> expires_in;  // instead of expires_at: from now
  std::string user_name;  // empty: the provider picks a plausible name
};

// A metadata update: only the fields that are set change. For the optional
// timestamps, an engaged outer optional holding nullopt clears the value.
struct TokenPatch {
  std::optional<std::string> location;
  std::optional<std::string> owner;
  std::optional<std::string> notes;
  std::optional<std::map<std::string, std::string>> tags;  // replaces all tags
  std::optional<std::optional<Timestamp>> planted_at;
  std::optional<std::optional<Timestamp>> expires_at;
};

// A token with the credentials to plant, shown exactly once.
struct IssuedToken {
  HoneyToken token;
  Credentials credentials;
};

struct TokenServiceOptions {
  Store* store = nullptr;
  // The first provider mints new tokens unless a TokenSpec names a kind; the
  // others serve tokens of their kind (revoke, delete, rotate).
  std::vector<Provider*> providers;
  const Clock* clock = nullptr;
  RandomSource* random = nullptr;
  int max_batch = 1000;  // most tokens one Create may issue
  // ExpireDue scans the store only when a token this service issued or
  // updated is due, or when this much time passed since the last full scan
  // (which finds tokens other processes wrote).
  std::chrono::milliseconds expiry_full_scan_interval = std::chrono::minutes(5);
};

class TokenService {
 public:
  explicit TokenService(TokenServiceOptions options);

  // Issues `count` (1..max_batch) tokens with the same metadata, stored all or none.
  Expected<std::vector<IssuedToken>> Create(const TokenSpec& spec, int count, const Actor& actor);
  Expected<HoneyToken> Get(const std::string& id);
  Expected<TokenPage> List(const TokenFilter& filter);
  Expected<HoneyToken> Update(const std::string& id, const TokenPatch& patch, const Actor& actor);
  // Active -> revoked. Idempotent for tokens already retired (returned unchanged);
  // FailedPrecondition for deleted ones.
  Expected<HoneyToken> Revoke(const std::string& id, const Actor& actor);
  // Any status -> deleted; the row stays as a tombstone. Idempotent.
  Expected<HoneyToken> Delete(const std::string& id, const Actor& actor);
  // A new token for the same placement and identity; the old one is revoked
  // and points at it (replaced_by). FailedPrecondition for deleted tokens and
  // tokens already rotated.
  Expected<IssuedToken> Rotate(const std::string& id, const Actor& actor);
  // Marks active tokens whose expires_at <= now as expired (provider revoke
  // first; a failed revoke is retried on the next call). Returns how many
  // expired. Audited as actor "system:expiry". Cheap when nothing is due
  // (see TokenServiceOptions::expiry_full_scan_interval).
  Expected<int> ExpireDue(Timestamp now);

  int max_batch() const { return options_.max_batch; }

 private:
  Expected<Provider*> ProviderFor(TokenKind kind) const;
  // One mint-and-store attempt of Create.
  Expected<std::vector<IssuedToken>> CreateOnce(Provider* provider, const TokenSpec& spec,
                                                int count, const Actor& actor, Timestamp now);
  HoneyToken NewToken(const MintedKey& key, Timestamp now);
  std::mutex& LockFor(const std::string& id);
  AuditEntry AuditEntryFor(const Actor& actor, std::string action, std::string object_id,
                           std::string detail_json);
  Status Audit(const Actor& actor, std::string action, std::string object_id,
               std::string detail_json);
  static void Retire(HoneyToken& token, TokenStatus status, Timestamp now);

  // Remembers the earliest expiry this service has seen, so ExpireDue can
  // skip scanning the store when nothing can be due.
  void NoteExpiry(const std::optional<Timestamp>& expires_at);
  // One pass over the active tokens; `keep` receives expiries still ahead.
  Expected<int> ExpireScan(Timestamp now, const std::function<void(Timestamp)>& keep);

  TokenServiceOptions options_;
  std::array<std::mutex, 64> token_locks_;

  std::mutex expiry_mu_;  // guards the four fields below
  std::optional<Timestamp> earliest_expiry_;
  std::optional<Timestamp> noted_during_scan_;
  bool scanning_ = false;
  std::optional<Timestamp> last_full_scan_;
};

// Validates a spec the way Create does (exposed for the API's early checks and tests).
Status ValidateTokenSpec(const TokenSpec& spec, Timestamp now);

}  // namespace spacecrab
