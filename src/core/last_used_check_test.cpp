#include "core/last_used_check.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

Timestamp T0() { return *ParseRfc3339("2024-05-01T12:00:00Z"); }

TEST(JudgeLastUsed, NeverUsedKeyIsNothing) {
  EXPECT_EQ(JudgeLastUsed(std::nullopt, std::nullopt, T0(), {}), LastUsedVerdict::kNeverUsed);
  EXPECT_EQ(JudgeLastUsed(std::nullopt, T0(), T0() + minutes(90), {}), LastUsedVerdict::kNeverUsed);
}

TEST(JudgeLastUsed, UseWithItsRecordIsLogged) {
  // Same instant, IAM a little later than the eventTime (within tolerance), or older.
  EXPECT_EQ(JudgeLastUsed(T0(), T0(), T0() + minutes(90), {}), LastUsedVerdict::kLogged);
  EXPECT_EQ(JudgeLastUsed(T0() + seconds(90), T0(), T0() + minutes(90), {}), LastUsedVerdict::kLogged);
  EXPECT_EQ(JudgeLastUsed(T0() - minutes(10), T0(), T0() + minutes(90), {}), LastUsedVerdict::kLogged);
}

TEST(JudgeLastUsed, NewerUseWaitsForTheDeliveryLag) {
  const LastUsedPolicy p;  // 30 min lag, 2 min tolerance
  const Timestamp used = T0() + minutes(10);
  EXPECT_EQ(JudgeLastUsed(used, T0(), used + minutes(29), p), LastUsedVerdict::kAwaitingLog);
  EXPECT_EQ(JudgeLastUsed(used, T0(), used + minutes(30), p), LastUsedVerdict::kUnlogged);
  EXPECT_EQ(JudgeLastUsed(used, std::nullopt, used + minutes(5), p), LastUsedVerdict::kAwaitingLog);
  EXPECT_EQ(JudgeLastUsed(used, std::nullopt, used + minutes(31), p), LastUsedVerdict::kUnlogged);
}

TEST(JudgeLastUsed, JustBeyondToleranceCountsAsUnlogged) {
  const LastUsedPolicy p{minutes(30), minutes(2)};
  EXPECT_EQ(JudgeLastUsed(T0() + minutes(2), T0(), T0() + minutes(40), p), LastUsedVerdict::kLogged);
  EXPECT_EQ(JudgeLastUsed(T0() + minutes(2) + seconds(1), T0(), T0() + minutes(40), p),
            LastUsedVerdict::kUnlogged);
}

TEST(JudgeLastUsed, ConfigurableLag) {
  const LastUsedPolicy p{seconds(5), seconds(0)};
  EXPECT_EQ(JudgeLastUsed(T0(), std::nullopt, T0() + seconds(4), p), LastUsedVerdict::kAwaitingLog);
  EXPECT_EQ(JudgeLastUsed(T0(), std::nullopt, T0() + seconds(5), p), LastUsedVerdict::kUnlogged);
  EXPECT_EQ(ToString(LastUsedVerdict::kUnlogged), "unlogged");
}

}  // namespace
}  // namespace spacecrab
