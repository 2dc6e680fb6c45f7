// Dispatcher: drains the durable outbox into the sinks.
//
// One worker thread per sink (more with `workers`), so a sink that is down or
// slow never delays another. Per row:
//   * older than the sink's max_age           -> dead-letter
//   * an update                               -> coalesced with newer queued
//     updates of the same incident (only the newest goes out), and deferred
//     until update_interval after the incident's last page on this sink
//   * over the sink's rate_limit              -> deferred, not attempted
//   * Send OK                                 -> sent
//   * Send kUnavailable                       -> retried after exponential
//     backoff with jitter (retry_initial * 2^n, capped at retry_max, drawn
//     from [d/2, d]); dead-lettered once the next try would pass max_age
//   * Send any other error                    -> dead-letter at once
// Rows of one incident go out in order on each sink (the store's ClaimDue
// guarantees it). A claim is a lease; if this process dies mid-send the row
// is sent again after the lease, and the sink's dedup key (the incident id)
// keeps the receiver from paging twice.
//
// Thread-safety: Start/Stop from one owner thread; Notify and Stats from any.
// Ownership: store, clock and sinks are not owned and must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "alert/alert_store.h"
#include "alert/sink.h"
#include "alert/sink_settings.h"
#include "core/clock.h"

namespace spacecrab::alert {

struct DispatchSink {
  Sink* sink = nullptr;
  DeliveryPolicy policy;
};

struct DispatcherOptions {
  AlertStore* store = nullptr;
  const Clock* clock = nullptr;
  // Idle workers look for due rows this often (retries, deferred updates);
  // Notify() wakes them at once for new rows.
  std::chrono::milliseconds poll_interval{250};
  // A claim outlives a send by this much beyond the sink's timeout.
  std::chrono::milliseconds lease_margin{30000};
  int batch = 64;
  uint64_t seed = 0;  // jitter RNG seed; 0: random
};

struct SinkStats {
  int64_t sent = 0;
  int64_t failed_attempts = 0;  // retryable failures
  int64_t dead = 0;
  int64_t deferred = 0;   // held back by update_interval or rate_limit
  int64_t coalesced = 0;  // claims that replaced older updates
};

class Dispatcher {
 public:
  Dispatcher(DispatcherOptions options, std::vector<DispatchSink> sinks);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  // Lets in-flight sends finish (each bounded by its sink's timeout), joins.
  void Stop();
  // New rows were committed.
  void Notify();
  // Without threads: pumps every sink until nothing is due at clock->Now().
  // For tests (with a ManualClock) and tools. Returns rows handled.
  Expected<int64_t> RunOnce();

  SinkStats Stats(const std::string& sink) const;
  // Backoff before try number `attempt` + 1, without jitter (for docs/tests).
  static std::chrono::milliseconds BaseBackoff(const DeliveryPolicy& p, int attempt);

 private:
  struct SinkState;
  // Claims and processes one batch; returns rows claimed.
  Expected<int64_t> Pump(SinkState& s);
  Status Process(SinkState& s, OutboxRow row);
  void Worker(SinkState& s);
  std::chrono::milliseconds Jittered(SinkState& s, int attempt);
  // Takes a rate-limit token, or says when one will be there.
  bool TakeToken(SinkState& s, Timestamp now, Timestamp* available_at);

  DispatcherOptions o_;
  std::vector<std::unique_ptr<SinkState>> sinks_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::mutex wake_mu_;
  std::condition_variable wake_;
  uint64_t generation_ = 0;  // guarded by wake_mu_; bumped by Notify
};

}  // namespace spacecrab::alert
