#include "ingest/structure_scanner.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace spacecrab::ingest {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

size_t SkipSpace(const char* text, size_t i, size_t end) {
  while (i < end && IsJsonSpace(text[i])) ++i;
  return i;
}

bool AllSpace(const char* text, size_t from, size_t to) { return SkipSpace(text, from, to) == to; }

// Bits of characters escaped by a backslash (odd-length runs escape the byte
// after them), carrying a run across blocks: simdjson's stage 1 rule.
inline uint64_t FindEscaped(uint64_t backslash, uint64_t& prev_escaped) {
  backslash &= ~prev_escaped;
  const uint64_t follows_escape = backslash << 1 | prev_escaped;
  constexpr uint64_t kEvenBits = 0x5555555555555555ull;
  const uint64_t odd_sequence_starts = backslash & ~kEvenBits & ~follows_escape;
  unsigned long long sequences_starting_on_even_bits;
  prev_escaped =
      __builtin_uaddll_overflow(odd_sequence_starts, backslash, &sequences_starting_on_even_bits);
  const uint64_t invert_mask = sequences_starting_on_even_bits << 1;
  return (kEvenBits ^ invert_mask) & follows_escape;
}

// Bit i = XOR of bits 0..i: inside a string from its opening quote up to
// (not including) its closing one.
inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace

// The per-ISA mask builders: one bit per byte of a 64-byte block.
struct StructureMasks {
  static StructureScanner::Masks Scalar(const char* p);
#if defined(__x86_64__)
  static StructureScanner::Masks Avx2(const char* p);
  static StructureScanner::Masks Avx512(const char* p);
#endif
};

StructureScanner::Masks StructureMasks::Scalar(const char* p) {
  StructureScanner::Masks m;
  for (size_t i = 0; i < StructureScanner::kBlock; ++i) {
    const auto c = static_cast<uint8_t>(p[i]);
    const uint64_t bit = uint64_t{1} << i;
    if (c == '"') m.quote |= bit;
    if (c == '\\') m.backslash |= bit;
    if (c == '{' || c == '[') m.open |= bit;
    if (c == '}' || c == ']') m.close |= bit;
    if (c < 0x20) m.control |= bit;
    if (c >= 0x80) m.non_ascii |= bit;
  }
  return m;
}

#if defined(__x86_64__)
#define SC_TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt,pclmul")))
#define SC_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx2,bmi,bmi2,popcnt,pclmul")))

namespace {
// One 32-byte half's comparisons; Avx2() joins two halves into 64-bit masks.
struct HalfMasks {
  uint32_t quote, backslash, open, close, control, non_ascii;
};
SC_TARGET_AVX2 inline uint32_t Bits(__m256i x) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(x));
}
SC_TARGET_AVX2 inline HalfMasks Avx2Half(const char* p) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));  // '[' -> '{', ']' -> '}'
  HalfMasks h;
  h.quote = Bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')));
  h.backslash = Bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')));
  h.open = Bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('{')));
  h.close = Bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('}')));
  h.control = Bits(_mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v));
  h.non_ascii = Bits(v);
  return h;
}

// PrefixXor in one carry-less multiply by all ones.
SC_TARGET_AVX2 inline uint64_t PrefixXorClmul(uint64_t x) {
  return static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_clmulepi64_si128(
      _mm_set_epi64x(0, static_cast<int64_t>(x)), _mm_set1_epi8(static_cast<char>(0xff)), 0)));
}

bool HaveAvx512() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt") &&
                          __builtin_cpu_supports("pclmul");
  return yes;
}
bool HaveAvx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
                          __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("pclmul");
  return yes;
}
}  // namespace

SC_TARGET_AVX2 StructureScanner::Masks StructureMasks::Avx2(const char* p) {
  const HalfMasks lo = Avx2Half(p), hi = Avx2Half(p + 32);
  auto join = [](uint32_t l, uint32_t h) { return uint64_t{l} | uint64_t{h} << 32; };
  StructureScanner::Masks m;
  m.quote = join(lo.quote, hi.quote);
  m.backslash = join(lo.backslash, hi.backslash);
  m.open = join(lo.open, hi.open);
  m.close = join(lo.close, hi.close);
  m.control = join(lo.control, hi.control);
  m.non_ascii = join(lo.non_ascii, hi.non_ascii);
  return m;
}

SC_TARGET_AVX512 StructureScanner::Masks StructureMasks::Avx512(const char* p) {
  const __m512i v = _mm512_loadu_si512(p);
  const __m512i folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));  // '[' -> '{', ']' -> '}'
  StructureScanner::Masks m;
  m.quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
  m.backslash = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
  m.open = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('{'));
  m.close = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('}'));
  m.control = _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(0x20));
  m.non_ascii = _mm512_movepi8_mask(v);
  return m;
}
#endif

StructureScanner::StructureScanner(const IngestLimits& limits)
    : max_depth_(limits.max_depth), max_record_bytes_(limits.max_record_bytes) {}

void StructureScanner::Reset() {
  scanned_ = 0;
  utf8_from_ = 0;
  carry_ = Carry{};
  depth_ = 0;
  phase_ = Phase::kBeforeDocument;
  top_open_ = gap_start_ = after_records_ = top_close_ = 0;
  failed_ = false;
  // Keeps its capacity for the next file, unless one huge file grew it.
  if (records_.capacity() > (size_t{1} << 16)) records_ = std::vector<RecordSpan>();
  records_.clear();
}

// One block, once its masks and string bits are known: control characters,
// then brackets. The common case (a block inside records, no record starting
// or ending in it) only adds popcounts.
__attribute__((always_inline)) inline bool StructureScanner::Step(Carry& c, const char* text,
                                                                  size_t pos, const Masks& m,
                                                                  uint64_t in_string) {
  c.prev_in_string = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
  c.non_ascii |= m.non_ascii;
  if (m.control != 0) [[unlikely]] {
    // Tab, LF and CR are whitespace outside strings; nothing below 0x20 may
    // appear inside one.
    for (uint64_t bits = m.control; bits != 0; bits &= bits - 1) {
      const int i = __builtin_ctzll(bits);
      const char ch = text[pos + static_cast<size_t>(i)];
      if (((in_string >> i) & 1) != 0 || (ch != '\t' && ch != '\n' && ch != '\r')) {
        Fail();
        return false;
      }
    }
  }
  const uint64_t opens = m.open & ~in_string, closes = m.close & ~in_string;
  if ((opens | closes) == 0) return true;
  const auto n_open = static_cast<size_t>(__builtin_popcountll(opens));
  const auto n_close = static_cast<size_t>(__builtin_popcountll(closes));
  // Depth stays >= 3 (inside one record) throughout the block and within the limit.
  if (phase_ == Phase::kRecords && c.depth >= 3 + n_close && c.depth + n_open <= max_depth_) {
    c.depth = c.depth + n_open - n_close;
    return true;
  }
  depth_ = c.depth;
  Brackets(text, pos, opens, closes);
  c.depth = depth_;
  return !failed_;
}

void StructureScanner::Brackets(const char* text, size_t base, uint64_t opens, uint64_t closes) {
  for (uint64_t bits = opens | closes; bits != 0 && !failed_; bits &= bits - 1) {
    const size_t pos = base + static_cast<size_t>(__builtin_ctzll(bits));
    if (opens & bits & (~bits + 1)) {
      if (depth_ >= 3 && depth_ < max_depth_) {
        ++depth_;  // inside a record: only counted
      } else {
        Open(text, pos);
      }
    } else if (depth_ > 3) {
      --depth_;
    } else {
      Close(text, pos);
    }
  }
}

void StructureScanner::Open(const char* text, size_t pos) {
  if (++depth_ > max_depth_) return Fail();
  const char c = text[pos];
  switch (depth_) {
    case 1:  // the document: only whitespace before it
      if (phase_ != Phase::kBeforeDocument || c != '{' || !AllSpace(text, 0, pos)) return Fail();
      phase_ = Phase::kTop;
      top_open_ = pos;
      return;
    case 2: {  // its one member: "Records": [
      if (phase_ != Phase::kTop || c != '[') return Fail();
      static constexpr std::string_view kKey = "\"Records\"";
      size_t i = SkipSpace(text, top_open_ + 1, pos);
      if (pos - i < kKey.size() || std::memcmp(text + i, kKey.data(), kKey.size()) != 0)
        return Fail();
      i = SkipSpace(text, i + kKey.size(), pos);
      if (i >= pos || text[i] != ':' || !AllSpace(text, i + 1, pos)) return Fail();
      phase_ = Phase::kRecords;
      gap_start_ = pos + 1;
      return;
    }
    case 3: {  // a record: after '[' only whitespace, after a record one comma
      if (c != '{') return Fail();
      if (records_.empty()) {
        if (!AllSpace(text, gap_start_, pos)) return Fail();
      } else {
        const size_t comma = SkipSpace(text, gap_start_, pos);
        if (comma >= pos || text[comma] != ',' || !AllSpace(text, comma + 1, pos)) return Fail();
        EndRecord(comma);
      }
      records_.push_back(RecordSpan{pos, 0});
      return;
    }
    default:
      return;
  }
}

void StructureScanner::Close(const char* text, size_t pos) {
  const char c = text[pos];
  switch (depth_) {
    case 3:  // a record ends
      if (c != '}' || !FirstMemberIsPlain(text, records_.back().begin, pos)) return Fail();
      gap_start_ = pos + 1;
      break;
    case 2:  // the Records array ends: only whitespace since the last record or '['
      if (c != ']' || phase_ != Phase::kRecords || !AllSpace(text, gap_start_, pos)) return Fail();
      if (!records_.empty()) EndRecord(pos);
      phase_ = Phase::kAfterRecords;
      after_records_ = pos + 1;
      break;
    case 1:  // the document ends
      if (c != '}' || phase_ != Phase::kAfterRecords || !AllSpace(text, after_records_, pos))
        return Fail();
      phase_ = Phase::kDone;
      top_close_ = pos;
      break;
    case 0:
      return Fail();
    default:
      break;
  }
  --depth_;
}

namespace {

// The index of the first '"' or '\\' in [i, end), or `end`: eight bytes at a
// time while eight remain, then one by one.
size_t FindQuoteOrBackslash(const char* text, size_t i, size_t end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  for (; i + 8 <= end; i += 8) {
    uint64_t w;
    std::memcpy(&w, text + i, 8);
    const uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
    // High bit of each zero byte (the lowest one is exact).
    const uint64_t found = (((q - kOnes) & ~q) | ((b - kOnes) & ~b)) & kHigh;
    if (found != 0) return i + static_cast<size_t>(__builtin_ctzll(found)) / 8;
  }
  while (i < end && text[i] != '"' && text[i] != '\\') ++i;
  return i;
}

// The end of the string whose opening quote is at `i` (the index after its
// closing quote), or `end` if it does not close before `end`.
size_t SkipString(const char* text, size_t i, size_t end) {
  for (size_t j = i + 1;; j += 2) {  // += 2: past a backslash and the byte it escapes
    j = FindQuoteOrBackslash(text, j, end);
    if (j >= end) return end;
    if (text[j] == '"') return j + 1;
  }
}

}  // namespace

// simdjson's raw_json() of a record (object::consume) reads the first key and
// its colon, then skips the rest by counting brackets -- except that its
// first token is read differently: a string followed by ':' is taken for a
// key, and ',', ':' or a closing bracket there throw the count off by one. So
// the record must open with '{' ws "KEY" ws ':' ws VALUE where VALUE starts a
// real value, and a string VALUE is not followed by ':'.
bool StructureScanner::FirstMemberIsPlain(const char* text, size_t open, size_t close) {
  size_t i = SkipSpace(text, open + 1, close);
  if (i >= close || text[i] != '"') return false;
  i = SkipSpace(text, SkipString(text, i, close), close);
  if (i >= close || text[i] != ':') return false;
  i = SkipSpace(text, i + 1, close);
  if (i >= close) return false;
  const char v = text[i];
  if (v == '"') {
    i = SkipSpace(text, SkipString(text, i, close), close);
    return i < close && text[i] != ':';
  }
  return v == '{' || v == '[' || v == 't' || v == 'f' || v == 'n' || v == '-' ||
         (v >= '0' && v <= '9');
}

// simdjson's raw_json() of a record ends where the next token begins.
void StructureScanner::EndRecord(size_t next_token) {
  RecordSpan& r = records_.back();
  r.end = next_token;
  if (r.end - r.begin > max_record_bytes_) Fail();
}

void StructureScanner::ValidateUtf8(const char* text, size_t upto, bool final) {
  if (carry_.non_ascii == 0) {
    utf8_from_ = upto;
    return;
  }
  // Until the end, validate only up to just after an ASCII byte (always a
  // whole character): the character at `upto` may still be arriving.
  size_t cut = upto;
  if (!final) {
    while (cut > utf8_from_ && cut + kBlock > upto && static_cast<uint8_t>(text[cut - 1]) >= 0x80)
      --cut;
    if (cut == utf8_from_ || static_cast<uint8_t>(text[cut - 1]) >= 0x80) return;  // later
  }
  if (!simdjson::validate_utf8(text + utf8_from_, cut - utf8_from_)) return Fail();
  utf8_from_ = cut;
  carry_.non_ascii = 0;
  for (size_t i = cut; i < upto; ++i) carry_.non_ascii |= static_cast<uint8_t>(text[i]) >= 0x80;
}

// The block loop of each ISA: the carried state in locals, masks from BUILD,
// string bits by PREFIX_XOR (a carry-less multiply where the CPU has one).
#define SC_SCAN_LOOP(BUILD, PREFIX_XOR)                                                     \
  Carry c = carry_;                                                                         \
  size_t pos = scanned_;                                                                    \
  for (; pos + kBlock <= end; pos += kBlock) {                                              \
    const Masks m = BUILD(text + pos);                                                      \
    const uint64_t escaped =                                                                \
        (m.backslash | c.prev_escaped) != 0 ? FindEscaped(m.backslash, c.prev_escaped) : 0; \
    if (!Step(c, text, pos, m, PREFIX_XOR(m.quote & ~escaped) ^ c.prev_in_string)) break;   \
  }                                                                                         \
  carry_ = c;                                                                               \
  scanned_ = failed_ ? end : pos

void StructureScanner::ScanBlocksScalar(const char* text, size_t end) {
  SC_SCAN_LOOP(StructureMasks::Scalar, PrefixXor);
}
#if defined(__x86_64__)
SC_TARGET_AVX512 void StructureScanner::ScanBlocksAvx512(const char* text, size_t end) {
  SC_SCAN_LOOP(StructureMasks::Avx512, PrefixXorClmul);
}
SC_TARGET_AVX2 void StructureScanner::ScanBlocksAvx2(const char* text, size_t end) {
  SC_SCAN_LOOP(StructureMasks::Avx2, PrefixXorClmul);
}
#endif
#undef SC_SCAN_LOOP

void StructureScanner::ScanBlocksBest(const char* text, size_t end) {
#if defined(__x86_64__)
  if (HaveAvx512()) return ScanBlocksAvx512(text, end);
  if (HaveAvx2()) return ScanBlocksAvx2(text, end);
#endif
  ScanBlocksScalar(text, end);
}

void StructureScanner::Scan(std::string_view text) {
  if (failed_ || text.size() < scanned_ + kBlock) return;
  ScanBlocksBest(text.data(), text.size());
  if (!failed_) ValidateUtf8(text.data(), scanned_, /*final=*/false);
}

bool StructureScanner::Finish(std::string_view text) {
  if (!failed_) ScanBlocksBest(text.data(), text.size());
  if (!failed_ && scanned_ < text.size()) {  // the last partial block, padded with spaces
    char tail[kBlock];
    std::memset(tail, ' ', kBlock);
    std::memcpy(tail, text.data() + scanned_, text.size() - scanned_);
    const Masks m = StructureMasks::Scalar(tail);
    Carry c = carry_;
    const uint64_t escaped = FindEscaped(m.backslash, c.prev_escaped);
    Step(c, text.data(), scanned_, m, PrefixXor(m.quote & ~escaped) ^ c.prev_in_string);
    carry_ = c;
    scanned_ = text.size();
  }
  if (!failed_) ValidateUtf8(text.data(), text.size(), /*final=*/true);
  return !failed_ && phase_ == Phase::kDone && carry_.depth == 0 && carry_.prev_in_string == 0 &&
         AllSpace(text.data(), top_close_ + 1, text.size());
}

}  // namespace spacecrab::ingest
