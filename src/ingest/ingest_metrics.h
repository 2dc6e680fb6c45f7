// IngestMetrics: counters every ingest path bumps, read by /metrics.
//
// Plain atomics (relaxed): safe to bump from any thread and to read at any
// time; a reader may see counters from slightly different instants.
// The api's /metrics handler appends AppendPrometheus()'s text to its own.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace spacecrab::ingest {

// Why an input was quarantined (a file) or rejected (a push request).
enum class BadInput {
  kCorruptGzip,      // bad header/CRC/length, truncated stream
  kMalformedJson,    // truncated or invalid JSON, not a CloudTrail document
  kTooLarge,         // file/body over max_file_bytes
  kRecordTooLarge,   // one record over max_record_bytes, or nesting too deep
  kUnreadable,       // I/O error reading it (after retries, for S3)
};
inline constexpr size_t kBadInputKinds = 5;
std::string_view BadInputLabel(BadInput why);  // "corrupt_gzip", ...

struct IngestMetrics {
  std::atomic<uint64_t> files_processed{0};     // files fully read (incl. quarantined)
  std::atomic<uint64_t> files_skipped{0};       // digest/insight/other non-log files
  std::atomic<uint64_t> bytes_read{0};          // as stored (compressed)
  std::atomic<uint64_t> bytes_decoded{0};       // after gunzip
  std::atomic<uint64_t> files_repaired{0};      // Records array with missing separators, read anyway
  std::atomic<uint64_t> records_seen{0};
  std::atomic<uint64_t> records_parsed{0};      // parsed field by field (pre-filter hits)
  std::atomic<uint64_t> detections{0};          // matched records, duplicates included
  std::atomic<uint64_t> detections_new{0};      // first time this eventID was recorded
  std::atomic<uint64_t> push_requests{0};
  std::atomic<uint64_t> push_rejected{0};       // 4xx answers (auth, malformed)
  std::atomic<uint64_t> source_errors{0};       // store/S3/list errors (retried later)
  std::atomic<uint64_t> sink_errors{0};
  std::array<std::atomic<uint64_t>, kBadInputKinds> quarantined{};  // by BadInput

  void CountQuarantined(BadInput why) { quarantined[size_t(why)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t QuarantinedTotal() const;

  // Prometheus text exposition (HELP/TYPE lines and samples), names prefixed
  // "spacecrab_ingest_".
  void AppendPrometheus(std::string& out) const;
};

}  // namespace spacecrab::ingest
