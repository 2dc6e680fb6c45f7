#include "ingest/pipeline.h"

namespace spacecrab::ingest {

IngestPipeline::IngestPipeline(const PipelineOptions& options)
    : o_(options), detector_(options.detector) {}

Expected<size_t> IngestPipeline::Record(const std::vector<Detection>& detections) {
  return o_.recorder->Record(detections);
}

Expected<FileResult> IngestPipeline::ProcessLogFile(ByteReader& in, const InputRef& ref) {
  if (o_.index_sync != nullptr) SC_RETURN_IF_ERROR(o_.index_sync->Refresh().status());
  ScanOutcome scan = detector_.ScanLogFile(in, ref.origin);
  IngestMetrics& m = *o_.metrics;
  if (scan.io_error) {
    m.source_errors.fetch_add(1, std::memory_order_relaxed);
    return Status(scan.status.code(), std::string(ref.name) + ": " + scan.status.message());
  }
  FileResult r;
  r.records = scan.counts.records;
  r.detections = scan.detections.size();
  r.bytes_in = scan.bytes_in;
  // Uses found before a fault are real: record them even when quarantining.
  SC_ASSIGN_OR_RETURN(r.new_detections, o_.recorder->Record(scan.detections));
  m.files_processed.fetch_add(1, std::memory_order_relaxed);
  m.bytes_read.fetch_add(scan.bytes_in, std::memory_order_relaxed);
  m.bytes_decoded.fetch_add(scan.bytes_out, std::memory_order_relaxed);
  m.records_seen.fetch_add(scan.counts.records, std::memory_order_relaxed);
  if (scan.counts.repaired) m.files_repaired.fetch_add(1, std::memory_order_relaxed);
  m.records_parsed.fetch_add(scan.counts.parsed, std::memory_order_relaxed);
  if (!scan.status.ok()) {
    r.quarantined = true;
    r.reason = scan.status.message();
    m.CountQuarantined(scan.bad);
    o_.quarantine->Put(QuarantineItem{ref.source, ref.name, scan.bad, r.reason, ref.stored_bytes});
  }
  return r;
}

}  // namespace spacecrab::ingest
