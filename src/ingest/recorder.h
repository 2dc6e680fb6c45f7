// Recorder: detections -> Store (unique by eventID, token usage counters in
// the same transaction) -> DetectionSink (only the new ones).
//
// Exactly-once: duplicates across files, restarts and push+poll paths
// collapse in Store::RecordEvents, so a source may safely re-read input
// (at-least-once in). Thread-safe when the Store and sink are.
// Failure: a Store error is returned (the caller must not checkpoint past the
// input and should retry); a sink error is logged and counted only.
// Enrichment: with an Enricher, every event is enriched (country, network,
// Tor, cloud, tool) before it is stored, so the Store and the sink see the
// same enrichment{}; keys already there (the decoy endpoint's
// signature_verified, key_check) are kept.
#pragma once

#include <vector>

#include "core/status.h"
#include "ingest/detection_sink.h"
#include "ingest/ingest_metrics.h"

namespace spacecrab {
class Store;
}
namespace spacecrab::enrich {
class Enricher;
}

namespace spacecrab::ingest {

struct RecorderOptions {
  Store* store = nullptr;          // required, not owned
  DetectionSink* sink = nullptr;   // required, not owned
  IngestMetrics* metrics = nullptr;  // required, not owned
  const enrich::Enricher* enricher = nullptr;  // optional, not owned; nullptr: no enrichment
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
