#include "core/time.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

TEST(Time, RoundTripsRfc3339) {
  auto t = ParseRfc3339("2026-11-23T17:50:28Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T17:50:28Z");
  auto ms = ParseRfc3339("2026-11-23T17:50:28.125Z");
  ASSERT_TRUE(ms);
  EXPECT_EQ(FormatRfc3339(*ms), "2026-11-23T17:50:28.125Z");
}

TEST(Time, AppliesOffsets) {
  auto a = ParseRfc3339("2026-11-23T19:50:28+02:00");
  auto b = ParseRfc3339("2026-11-23T17:50:28Z");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST(Time, RejectsGarbage) {
  EXPECT_FALSE(ParseRfc3339(""));
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-11-23T17:50:28"));
  EXPECT_FALSE(ParseRfc3339("2026-11-23T17:50:28Zjunk"));
}

TEST(Time, ParsesDurations) {
  EXPECT_EQ(ParseDuration("90d"), std::chrono::hours(24 * 90));
  EXPECT_EQ(ParseDuration("30m"), std::chrono::minutes(30));
  EXPECT_FALSE(ParseDuration("d"));
  EXPECT_FALSE(ParseDuration("10y"));
  EXPECT_FALSE(ParseDuration("-1d"));
}

}  // namespace
}  // namespace spacecrab
