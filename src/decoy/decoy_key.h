// DecoyKey and DecoyKeyLookup: how the decoy endpoint learns who a key id
// belongs to and what its secret is.
//
// The endpoint asks once per request. Production uses StoreKeyLookup
// (store_key_lookup.h: the token store plus SecretBox, with a small cache);
// tests and the stand-alone test server use InMemoryKeyLookup.
//
// Thread-safety: implementations must be safe to call from many request
// threads at once.
// Failure: Find returns kNotFound for a key id that was never issued; any
// other error means "could not tell right now" (the request is still
// recorded, as unverifiable).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/honey_token.h"
#include "core/status.h"

namespace spacecrab::decoy {

struct DecoyKey {
  std::string token_id;
  std::string access_key_id;
  std::string account_id;  // 12 digits
  std::string user_name;   // IAM-style user name the endpoint reports
  std::string arn;         // arn:aws:iam::ACCOUNT:user/[path/]NAME
  TokenStatus status = TokenStatus::kActive;
  // Plain secret, held in memory only (opened from the store's sealed copy).
  // Empty when there is none to check against (e.g. an IAM token's key).
  std::string secret;
};

class DecoyKeyLookup {
 public:
  virtual ~DecoyKeyLookup() = default;
  virtual Expected<DecoyKey> Find(std::string_view access_key_id) = 0;
};

// A fixed set of keys held in memory. Thread-safe.
class InMemoryKeyLookup final : public DecoyKeyLookup {
 public:
  void Add(DecoyKey key) {
    std::lock_guard lock(mu_);
    std::string id = key.access_key_id;
    keys_[std::move(id)] = std::move(key);
  }
  Expected<DecoyKey> Find(std::string_view access_key_id) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(access_key_id));
    if (it == keys_.end()) return NotFound("no such access key");
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, DecoyKey> keys_;
};

}  // namespace spacecrab::decoy
