// Detector: one CloudTrail log file (or push payload) in, the uses of our
// keys out. Decode (gunzip when gzipped) -> pre-filter (CallerScanner) and
// structure check (StructureScanner), both fused with decompression so each
// piece is scanned while in cache -> parse only records with a hit ->
// KeyMatcher -> Detection. A document that is not of CloudTrail's plain shape
// (see structure_scanner.h) is walked with simdjson instead, which validates
// it and cuts it into records the slower way.
//
// Bad input (corrupt gzip, truncated/invalid JSON, a file or record over the
// limits) ends that input with a non-OK `status` and a BadInput reason; the
// detections found before the fault are still returned (a real use must not
// be lost because a later record is broken).
//
// Memory: one file's decompressed text plus 16 bytes per record (where each
// record's text lies); simdjson's index over the text (a few times its size)
// only for a file that is walked. Buffers are reused between files and
// released after an unusually large one.
// Not thread-safe: one Detector per worker thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/key_matcher.h"
#include "core/status.h"
#include "ingest/byte_reader.h"
#include "ingest/detection_sink.h"
#include "ingest/gzip_decoder.h"
#include "ingest/ingest_metrics.h"
#include "ingest/limits.h"
#include "ingest/padded_buffer.h"
#include "ingest/record_parser.h"
#include "ingest/structure_scanner.h"

namespace spacecrab::ingest {

struct DetectorOptions {
  const KeyMatcher* matcher = nullptr;  // required, not owned
  const Clock* clock = nullptr;         // required, not owned
  IngestLimits limits;
  // Validate (the JSON structure of, the record size limit in) every file,
  // not only those with a pre-filter hit. A file StructureScanner accepts is
  // valid either way; this decides what happens to the rest. Off ("fast"): a
  // hit-free file that ends like a complete CloudTrail document ("...]}") is
  // not walked — it cannot hold a use, so detection is unchanged, but its
  // records are not counted and a file cut exactly after a "]}" or holding
  // an oversized record is not quarantined.
  bool walk_every_file = true;
};

struct ScanOutcome {
  std::vector<Detection> detections;
  RecordCounts counts;
  uint64_t bytes_in = 0;   // as stored
  uint64_t bytes_out = 0;  // decoded
  Status status;           // non-OK: bad input (see `bad`) or an I/O error (`io_error`)
  BadInput bad = BadInput::kMalformedJson;
  bool io_error = false;   // the reader failed: retry rather than quarantine
};

class Detector {
 public:
  explicit Detector(const DetectorOptions& options);

  // A `{"Records":[...]}` file, gzipped or plain. `origin` tags the events
  // ("file", "s3", "cloudtrail-push").
  ScanOutcome ScanLogFile(ByteReader& in, std::string_view origin);

  // Matches one record (`json` must sit in a PaddedBuffer); adds a detection
  // to `out` on a match.
  Status MatchRecordText(std::string_view json, std::string_view origin, ScanOutcome& out);

  RecordParser& parser() { return parser_; }

 private:
  Status Decode(ByteReader& in, ScanOutcome& out, std::vector<size_t>& hits);
  void AddIfMatch(const KeyIndex& index, const CloudTrailRecord& record, std::string_view raw,
                  std::string_view origin, ScanOutcome& out) const;

  DetectorOptions o_;
  GzipDecoder gzip_;
  RecordParser parser_;
  StructureScanner structure_;
  PaddedBuffer text_;
  std::unique_ptr<uint8_t[]> chunk_;
  std::shared_ptr<const KeyIndex> index_;  // snapshot for the current input
};

// The BadInput class of a decode/parse failure status.
BadInput ClassifyBadInput(const Status& status, bool in_gzip);

}  // namespace spacecrab::ingest
