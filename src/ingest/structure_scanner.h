// StructureScanner: checks, while a log file is being decoded and each piece
// is still in cache, that the text is a CloudTrail document of the plain shape
// `{"Records":[{...},{...},...]}`, and notes where each record's text begins
// and ends. A file that passes needs no second walk with simdjson: a file
// without a pre-filter hit is done (its records are counted), and a file with
// hits has only its selected records parsed (RecordParser::ForEachRecord with
// the record list).
//
// The claim, and the only one: when Finish() returns true, RecordParser's
// strict walk (simdjson On-Demand) would accept the document and cut it into
// exactly these records (same count, same raw text, which like simdjson's
// raw_json() runs from the '{' to the next ',' or ']'). When it returns false
// nothing is claimed and the caller walks the document as before, so every
// error (and its message and quarantine class) still comes from the walk. The
// checks are therefore stricter than the walk, never looser:
//   - valid UTF-8; strings closed; no control character inside a string and
//     none but tab, LF, CR outside one;
//   - brackets outside strings balance and never nest deeper than max_depth;
//   - the shape ws '{' ws "Records" ws ':' ws '[' RECORD (ws ',' ws RECORD)*
//     ws ']' ws '}' ws (an empty array too), nothing else at the top level;
//   - each RECORD opens with '{' ws '"KEY"' ws ':' ws VALUE, VALUE the
//     start of a real value and, if a string, not followed by ':' (what
//     simdjson's skipping of the record needs to count right; see
//     FirstMemberIsPlain), closes with '}', and its raw text is at most
//     max_record_bytes.
// Inside a record brackets are only counted, as the walk's skipping does;
// what a record holds is checked when (if) it is parsed.
//
// Offsets, not pointers, are kept between calls, so the buffer being decoded
// into may move. Not thread-safe; reusable via Reset().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ingest/limits.h"

namespace spacecrab::ingest {

// One record's raw text: [begin, end) offsets into the document.
struct RecordSpan {
  size_t begin = 0;
  size_t end = 0;
};

class StructureScanner {
 public:
  static constexpr size_t kBlock = 64;

  explicit StructureScanner(const IngestLimits& limits);

  void Reset();
  // Consumes whole 64-byte blocks of `text` (the document so far; earlier
  // bytes must be unchanged since the last call) up to text.size().
  void Scan(std::string_view text);
  // Consumes the rest of `text`, the complete document, and says whether it
  // passed every check above. REQUIRES: text.size() >= what Scan() saw.
  bool Finish(std::string_view text);

  // Valid after Finish() returned true: every record, in document order.
  const std::vector<RecordSpan>& records() const { return records_; }

 private:
  friend struct StructureMasks;
  // One bit per byte of a 64-byte block, for each class the scan needs.
  struct Masks {
    uint64_t quote = 0, backslash = 0, open = 0, close = 0, control = 0, non_ascii = 0;
  };
  // What carries from one block to the next, held in registers by the scan
  // loops (members are written back only around the slow path).
  struct Carry {
    uint64_t prev_escaped = 0;    // the next block's first byte is escaped
    uint64_t prev_in_string = 0;  // all ones while a string continues into the next block
    uint64_t non_ascii = 0;       // a byte >= 0x80 since the last UTF-8 validation
    size_t depth = 0;
  };
  enum class Phase : uint8_t { kBeforeDocument, kTop, kRecords, kAfterRecords, kDone };

  void ScanBlocksBest(const char* text, size_t end);
  void ScanBlocksScalar(const char* text, size_t end);
#if defined(__x86_64__)
  void ScanBlocksAvx2(const char* text, size_t end);  // only where the CPU has AVX2 and CLMUL
  void ScanBlocksAvx512(const char* text,
                        size_t end);  // only where the CPU has AVX-512BW and CLMUL
#endif
  // One block after its masks and string bits are known; false once failed.
  bool Step(Carry& c, const char* text, size_t pos, const Masks& m, uint64_t in_string);
  void Brackets(const char* text, size_t base, uint64_t opens, uint64_t closes);
  void Open(const char* text, size_t pos);
  void Close(const char* text, size_t pos);
  void EndRecord(size_t next_token);
  static bool FirstMemberIsPlain(const char* text, size_t open, size_t close);
  void ValidateUtf8(const char* text, size_t upto, bool final);
  void Fail() { failed_ = true; }

  size_t max_depth_;
  size_t max_record_bytes_;

  size_t scanned_ = 0;    // blocks consumed up to here
  size_t utf8_from_ = 0;  // UTF-8 validated up to here
  Carry carry_;
  size_t depth_ = 0;  // carry_.depth while in the slow path
  Phase phase_ = Phase::kBeforeDocument;
  size_t top_open_ = 0;       // the document's '{'
  size_t gap_start_ = 0;      // after '[' or the last record's '}'
  size_t after_records_ = 0;  // after ']'
  size_t top_close_ = 0;      // the document's '}'
  bool failed_ = false;
  std::vector<RecordSpan> records_;
};

}  // namespace spacecrab::ingest
