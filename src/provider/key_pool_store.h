// KeyPoolStore: where a warm pool (warm_pool.h) keeps keys that were minted
// ahead of demand and not yet handed out.
//
// A pooled key is a real, working key (an IAM user with the deny-all policy
// and an access key) whose secret nobody has seen yet, so the secret must
// survive a restart — otherwise every restart would orphan the pool. It is
// kept sealed with the store's SecretBox (crypto/secret_box.h), never in
// plain text. A key leaves the pool when its token is stored (Remove).
//
// The durable implementation is SqliteKeyPool (store/sqlite_key_pool.h, table
// `key_pool`); InMemoryKeyPoolStore serves tests.
// Thread-safety: implementations are safe to call from any thread.
// Failure: kUnavailable/kInternal from storage; kAlreadyExists from Put of a
// key already pooled.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/honey_token.h"
#include "core/status.h"
#include "core/time.h"

namespace spacecrab {

struct PooledKey {
  std::string access_key_id;
  TokenKind kind = TokenKind::kAws;
  std::string account_id;
  std::string user_name;
  std::string arn;
  std::string region;           // written into handed-out credentials
  std::string endpoint_url;     // decoy keys only
  std::string sealed_secret;    // the secret access key, sealed (SecretBox)
  std::string token_secret;     // what the token row stores (decoy: its sealed form; aws: "")
  Timestamp minted_at{};
};

class KeyPoolStore {
 public:
  virtual ~KeyPoolStore() = default;
  virtual Status Put(const PooledKey& key) = 0;
  // NotFound-free: removing a key that is not pooled is Ok.
  virtual Status Remove(const std::string& access_key_id) = 0;
  // Remove for many keys (one transaction where the store has them).
  virtual Status RemoveMany(const std::vector<std::string>& access_key_ids) {
    for (const std::string& id : access_key_ids) SC_RETURN_IF_ERROR(Remove(id));
    return Status::Ok();
  }
  // Every pooled key of `account_id` ("" = all), oldest first.
  virtual Expected<std::vector<PooledKey>> List(const std::string& account_id) = 0;
};

class InMemoryKeyPoolStore final : public KeyPoolStore {
 public:
  Status Put(const PooledKey& key) override {
    std::lock_guard lock(mu_);
    if (!keys_.emplace(key.access_key_id, key).second)
      return AlreadyExists("pooled key " + key.access_key_id + " exists");
    order_.push_back(key.access_key_id);
    return Status::Ok();
  }
  Status Remove(const std::string& access_key_id) override {
    std::lock_guard lock(mu_);
    keys_.erase(access_key_id);
    return Status::Ok();
  }
  Expected<std::vector<PooledKey>> List(const std::string& account_id) override {
    std::lock_guard lock(mu_);
    std::vector<PooledKey> out;
    for (const std::string& id : order_) {
      auto it = keys_.find(id);
      if (it != keys_.end() && (account_id.empty() || it->second.account_id == account_id))
        out.push_back(it->second);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, PooledKey> keys_;
  std::vector<std::string> order_;
};

}  // namespace spacecrab
