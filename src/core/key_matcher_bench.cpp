// Micro-benchmark: what following new tokens costs the key index — one
// refresh applying a second of handouts at 5,000/s to an index of N keys, and
// one revoking every key — and what the matching lookups cost. Runs over the
// public API only.
//   cmake --build BUILD --target key_matcher_bench && BUILD/src/core/key_matcher_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/key_matcher.h"

namespace spacecrab {
namespace {

IndexedKey MakeKey(uint64_t n) {
  char key[21], token[32], user[24];
  std::snprintf(key, sizeof key, "AKIA%016llX", static_cast<unsigned long long>(n * 0x9E3779B97F4A7C15ULL));
  std::snprintf(token, sizeof token, "tok_01J%023llu", static_cast<unsigned long long>(n));
  std::snprintf(user, sizeof user, "svc-deploy-%llu", static_cast<unsigned long long>(n));
  return IndexedKey{key, token, "123456789012", user, TokenKind::kDecoy, TokenStatus::kActive};
}

std::vector<IndexedKey> Keys(uint64_t first, uint64_t count) {
  std::vector<IndexedKey> out;
  out.reserve(count);
  for (uint64_t i = first; i < first + count; ++i) out.push_back(MakeKey(i));
  return out;
}

// One refresh: 5,000 new keys applied to an index that already holds range(0)
// keys (and keeps growing, as a server's does: every iteration adds 5,000).
void BM_ApplyASecondOfHandouts(benchmark::State& state) {
  const auto base = static_cast<uint64_t>(state.range(0));
  KeyMatcher matcher;
  matcher.Reset(Keys(0, base));
  uint64_t next = base;
  std::chrono::steady_clock::duration worst{};
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<IndexedKey> batch = Keys(next, 5000);
    next += 5000;
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    matcher.Apply(batch);
    worst = std::max(worst, std::chrono::steady_clock::now() - start);
  }
  state.counters["keys_at_end"] = static_cast<double>(next);
  // The longest single refresh: what a reader of the index may wait behind.
  state.counters["worst_ms"] = std::chrono::duration<double, std::milli>(worst).count();
}
BENCHMARK(BM_ApplyASecondOfHandouts)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(40);

// A mass revoke: every key of an index changes status in one refresh (each
// revoked key's user must then find its preferred token again).
void BM_RevokeEveryKey(benchmark::State& state) {
  const auto n = static_cast<uint64_t>(state.range(0));
  std::vector<IndexedKey> keys = Keys(0, n);
  std::vector<IndexedKey> revoked = keys;
  for (IndexedKey& k : revoked) k.status = TokenStatus::kRevoked;
  for (auto _ : state) {
    state.PauseTiming();
    KeyMatcher matcher;
    matcher.Reset(keys);
    state.ResumeTiming();
    matcher.Apply(revoked);
  }
}
BENCHMARK(BM_RevokeEveryKey)->Arg(20000)->Unit(benchmark::kMillisecond)->Iterations(3);

// A lookup as the detector makes it for a candidate key id (hit), and one for
// an IAM user's name and account.
void BM_FindKeyAndUser(benchmark::State& state) {
  KeyMatcher matcher;
  matcher.Reset(Keys(0, 100000));
  matcher.Apply(Keys(100000, 20000));  // an overlay as well as a base
  auto index = matcher.Snapshot();
  std::vector<IndexedKey> probes = Keys(0, 120000);
  size_t i = 0, found = 0;
  for (auto _ : state) {
    const IndexedKey& p = probes[(i += 7919) % probes.size()];
    found += index->FindKey(p.access_key_id) != nullptr;
    found += index->FindUser(p.account_id, p.user_name) != nullptr;
  }
  benchmark::DoNotOptimize(found);
}
BENCHMARK(BM_FindKeyAndUser);

}  // namespace
}  // namespace spacecrab

BENCHMARK_MAIN();
