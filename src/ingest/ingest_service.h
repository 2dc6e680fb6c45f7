// IngestService: every ingest part `spacecrab serve` runs, built from Config
// in one place so RunServe only has to create, mount and start it:
//   - the key index (loaded at start, then following token changes every
//     `index_refresh`: tokens created/revoked/deleted through the API are
//     matched within about a second, no restart);
//   - one polling thread per source: `[ingest] s3 = [...]` (S3Source) and
//     `[ingest] watch_dirs = [...]` (WatchDirSource), every `poll_seconds`;
//   - the push handlers (mount them with IngestRoutes, ingest_routes.h);
//   - the counters for /metrics (metrics().AppendPrometheus).
// Detections are enriched (when an Enricher is given), go to the Store
// (unique by eventID) and then to `sink`.
//
// Thread-safety: Start/Stop from the owning thread; everything else is safe
// from any thread. Ownership: the Store, Clock, sink and enricher must
// outlive it.
// Failure: Create fails on an unusable source (bad s3 url, no AWS
// credentials) or when the key index cannot be loaded; a source failing
// later is logged, counted (source_errors) and retried next interval.
#pragma once

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/key_matcher.h"
#include "ingest/key_index_sync.h"
#include "ingest/pipeline.h"
#include "ingest/push_handlers.h"
#include "ingest/source.h"

namespace spacecrab {
class Store;
}
namespace spacecrab::enrich {
class Enricher;
}

namespace spacecrab::ingest {

struct IngestServiceOptions {
  const Config* config = nullptr;       // required
  Store* store = nullptr;               // required, not owned
  const Clock* clock = nullptr;         // required
  DetectionSink* sink = nullptr;        // optional: a LoggingDetectionSink when null
  PushAuthenticator* push_auth = nullptr;  // required for push endpoints
  const enrich::Enricher* enricher = nullptr;  // optional, not owned: enrich every detection
  std::chrono::milliseconds index_refresh = std::chrono::seconds(1);
};

class IngestService {
 public:
  static Expected<std::unique_ptr<IngestService>> Create(const IngestServiceOptions& options);
  ~IngestService();

  void Start();
  void Stop();  // wakes and joins every thread; a file in progress finishes first

  IngestMetrics& metrics() { return metrics_; }
  PushHandlers& push() { return *push_; }
  const KeyMatcher& matcher() const { return matcher_; }

 private:
  explicit IngestService(const IngestServiceOptions& options);
  IngestPipeline& NewPipeline();

  IngestServiceOptions o_;
  IngestMetrics metrics_;
  KeyMatcher matcher_;
  KeyIndexSync sync_;
  LoggingDetectionSink default_sink_;
  std::unique_ptr<Quarantine> quarantine_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<PushHandlers> push_;
  std::vector<std::unique_ptr<IngestPipeline>> pipelines_;  // one per source thread
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<std::jthread> threads_;
};

}  // namespace spacecrab::ingest
