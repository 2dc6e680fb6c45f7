#include "app/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>

namespace spacecrab {
namespace {

TEST(PeriodicTask, RunsRepeatedlyAndStopsPromptly) {
  std::atomic<int> runs{0};
  PeriodicTask task("t", std::chrono::milliseconds(10), [&] { ++runs; });
  task.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (runs < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(runs.load(), 3);
  task.Stop();
  const int after = runs;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(runs.load(), after);
}

TEST(PeriodicTask, StopDoesNotWaitForTheInterval) {
  PeriodicTask task("t", std::chrono::hours(1), [] {});
  task.Start();
  const auto start = std::chrono::steady_clock::now();
  task.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace spacecrab
