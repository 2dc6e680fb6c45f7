// WarmPool: keys minted ahead of demand, so a token is handed out in
// microseconds instead of the three IAM calls (and IAM's pace) a mint takes.
//
// A Provider decorator over one account's provider. A background thread keeps
// `target` keys ready: it mints through the inner provider, seals the secret
// (SecretBox) into the KeyPoolStore, confirms the key to the inner provider
// (IAM closes its write-ahead intent: the pool row now tracks the key) and
// adds it to the ready list. Mint() without a user-name hint takes the oldest
// ready key — no backend call — and wakes the refill; with an empty pool it
// mints directly (a "miss", counted). A hinted Mint always goes to the inner
// provider (the caller wants that name).
//
// A handed-out key stays in the KeyPoolStore until its token is stored;
// ConfirmStored then queues the row for deletion, which the refill thread
// does in batches (off the request path): when `removal_batch` rows are
// queued, when it refills anyway, or `removal_delay` after the first one —
// one short write transaction per batch rather than one per handout
// competing with the handouts' own for the store's writer. Abandon puts a
// key back in the ready list. A crash in between is harmless: at Start, pooled keys that a
// stored token already holds (`is_stored`) are dropped from the pool, the
// rest are ready again.
//
// Refill pace: at most `max_mints_per_second`; a failed mint backs off
// exponentially (min_backoff doubling to max_backoff; IAM throttling arrives
// as kUnavailable after the client's own retries) and the next success
// resets the pace. kResourceExhausted (account full) waits max_backoff.
//
// Thread-safety: every method may be called from any thread.
// Ownership: everything in the options is borrowed and must outlive the pool;
// Stop() (or the destructor) joins the refill thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/clock.h"
#include "crypto/secret_box.h"
#include "provider/key_pool_store.h"
#include "provider/provider.h"

namespace spacecrab {

struct WarmPoolOptions {
  Provider* inner = nullptr;        // REQUIRED: mints, and serves revoke/delete/rotate
  KeyPoolStore* store = nullptr;    // REQUIRED
  const SecretBox* box = nullptr;   // REQUIRED: seals pooled secrets
  const Clock* clock = nullptr;     // REQUIRED
  std::string name;                 // for logs and metrics (the account's name)
  int target = 50;                  // keys kept ready; 0 = no pool (pass-through)
  double max_mints_per_second = 2.0;
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  size_t removal_batch = 256;
  std::chrono::milliseconds removal_delay{100};
  // Whether a stored token already holds this key (a crash between storing
  // the token and removing the pool row). Empty: never.
  std::function<bool(const std::string& access_key_id)> is_stored;
};

struct WarmPoolStats {
  std::string name;
  std::string account_id;
  int64_t ready = 0;
  int64_t target = 0;
  uint64_t handed_out = 0;      // from the pool
  uint64_t misses = 0;          // pool empty: minted on demand
  uint64_t minted = 0;          // by the refill
  uint64_t refill_errors = 0;
  std::string last_error;       // empty after a success
};

class WarmPool final : public Provider {
 public:
  static Expected<std::unique_ptr<WarmPool>> Create(WarmPoolOptions options);
  ~WarmPool() override;
  WarmPool(const WarmPool&) = delete;
  WarmPool& operator=(const WarmPool&) = delete;

  // Loads the pooled keys of this account and starts the refill thread.
  Status Start();
  void Stop();

  TokenKind kind() const override { return options_.inner->kind(); }
  Expected<MintedKey> Mint(const std::string& hint_user_name) override;
  Status Revoke(const HoneyToken& token) override { return options_.inner->Revoke(token); }
  Status Delete(const HoneyToken& token) override { return options_.inner->Delete(token); }
  Expected<MintedKey> Rotate(const HoneyToken& token) override {
    return options_.inner->Rotate(token);
  }
  Status ConfirmStored(const std::string& access_key_id) override;
  void Abandon(const MintedKey& key) override;
  ProviderRoom Room() const override;

  WarmPoolStats Stats() const;
  // Blocks until `n` keys are ready or `timeout` passes; true if they are.
  bool WaitReady(int64_t n, std::chrono::milliseconds timeout) const;

 private:
  explicit WarmPool(WarmPoolOptions options);
  void RefillLoop();
  void FlushRemovals();
  Status RefillOne();
  PooledKey ToPooled(const MintedKey& key) const;
  Expected<MintedKey> ToMinted(const PooledKey& key) const;

  WarmPoolOptions options_;
  std::string account_id_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;        // refill wake-ups, WaitReady
  std::deque<PooledKey> ready_;               // oldest first
  std::set<std::string> handed_out_;          // taken, token not yet stored
  std::vector<std::string> to_remove_;        // stored: rows the refill thread deletes
  bool stopping_ = false;
  bool started_ = false;
  bool refilling_ = false;  // the refill thread runs (and deletes stored keys' rows)
  WarmPoolStats stats_;
  std::thread refill_;
};

}  // namespace spacecrab
