// HoneyToken: one credential handed out for one placement.
//
// A token carries exactly one access key. Rotation mints a new token for the
// same placement (`rotated_from` points back) and revokes the old one, so every
// key id ever issued maps to exactly one token row forever; deleted tokens stay
// as tombstones (status kDeleted) and remain matchable.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace spacecrab {

enum class TokenKind { kAws, kDecoy };
enum class TokenStatus { kActive, kRevoked, kExpired, kDeleted };

std::string_view ToString(TokenKind k);         // "aws" | "decoy"
std::string_view ToString(TokenStatus s);       // "active" | "revoked" | "expired" | "deleted"
std::optional<TokenKind> ParseTokenKind(std::string_view s);
std::optional<TokenStatus> ParseTokenStatus(std::string_view s);

// True for revoked, expired and deleted: a use of such a key is a use of a retired token.
inline bool IsRetired(TokenStatus s) { return s != TokenStatus::kActive; }

struct HoneyToken {
  std::string id;             // "tok_" + 26 chars (time-ordered, see NewTokenId)
  TokenKind kind = TokenKind::kDecoy;
  TokenStatus status = TokenStatus::kActive;
  std::string access_key_id;  // AKIA...
  std::string account_id;     // 12 digits
  std::string user_name;      // IAM user name (aws) or the name the decoy endpoint reports
  std::string arn;
  std::string location;       // where it is planted, e.g. "laptop-0042:~/Downloads"
  std::string owner;          // who answers for that placement
  std::string notes;
  std::map<std::string, std::string> tags;
  Timestamp created_at{};
  Timestamp issued_at{};      // when handed out (differs from created_at for pooled keys)
  std::optional<Timestamp> planted_at;
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> first_used_at;
  std::optional<Timestamp> last_used_at;
  int64_t event_count = 0;
  std::optional<Timestamp> retired_at;  // when revoked/expired/deleted
  std::string rotated_from;   // id of the token this one replaced, or empty
  std::string replaced_by;    // id of the token that replaced this one, or empty
  // Provider-private state: for decoy tokens the AES-256-GCM sealed secret
  // (never the plain secret); for aws tokens empty. Never serialised to clients.
  std::string sealed_secret;
};

// Credentials as handed to the deployer once, at create/rotate time.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string endpoint_url;  // decoy tokens only
  std::string region;        // default region written into profiles
};

}  // namespace spacecrab
