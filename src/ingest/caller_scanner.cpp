#include "ingest/caller_scanner.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace spacecrab::ingest {
namespace {

bool IsBase32(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Calls fn(i) for every i in [from, to) with text[i] == a, text[i+da] == b and
// text[i+db] == c (da, db > 0). The caller guarantees text[to + db] is readable
// or checks bounds in fn; here reads stop at `limit` (exclusive).
template <typename Fn>
void ForEachTriple(const char* text, size_t from, size_t to, size_t limit, char a, size_t da,
                   char b, size_t db, char c, Fn&& fn) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
  const size_t reach = std::max(da, db);
  while (i + 16 <= to && i + 16 + reach <= limit) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i));
    const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i + da));
    const __m128i z = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i + db));
    uint32_t mask = uint32_t(_mm_movemask_epi8(_mm_and_si128(
        _mm_cmpeq_epi8(x, va), _mm_and_si128(_mm_cmpeq_epi8(y, vb), _mm_cmpeq_epi8(z, vc)))));
    while (mask != 0) {
      fn(i + size_t(__builtin_ctz(mask)));
      mask &= mask - 1;
    }
    i += 16;
  }
#endif
  for (; i < to; ++i) {
    if (text[i] == a && i + da < limit && text[i + da] == b && i + db < limit && text[i + db] == c)
      fn(i);
  }
}

}  // namespace

bool CallerScanner::ConfirmKey(std::string_view text, size_t at) const {
  // "AKIA"/"ASIA" + 16 base32, not part of a longer token.
  if (at + 20 > text.size()) return false;
  if (text[at + 1] != 'K' && text[at + 1] != 'S') return false;
  for (size_t i = at + 4; i < at + 20; ++i)
    if (!IsBase32(text[i])) return false;
  return index_.FindKey(text.substr(at, 20)) != nullptr;
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
  return index_.HasUserName(text.substr(start, i - start));
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
  return index_.HasUserName(text.substr(name_start, i - name_start));
}

void CallerScanner::Scan(std::string_view text, size_t from, size_t to,
                         std::vector<size_t>& hits) const {
  if (index_.empty() || from >= to) return;
  to = std::min(to, text.size());
  const size_t limit = std::min(text.size(), to + kLookahead);
  const char* p = text.data();
  const size_t first = hits.size();
  // "A?IA": key ids.
  ForEachTriple(p, from, to, limit, 'A', 2, 'I', 3, 'A', [&](size_t i) {
    if (ConfirmKey(text, i)) hits.push_back(i);
  });
  // `"userName"`: '"' ... 'N' at +5 ... '"' at +9.
  ForEachTriple(p, from, to, limit, '"', 5, 'N', 9, '"', [&](size_t i) {
    if (ConfirmUserNameField(text, i)) hits.push_back(i);
  });
  // ":user/" in IAM user ARNs.
  ForEachTriple(p, from, to, limit, ':', 1, 'u', 4, 'r', [&](size_t i) {
    if (ConfirmUserArn(text, i)) hits.push_back(i);
  });
  std::sort(hits.begin() + std::ptrdiff_t(first), hits.end());
}

}  // namespace spacecrab::ingest
