// KeyIndexSync: keeps a KeyMatcher in step with the Store's tokens.
//
// Load() reads every key ever issued (tombstones included); Refresh() applies
// only rows changed since the last call (Store::TokenKeysChangedSince), so a
// token created, revoked or deleted through the API is matched by the next
// file without a restart. Call Refresh() before each poll/file batch, or from
// a timer. Thread-safe: calls are serialised; the matcher is safe to read
// concurrently (see core/key_matcher.h).
#pragma once

#include <cstdint>
#include <mutex>

#include "core/key_matcher.h"
#include "core/status.h"

namespace spacecrab {
class Store;
}

namespace spacecrab::ingest {

class KeyIndexSync {
 public:
  KeyIndexSync(Store* store, KeyMatcher* matcher) : store_(store), matcher_(matcher) {}
  // Full load; returns the number of keys indexed.
  Expected<size_t> Load();
  // Changes since the last Load/Refresh; returns how many keys changed.
  Expected<size_t> Refresh();

 private:
  std::mutex mu_;
  Store* store_;       // not owned
  KeyMatcher* matcher_;  // not owned
  int64_t version_ = 0;
  bool loaded_ = false;
};

}  // namespace spacecrab::ingest
