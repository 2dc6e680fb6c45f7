// API keys: bearer credentials for the REST API, with one scope each.
//
// The secret ("sck_" + 43 url-safe base64 chars) is shown once at creation;
// the store keeps only its SHA-256 hash and a short non-secret prefix for
// display ("sck_Ab12").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace spacecrab {

// admin ⊃ deploy ⊃ read, except that deploy may create/rotate tokens but not
// delete tokens or manage API keys, and read may only read.
enum class ApiScope { kRead, kDeploy, kAdmin };

std::string_view ToString(ApiScope s);  // "read" | "deploy" | "admin"
std::optional<ApiScope> ParseApiScope(std::string_view s);

struct ApiKey {
  std::string id;           // "key_..."
  std::string name;
  ApiScope scope = ApiScope::kRead;
  std::string prefix;       // first 8 characters of the secret, for humans
  std::string secret_hash;  // hex SHA-256 of the full secret
  Timestamp created_at{};
  std::optional<Timestamp> last_used_at;
  std::optional<Timestamp> revoked_at;
};

}  // namespace spacecrab
