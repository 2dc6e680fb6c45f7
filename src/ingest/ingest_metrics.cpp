#include "ingest/ingest_metrics.h"

#include <fmt/format.h>

namespace spacecrab::ingest {

std::string_view BadInputLabel(BadInput why) {
  switch (why) {
    case BadInput::kCorruptGzip: return "corrupt_gzip";
    case BadInput::kMalformedJson: return "malformed_json";
    case BadInput::kTooLarge: return "too_large";
    case BadInput::kRecordTooLarge: return "record_too_large";
    case BadInput::kUnreadable: return "unreadable";
  }
  return "unknown";
}

uint64_t IngestMetrics::QuarantinedTotal() const {
  uint64_t n = 0;
  for (const auto& c : quarantined) n += c.load(std::memory_order_relaxed);
  return n;
}

void IngestMetrics::AppendPrometheus(std::string& out) const {
  auto counter = [&out](std::string_view name, std::string_view help, uint64_t v) {
    fmt::format_to(std::back_inserter(out),
                   "# HELP spacecrab_ingest_{0} {1}\n# TYPE spacecrab_ingest_{0} counter\n"
                   "spacecrab_ingest_{0} {2}\n",
                   name, help, v);
  };
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  counter("files_total", "CloudTrail files read.", get(files_processed));
  counter("files_skipped_total", "Digest, Insight and other non-log files skipped.", get(files_skipped));
  counter("bytes_read_total", "Bytes read as stored (compressed).", get(bytes_read));
  counter("bytes_decoded_total", "Bytes after decompression.", get(bytes_decoded));
  counter("files_repaired_total", "Files whose Records array lacked separators, read record by record.", get(files_repaired));
  counter("records_total", "CloudTrail records seen.", get(records_seen));
  counter("records_parsed_total", "Records parsed field by field after the pre-filter.", get(records_parsed));
  counter("detections_total", "Records that were a use of an issued key, duplicates included.", get(detections));
  counter("detections_new_total", "Uses recorded for the first time (unique eventID).", get(detections_new));
  counter("push_requests_total", "Push endpoint requests.", get(push_requests));
  counter("push_rejected_total", "Push endpoint requests rejected (auth or malformed).", get(push_rejected));
  counter("source_errors_total", "Source, storage or network errors (retried).", get(source_errors));
  counter("sink_errors_total", "Detection hand-off errors.", get(sink_errors));
  out += "# HELP spacecrab_ingest_quarantined_total Inputs quarantined or rejected, by reason.\n"
         "# TYPE spacecrab_ingest_quarantined_total counter\n";
  for (size_t i = 0; i < kBadInputKinds; ++i)
    fmt::format_to(std::back_inserter(out), "spacecrab_ingest_quarantined_total{{reason=\"{}\"}} {}\n",
                   BadInputLabel(BadInput(i)), get(quarantined[i]));
}

}  // namespace spacecrab::ingest
