// ApiKeyService: bearer keys for the REST API — issue (secret shown once),
// authenticate, list, revoke.
//
// A key is "sck_" + 43 url-safe base64 characters (256 bits from the CSPRNG).
// The store keeps only its SHA-256 hex hash and an 8-character display prefix;
// the plain secret exists only in the CreatedApiKey returned by Create.
// Lookup is by hash, so its timing can reveal at most something about a hash
// of a 256-bit random value — nothing an attacker can use.
//
// last_used_at is written at most once per `touch_interval` per key (an
// in-memory note of the last write). A key found by Authenticate is remembered
// (by its hash) for `cache_ttl`, so a client sending thousands of requests a
// second costs one indexed read per key per interval. A revoke through this
// service takes effect at once; one made by another process on the same
// database (the CLI beside `serve`) within `cache_ttl`.
//
// Thread-safety: safe to call concurrently.
// Ownership: store, clock and random in the options must outlive the service.
// Failure: Authenticate returns kUnauthenticated for anything but a known,
// unrevoked key (malformed, unknown and revoked all look the same to callers).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/api_key.h"
#include "core/clock.h"
#include "core/status.h"
#include "crypto/random.h"
#include "service/actor.h"
#include "store/store.h"

namespace spacecrab {

inline constexpr std::string_view kApiKeySecretPrefix = "sck_";
inline constexpr size_t kApiKeySecretRandomChars = 43;

struct CreatedApiKey {
  ApiKey key;
  std::string secret;  // shown once; never stored or logged
};

struct ApiKeyServiceOptions {
  Store* store = nullptr;
  const Clock* clock = nullptr;
  RandomSource* random = nullptr;
  std::chrono::milliseconds touch_interval = std::chrono::minutes(1);
  // How long a found key is trusted without reading it again (0: never).
  std::chrono::milliseconds cache_ttl = std::chrono::seconds(1);
};

class ApiKeyService {
 public:
  explicit ApiKeyService(ApiKeyServiceOptions options);

  // `name`: 1-128 characters, no control characters.
  Expected<CreatedApiKey> Create(const std::string& name, ApiScope scope, const Actor& actor);
  Expected<ApiKey> Authenticate(std::string_view secret);
  Expected<std::vector<ApiKey>> List();
  // Idempotent. FailedPrecondition when it is the last unrevoked admin key
  // (revoking it would lock everybody out of key management).
  Expected<ApiKey> Revoke(const std::string& id, const Actor& actor);
  // All keys ever created, revoked ones included.
  Expected<int64_t> Count();

  // True if `secret` has the shape of an API key (no store access).
  static bool LooksLikeApiKey(std::string_view secret);

 private:
  void MaybeTouch(const ApiKey& key);
  Expected<ApiKey> Lookup(const std::string& hash, Timestamp now);

  struct Cached {
    ApiKey key;
    Timestamp read_at;
  };

  ApiKeyServiceOptions options_;
  std::mutex mu_;  // guards last_touch_ and serialises Revoke's last-admin check
  std::unordered_map<std::string, Timestamp> last_touch_;
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_;  // by secret hash; guarded by cache_mu_
  uint64_t cache_generation_ = 0;                  // bumped by each revoke; guarded by cache_mu_
};

}  // namespace spacecrab
