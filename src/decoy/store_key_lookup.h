// StoreKeyLookup: DecoyKeyLookup backed by the token store.
//
// Finds the token by access key id (Store::GetTokenByAccessKeyId) and opens
// its sealed secret with the SecretBox (associated data = the access key id,
// as DecoyProvider seals it). A small cache keeps the endpoint from asking
// the store on every request of an enumerating attacker:
//   - known keys are reused for `positive_ttl` (so a revocation is seen
//     within that time);
//   - unknown ids are remembered for `negative_ttl`;
//   - ids that cannot be AWS key ids never reach the store.
// Plain secrets live only in this cache's memory and are wiped on eviction.
//
// Thread-safety: Find is safe from any thread (one mutex around the cache;
// store calls are made outside it).
// Ownership: the Store, SecretBox and Clock must outlive the lookup.
// Failure: kNotFound for ids never issued; store errors are passed on (not
// cached). A secret that does not open yields a key with an empty secret
// (the request is then recorded as unverifiable).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "crypto/secret_box.h"
#include "decoy/decoy_key.h"
#include "store/store.h"

namespace spacecrab::decoy {

struct StoreKeyLookupOptions {
  Store* store = nullptr;                 // REQUIRED
  const SecretBox* secret_box = nullptr;  // REQUIRED
  const Clock* clock = nullptr;           // nullptr: system clock
  std::chrono::milliseconds positive_ttl{std::chrono::seconds(30)};
  std::chrono::milliseconds negative_ttl{std::chrono::seconds(5)};
  size_t max_entries = 10000;
};

class StoreKeyLookup final : public DecoyKeyLookup {
 public:
  explicit StoreKeyLookup(StoreKeyLookupOptions options);
  ~StoreKeyLookup() override;
  StoreKeyLookup(const StoreKeyLookup&) = delete;
  StoreKeyLookup& operator=(const StoreKeyLookup&) = delete;

  Expected<DecoyKey> Find(std::string_view access_key_id) override;
  // Drops every cached entry (e.g. after a bulk revocation).
  void Clear();

  uint64_t store_reads() const;

 private:
  struct Entry {
    bool found = false;
    DecoyKey key;
    Timestamp expires{};
  };
  static void Wipe(Entry& entry);
  Expected<DecoyKey> Load(const std::string& access_key_id);

  StoreKeyLookupOptions options_;
  SystemClock system_clock_;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
  uint64_t store_reads_ = 0;
};

}  // namespace spacecrab::decoy
