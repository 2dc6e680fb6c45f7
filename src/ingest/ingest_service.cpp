#include "ingest/ingest_service.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "core/background_thread.h"
#include "ingest/file_source.h"
#include "ingest/s3_source.h"

namespace spacecrab::ingest {
namespace {

// Sleeps for `d` or until stop is requested; false when stopping.
bool SleepFor(std::stop_token stop, std::chrono::milliseconds d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  return !cv.wait_for(lock, stop, d, [] { return false; }) && !stop.stop_requested();
}

}  // namespace

IngestService::IngestService(const IngestServiceOptions& options)
    : o_(options), sync_(options.store, &matcher_) {}

IngestService::~IngestService() { Stop(); }

IngestPipeline& IngestService::NewPipeline() {
  PipelineOptions po;
  po.detector.matcher = &matcher_;
  po.detector.clock = o_.clock;
  po.detector.limits.max_file_bytes = o_.config->ingest.max_file_bytes;
  po.detector.limits.max_record_bytes = o_.config->ingest.max_record_bytes;
  po.recorder = recorder_.get();
  po.quarantine = quarantine_.get();
  po.metrics = &metrics_;
  po.index_sync = &sync_;
  pipelines_.push_back(std::make_unique<IngestPipeline>(po));
  return *pipelines_.back();
}

Expected<std::unique_ptr<IngestService>> IngestService::Create(const IngestServiceOptions& options) {
  std::unique_ptr<IngestService> s(new IngestService(options));
  const Config& c = *options.config;
  SC_ASSIGN_OR_RETURN(size_t keys, s->sync_.Load());
  spdlog::info("ingest: {} issued key(s) indexed", keys);
  s->quarantine_ = std::make_unique<DirectoryQuarantine>(
      DirectoryQuarantineOptions{c.server.data_dir + "/quarantine", 64u << 20, options.clock});
  DetectionSink* sink = options.sink ? options.sink : &s->default_sink_;
  s->recorder_ = std::make_unique<Recorder>(
      RecorderOptions{options.store, sink, &s->metrics_, options.enricher});
  PushHandlersOptions ph;
  ph.matcher = &s->matcher_;
  ph.clock = options.clock;
  ph.recorder = s->recorder_.get();
  ph.metrics = &s->metrics_;
  ph.auth = options.push_auth;
  ph.index_sync = &s->sync_;
  ph.limits.max_file_bytes = c.ingest.max_file_bytes;
  ph.limits.max_record_bytes = c.ingest.max_record_bytes;
  s->push_ = std::make_unique<PushHandlers>(ph);
  for (const std::string& url : c.ingest.s3) {
    S3SourceOptions so;
    so.url = url;
    so.client = S3ClientOptionsFromConfig(c);
    so.pipeline = &s->NewPipeline();
    so.store = options.store;
    so.clock = options.clock;
    auto source = S3Source::Create(std::move(so));
    if (!source.ok()) return Status(source.status().code(), "[ingest] s3 " + url + ": " + source.status().message());
    s->sources_.push_back(std::move(source).value());
  }
  for (const std::string& dir : c.ingest.watch_dirs) {
    WatchDirSourceOptions wo;
    wo.dir = dir;
    wo.pipeline = &s->NewPipeline();
    wo.store = options.store;
    wo.clock = options.clock;
    s->sources_.push_back(std::make_unique<WatchDirSource>(std::move(wo)));
  }
  return s;
}

void IngestService::Start() {
  threads_.emplace_back([this](std::stop_token stop) {
    MarkBackgroundThread("key-index");
    while (SleepFor(stop, o_.index_refresh)) {
      auto changed = sync_.Refresh();
      if (!changed.ok()) spdlog::warn("ingest: refreshing the key index: {}", changed.status().ToString());
    }
  });
  const auto interval = std::chrono::seconds(std::max(1, o_.config->ingest.poll_seconds));
  for (auto& source : sources_) {
    Source* src = source.get();
    threads_.emplace_back([this, src, interval](std::stop_token stop) {
      spdlog::info("ingest: polling {} every {} s", src->name(), interval.count());
      do {
        if (Status s = src->Poll(stop); !s.ok()) {
          metrics_.source_errors.fetch_add(1, std::memory_order_relaxed);
          spdlog::error("ingest: {}: {}", src->name(), s.ToString());
        }
      } while (SleepFor(stop, interval));
    });
  }
}

void IngestService::Stop() {
  for (auto& t : threads_) t.request_stop();
  threads_.clear();  // jthread joins
}

}  // namespace spacecrab::ingest
