// LastUsedWatch: the safety net for uses no log record shows (unlogged APIs,
// a broken or stopped trail).
//
// Sweeps the active aws-kind tokens, asking IAM GetAccessKeyLastUsed for each
// key, at most `calls_per_tick` calls per Tick (serve ticks it every second
// from a PeriodicTask: a rate limit IAM's quotas tolerate), starting a new
// sweep at most every `sweep_interval`. When IAM's LastUsedDate is newer than
// the token's newest recorded use and the delivery lag has passed
// (core/last_used_check.h), it records a synthetic use through the same
// ingest::Recorder as every other source, so it becomes an incident and pages:
//   id           "lastused:<key id>:<LastUsedDate RFC 3339>" (one per IAM date)
//   event_source "<ServiceName>.amazonaws.com", aws_region = Region (as IAM says)
//   event_name   "IAM reports use that no log record shows"
//   origin       "iam-last-used"
// Storing it moves the token's last_used_at to IAM's date, so the same date
// never alerts twice (and the Store collapses the id anyway).
//
// Failure: throttling or a transient error ends the tick and the same key is
// asked again next tick; a key IAM no longer knows is skipped; Store errors
// end the tick. Everything is logged (key ids only, never secrets).
// Thread-safety: Tick from one thread at a time; Stats from any.
// Ownership: borrows everything in the options.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "awsclient/iam_client.h"
#include "core/clock.h"
#include "core/honey_token.h"
#include "core/last_used_check.h"
#include "core/status.h"

namespace spacecrab {
class Store;
namespace ingest {
class Recorder;
}

// GetAccessKeyLastUsed for one token's key (serve: aws->iam->GetAccessKeyLastUsed).
using LastUsedLookup = std::function<Expected<IamAccessKeyLastUsed>(const HoneyToken&)>;

inline constexpr const char* kUnloggedUseEventName = "IAM reports use that no log record shows";
inline constexpr const char* kUnloggedUseOrigin = "iam-last-used";

struct LastUsedWatchOptions {
  Store* store = nullptr;              // REQUIRED
  ingest::Recorder* recorder = nullptr;  // REQUIRED: the ingest path to incidents and pages
  const Clock* clock = nullptr;        // REQUIRED
  LastUsedLookup lookup;               // REQUIRED
  LastUsedPolicy policy;               // delivery lag (30 min) and tolerance
  int calls_per_tick = 5;              // IAM calls per Tick, >= 1
  std::chrono::milliseconds sweep_interval{std::chrono::minutes(15)};
  std::string account_id;              // only tokens in this account; empty: all
};

struct LastUsedWatchStats {
  uint64_t checks = 0;      // GetAccessKeyLastUsed answers judged
  uint64_t unlogged = 0;    // synthetic uses recorded (new)
  uint64_t errors = 0;      // lookups or store calls that failed
  uint64_t sweeps = 0;      // sweeps finished
};

class LastUsedWatch final {
 public:
  explicit LastUsedWatch(LastUsedWatchOptions options);

  // One rate-limited step of the current sweep (or nothing, between sweeps).
  void Tick();
  LastUsedWatchStats Stats() const;

 private:
  // false: stop this tick (throttled, transient, store error).
  bool Check(const HoneyToken& token);

  LastUsedWatchOptions o_;
  std::string cursor_;                   // last token id checked in this sweep
  bool in_sweep_ = false;
  std::optional<Timestamp> sweep_started_;
  mutable std::mutex mu_;
  LastUsedWatchStats stats_;
};

}  // namespace spacecrab
