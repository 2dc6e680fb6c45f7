// Safety net for uses no log record shows (unlogged APIs, a broken trail):
// the pure decision on one key's IAM last-used time (GetAccessKeyLastUsed)
// against the newest use spacecrab recorded for it.
//
// A use IAM reports must show up as a log record within CloudTrail's delivery
// lag. So IAM's time is judged only once `delivery_lag` has passed since it
// (no false alarm while the record is on its way), and it counts as logged
// when a recorded use is at most `tolerance` older than it (IAM's clock and
// the record's eventTime need not agree to the millisecond).
//
// Pure and I/O-free; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/time.h"

namespace spacecrab {

struct LastUsedPolicy {
  std::chrono::milliseconds delivery_lag{std::chrono::minutes(30)};
  std::chrono::milliseconds tolerance{std::chrono::minutes(2)};
};

enum class LastUsedVerdict {
  kNeverUsed,    // IAM has no last-used time
  kLogged,       // a recorded use is as new as IAM's time (within tolerance)
  kAwaitingLog,  // newer than any recorded use, but still within the delivery lag
  kUnlogged,     // newer than any recorded use, and the lag has passed: alert
};

std::string_view ToString(LastUsedVerdict v);  // "never_used" | "logged" | "awaiting_log" | "unlogged"

// iam_last_used: GetAccessKeyLastUsed's LastUsedDate; last_recorded_use: the
// token's last_used_at (the newest recorded event's eventTime), if any.
LastUsedVerdict JudgeLastUsed(std::optional<Timestamp> iam_last_used,
                              std::optional<Timestamp> last_recorded_use, Timestamp now,
                              const LastUsedPolicy& policy);

}  // namespace spacecrab
