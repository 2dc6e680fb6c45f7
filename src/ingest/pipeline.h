// IngestPipeline: what every source does with one log file — detect, record,
// quarantine bad input, count.
//
// Returns an error only when the input should be retried later (the reader or
// the Store failed): the caller must then not checkpoint past it. Bad input is
// quarantined and counted, and is *not* an error (retrying would not help).
// Not thread-safe (owns a Detector): one pipeline per source thread; the
// Recorder, Quarantine and metrics it points to are shared.
#pragma once

#include <string>
#include <string_view>

#include "ingest/detector.h"
#include "ingest/key_index_sync.h"
#include "ingest/quarantine.h"
#include "ingest/recorder.h"

namespace spacecrab::ingest {

struct PipelineOptions {
  DetectorOptions detector;
  Recorder* recorder = nullptr;      // required, not owned
  Quarantine* quarantine = nullptr;  // required, not owned
  IngestMetrics* metrics = nullptr;  // required, not owned
  KeyIndexSync* index_sync = nullptr;  // optional: refreshed before each file
};

struct InputRef {
  std::string_view source;  // "file", "s3://bucket/prefix"
  std::string_view name;    // path or key
  std::string_view origin;  // Event::origin: "file", "s3", ...
  std::string_view stored_bytes;  // for the quarantine copy, when in memory
};

struct FileResult {
  size_t records = 0;
  size_t detections = 0;      // matched records in this file
  size_t new_detections = 0;  // of which recorded for the first time
  uint64_t bytes_in = 0;
  bool quarantined = false;
  std::string reason;         // why, when quarantined
};

class IngestPipeline {
 public:
  explicit IngestPipeline(const PipelineOptions& options);
  Expected<FileResult> ProcessLogFile(ByteReader& in, const InputRef& ref);

  // Records detections produced outside ProcessLogFile (push handlers).
  Expected<size_t> Record(const std::vector<Detection>& detections);
  Detector& detector() { return detector_; }
  const PipelineOptions& options() const { return o_; }

 private:
  PipelineOptions o_;
  Detector detector_;
};

}  // namespace spacecrab::ingest
