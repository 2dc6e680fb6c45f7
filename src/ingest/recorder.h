// Recorder: detections -> Store (unique by eventID, token usage counters in
// the same transaction) -> DetectionSink (only the new ones).
//
// Exactly-once: duplicates across files, restarts and push+poll paths
// collapse in Store::RecordEvents, so a source may safely re-read input
// (at-least-once in). Thread-safe when the Store and sink are.
// Failure: a Store error is returned (the caller must not checkpoint past the
// input and should retry); a sink error is logged and counted only.
#pragma once

#include <vector>

#include "core/status.h"
#include "ingest/detection_sink.h"
#include "ingest/ingest_metrics.h"

namespace spacecrab {
class Store;
}

namespace spacecrab::ingest {

struct RecorderOptions {
  Store* store = nullptr;          // required, not owned
  DetectionSink* sink = nullptr;   // required, not owned
  IngestMetrics* metrics = nullptr;  // required, not owned
};

class Recorder {
 public:
  explicit Recorder(const RecorderOptions& options) : o_(options) {}
  // Returns how many detections were new.
  Expected<size_t> Record(const std::vector<Detection>& detections);

 private:
  RecorderOptions o_;
};

}  // namespace spacecrab::ingest
