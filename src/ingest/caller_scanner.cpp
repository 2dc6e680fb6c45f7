#include "ingest/caller_scanner.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace spacecrab::ingest {
namespace {

bool IsBase32(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The three candidate shapes, tested at every offset i in one pass:
//   key   "A?IA"       text[i]=='A' && text[i+2]=='I' && text[i+3]=='A'
//   name  `"userName"` text[i]=='"' && text[i+5]=='N' && text[i+9]=='"'
//   arn   ":user"      text[i]==':' && text[i+1]=='u' && text[i+4]=='r'
enum Shape : uint32_t { kKey = 1, kName = 2, kArn = 4 };
constexpr size_t kReach = 9;  // furthest byte a shape test reads past i

template <typename Fn>
void ScanScalar(const char* t, size_t i, size_t to, size_t limit, Fn&& fn) {
  for (; i < to; ++i) {
    auto at = [&](size_t k) { return i + k < limit ? t[i + k] : '\0'; };
    if (t[i] == 'A' && at(2) == 'I' && at(3) == 'A') fn(i, kKey);
    if (t[i] == '"' && at(5) == 'N' && at(9) == '"') fn(i, kName);
    if (t[i] == ':' && at(1) == 'u' && at(4) == 'r') fn(i, kArn);
  }
}

#if defined(__x86_64__)
// AVX2 (checked at run time): 32 offsets per step, all shapes from shared loads.
template <typename Fn>
__attribute__((target("avx2,bmi"))) size_t ScanAvx2(const char* t, size_t i, size_t to, size_t limit,
                                                     const size_t& found, size_t enough, Fn&& fn) {
// Lambdas would not inherit the target attribute; macros do.
#define SC_LOAD(k) _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i + (k)))
#define SC_EQ(v, c) _mm256_cmpeq_epi8((v), _mm256_set1_epi8(c))
  while (i + 32 <= to && i + 32 + kReach <= limit && found < enough) {
    const __m256i b0 = SC_LOAD(0), b1 = SC_LOAD(1), b2 = SC_LOAD(2), b3 = SC_LOAD(3), b4 = SC_LOAD(4),
                  b5 = SC_LOAD(5), b9 = SC_LOAD(9);
    const __m256i key = _mm256_and_si256(SC_EQ(b0, 'A'), _mm256_and_si256(SC_EQ(b2, 'I'), SC_EQ(b3, 'A')));
    const __m256i name = _mm256_and_si256(SC_EQ(b0, '"'), _mm256_and_si256(SC_EQ(b5, 'N'), SC_EQ(b9, '"')));
    const __m256i arn = _mm256_and_si256(SC_EQ(b0, ':'), _mm256_and_si256(SC_EQ(b1, 'u'), SC_EQ(b4, 'r')));
    const __m256i any = _mm256_or_si256(key, _mm256_or_si256(name, arn));
    if (!_mm256_testz_si256(any, any)) {
      uint32_t mk = uint32_t(_mm256_movemask_epi8(key)), mn = uint32_t(_mm256_movemask_epi8(name)),
               ma = uint32_t(_mm256_movemask_epi8(arn));
      for (; mk; mk &= mk - 1) fn(i + size_t(__builtin_ctz(mk)), kKey);
      for (; mn; mn &= mn - 1) fn(i + size_t(__builtin_ctz(mn)), kName);
      for (; ma; ma &= ma - 1) fn(i + size_t(__builtin_ctz(ma)), kArn);
    }
    i += 32;
  }
#undef SC_LOAD
#undef SC_EQ
  return i;
}
bool HaveAvx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi");
  return yes;
}

// AVX-512BW: the same tests, 64 offsets per step, straight into mask registers.
template <typename Fn>
__attribute__((target("avx512f,avx512bw,bmi"))) size_t ScanAvx512(const char* t, size_t i, size_t to, size_t limit,
                                                                    const size_t& found, size_t enough, Fn&& fn) {
#define SC_LOAD(k) _mm512_loadu_si512(t + i + (k))
#define SC_EQ(v, c) _mm512_cmpeq_epi8_mask((v), _mm512_set1_epi8(c))
  while (i + 64 <= to && i + 64 + kReach <= limit && found < enough) {
    const __m512i b0 = SC_LOAD(0);
    const uint64_t m0_a = SC_EQ(b0, 'A'), m0_q = SC_EQ(b0, '"'), m0_c = SC_EQ(b0, ':');
    if ((m0_a | m0_q | m0_c) != 0) {
      uint64_t mk = m0_a & SC_EQ(SC_LOAD(2), 'I') & SC_EQ(SC_LOAD(3), 'A');
      uint64_t mn = m0_q & SC_EQ(SC_LOAD(5), 'N') & SC_EQ(SC_LOAD(9), '"');
      uint64_t ma = m0_c & SC_EQ(SC_LOAD(1), 'u') & SC_EQ(SC_LOAD(4), 'r');
      for (; mk; mk &= mk - 1) fn(i + size_t(__builtin_ctzll(mk)), kKey);
      for (; mn; mn &= mn - 1) fn(i + size_t(__builtin_ctzll(mn)), kName);
      for (; ma; ma &= ma - 1) fn(i + size_t(__builtin_ctzll(ma)), kArn);
    }
    i += 64;
  }
#undef SC_LOAD
#undef SC_EQ
  return i;
}
bool HaveAvx512() {
  static const bool yes =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi");
  return yes;
}
#endif

}  // namespace

bool CallerScanner::ConfirmKey(std::string_view text, size_t at) const {
  // "AKIA"/"ASIA" + 16 base32, not part of a longer token.
  if (at + 20 > text.size()) return false;
  const std::string_view key = text.substr(at, 20);
  // The bitmap first: almost every candidate is someone else's key.
  if (!index_.MayHaveKey(key)) return false;
  if (text[at + 1] != 'K' && text[at + 1] != 'S') return false;
  for (size_t i = at + 4; i < at + 20; ++i)
    if (!IsBase32(text[i])) return false;
  return index_.FindKey(key) != nullptr;
}

bool CallerScanner::ConfirmUserNameField(std::string_view text, size_t at) const {
  // at -> `"userName"`, then optional spaces, ':', optional spaces, '"' NAME '"'.
  static constexpr std::string_view kKey = "\"userName\"";
  if (text.substr(at, kKey.size()) != kKey) return false;
  size_t i = at + kKey.size();
  const size_t end = std::min(text.size(), at + kLookahead);
  while (i < end && IsSpace(text[i])) ++i;
  if (i >= end || text[i] != ':') return false;
  ++i;
  while (i < end && IsSpace(text[i])) ++i;
  if (i >= end || text[i] != '"') return false;
  const size_t start = ++i;
  while (i < end && text[i] != '"' && text[i] != '\\') ++i;
  if (i >= end) return false;
  const std::string_view name = text.substr(start, i - start);
  return index_.MayHaveUserName(name) && index_.HasUserName(name);
}

bool CallerScanner::ConfirmUserArn(std::string_view text, size_t at) const {
  // at -> ":user" then "/" or "\/", path segments, NAME, '"'.
  if (text.substr(at, 5) != ":user") return false;
  size_t i = at + 5;
  const size_t end = std::min(text.size(), at + kLookahead);
  if (i < end && text[i] == '\\') ++i;
  if (i >= end || text[i] != '/') return false;
  size_t name_start = ++i;
  while (i < end && text[i] != '"') {
    if (text[i] == '/') name_start = i + 1;
    else if (text[i] == '\\' && i + 1 < end && text[i + 1] == '/') name_start = i + 2, ++i;
    ++i;
  }
  if (i >= end) return false;
  const std::string_view name = text.substr(name_start, i - name_start);
  return index_.MayHaveUserName(name) && index_.HasUserName(name);
}

void CallerScanner::Scan(std::string_view text, size_t from, size_t to,
                         std::vector<size_t>& hits) const {
  if (index_.empty() || from >= to) return;
  to = std::min(to, text.size());
  const size_t limit = std::min(text.size(), to + kLookahead);
  const char* p = text.data();
  const size_t first = hits.size();
  // Candidates are checked in batches. Nearly all are key ids (one per
  // record), and the index's filter lookup for one is a cache miss: checked
  // back to back, with no branch on each result, the misses overlap instead
  // of following one another. The SIMD loops only collect (a call in them
  // would have their constants spilled and reloaded on every step): they
  // stop once a batch is full, and one step adds at most 3 * 64.
  constexpr size_t kBatch = 64;
  constexpr size_t kRoom = kBatch + 3 * 64;
  size_t at[kRoom];
  uint32_t shapes[kRoom];
  bool maybe[kRoom];
  size_t n = 0;
  auto check_batch = [&] {
    for (size_t k = 0; k < n; ++k)
      maybe[k] = shapes[k] != kKey || (at[k] + 20 <= text.size() && index_.MayHaveKey(text.substr(at[k], 20)));
    for (size_t k = 0; k < n; ++k) {
      if (!maybe[k]) continue;
      const bool hit = shapes[k] == kKey    ? ConfirmKey(text, at[k])
                       : shapes[k] == kName ? ConfirmUserNameField(text, at[k])
                                            : ConfirmUserArn(text, at[k]);
      if (hit) hits.push_back(at[k]);
    }
    n = 0;
  };
  auto candidate = [&](size_t off, uint32_t shape) {
    at[n] = off;
    shapes[n] = shape;
    ++n;
  };
  size_t i = from;
#if defined(__x86_64__)
  if (HaveAvx512() || HaveAvx2()) {
    const bool avx512 = HaveAvx512();
    while (true) {
      const size_t next = avx512 ? ScanAvx512(p, i, to, limit, n, kBatch, candidate)
                                 : ScanAvx2(p, i, to, limit, n, kBatch, candidate);
      check_batch();
      if (next == i) break;  // the rest is too short for a SIMD step
      i = next;
    }
  }
#endif
  ScanScalar(p, i, to, limit, [&](size_t at_i, uint32_t shape) {
    candidate(at_i, shape);
    if (n == kBatch) check_batch();
  });
  check_batch();
  std::sort(hits.begin() + std::ptrdiff_t(first), hits.end());
}

}  // namespace spacecrab::ingest
