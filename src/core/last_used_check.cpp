#include "core/last_used_check.h"

namespace spacecrab {

std::string_view ToString(LastUsedVerdict v) {
  switch (v) {
    case LastUsedVerdict::kNeverUsed: return "never_used";
    case LastUsedVerdict::kLogged: return "logged";
    case LastUsedVerdict::kAwaitingLog: return "awaiting_log";
    case LastUsedVerdict::kUnlogged: return "unlogged";
  }
  return "unknown";
}

LastUsedVerdict JudgeLastUsed(std::optional<Timestamp> iam_last_used,
                              std::optional<Timestamp> last_recorded_use, Timestamp now,
                              const LastUsedPolicy& policy) {
  if (!iam_last_used) return LastUsedVerdict::kNeverUsed;
  if (last_recorded_use && *iam_last_used <= *last_recorded_use + policy.tolerance)
    return LastUsedVerdict::kLogged;
  if (now < *iam_last_used + policy.delivery_lag) return LastUsedVerdict::kAwaitingLog;
  return LastUsedVerdict::kUnlogged;
}

}  // namespace spacecrab
