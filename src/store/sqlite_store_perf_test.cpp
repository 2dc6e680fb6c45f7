// Performance guards at the scale the API promises: GET /tokens p99 <= 20 ms
// with 100,000 tokens in the store. The store's share must be far below that.
// The machine running tests is shared, so single slow samples happen: the
// assertions use the median (where a bad query plan shows at once) and p90;
// p99 is printed. Skipped under sanitizers, whose timings mean nothing here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "store/store_test_util.h"

namespace spacecrab {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class StorePerf : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The store is opened even when the tests are skipped: a pointer that is
    // provably null in sanitizer builds trips GCC's -Wnonnull there.
    dir_ = new testing::TempDir();
    store_ = testing::OpenTestStore(*dir_).release();
    if (kSanitized) return;
    const auto start = Clock::now();
    for (int batch = 0; batch < kTokens / 1000; ++batch) {
      std::vector<HoneyToken> tokens;
      for (int i = 0; i < 1000; ++i) {
        const int n = batch * 1000 + i;
        HoneyToken t = testing::MakeToken(n);
        if (n % 4 == 0) t.status = TokenStatus::kRevoked;
        t.tags = {{"env", n % 2 ? "prod" : "dev"}, {"fleet", "f" + std::to_string(n % 50)}};
        tokens.push_back(std::move(t));
      }
      Status st = store_->InsertTokens(tokens);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
    insert_ms_ = Millis(Clock::now() - start);
  }
  void SetUp() override {
    if (kSanitized) GTEST_SKIP() << "timings are meaningless under sanitizers";
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }

  struct Percentiles {
    double p50, p90, p99;
  };
  // Latency of ListTokens(filter) over `runs` calls, half of them from a cursor.
  static Percentiles Measure(TokenFilter filter, int runs = 200) {
    std::vector<double> times;
    for (int r = 0; r < runs; ++r) {
      filter.after_id = r % 2 ? testing::MakeToken((r * 7919) % kTokens).id : "";
      const auto start = Clock::now();
      auto page = store_->ListTokens(filter);
      times.push_back(Millis(Clock::now() - start));
      EXPECT_TRUE(page.ok());
    }
    std::sort(times.begin(), times.end());
    return {times[times.size() / 2], times[times.size() * 9 / 10], times[times.size() * 99 / 100]};
  }

  static constexpr int kTokens = 100000;
  static inline testing::TempDir* dir_ = nullptr;
  static inline SqliteStore* store_ = nullptr;
  static inline double insert_ms_ = 0;
};

TEST_F(StorePerf, InsertsAHundredThousandTokensInBatchesQuickly) {
  std::printf("insert 100k tokens (100 x InsertTokens(1000)): %.0f ms\n", insert_ms_);
  EXPECT_LT(insert_ms_, 60000);
  EXPECT_EQ(store_->CountTokens({}).value(), kTokens);
}

TEST_F(StorePerf, ListTokensStaysFarBelowTheApiBudgetWith100kTokens) {
  struct Case {
    const char* name;
    TokenFilter filter;
  };
  std::vector<Case> cases;
  cases.push_back({"no filter, limit 100", {}});
  TokenFilter f;
  f.limit = 1000;
  cases.push_back({"no filter, limit 1000", f});
  f = {};
  f.status = TokenStatus::kActive;
  cases.push_back({"status=active", f});
  f = {};
  f.status = TokenStatus::kRevoked;
  cases.push_back({"status=revoked", f});
  f = {};
  f.owner = "team-1";
  cases.push_back({"owner", f});
  f = {};
  f.location_prefix = "site-3/";
  cases.push_back({"location prefix (10%)", f});
  f = {};
  f.location_prefix = "site-3/host-4243";
  cases.push_back({"location prefix (rare)", f});
  f = {};
  f.tag_key = "fleet";
  f.tag_value = "f7";
  cases.push_back({"tag fleet=f7 (2%)", f});
  f = {};
  f.tag_key = "env";
  f.tag_value = "prod";
  cases.push_back({"tag env=prod (50%)", f});
  f = {};
  f.status = TokenStatus::kActive;
  f.owner = "team-2";
  f.tag_key = "fleet";
  f.tag_value = "f9";
  cases.push_back({"status+owner+tag", f});
  for (const Case& c : cases) {
    const Percentiles p = Measure(c.filter);
    std::printf("ListTokens %-24s p50 %.2f  p90 %.2f  p99 %.2f ms\n", c.name, p.p50, p.p90, p.p99);
    // A 1000-row page decodes ten times the rows; budgets scale with it.
    const double scale = c.filter.limit > 100 ? 4.0 : 1.0;
    EXPECT_LT(p.p50, 5.0 * scale) << c.name;
    EXPECT_LT(p.p90, 20.0 * scale) << c.name;
  }
}

TEST_F(StorePerf, CountAndKeyWalkStayReasonable) {
  auto start = Clock::now();
  TokenFilter f;
  f.status = TokenStatus::kActive;
  EXPECT_EQ(store_->CountTokens(f).value(), kTokens * 3 / 4);
  const double count_ms = Millis(Clock::now() - start);
  start = Clock::now();
  int64_t n = 0;
  ASSERT_TRUE(store_->ForEachTokenKey([&](const TokenKeyRef&) { ++n; }).ok());
  const double walk_ms = Millis(Clock::now() - start);
  std::printf("CountTokens(active): %.1f ms, ForEachTokenKey(100k): %.0f ms\n", count_ms, walk_ms);
  EXPECT_EQ(n, kTokens);
  EXPECT_LT(count_ms, 200);
  EXPECT_LT(walk_ms, 5000);
}

}  // namespace
}  // namespace spacecrab
