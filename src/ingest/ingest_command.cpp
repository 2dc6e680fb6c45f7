#include "ingest/ingest_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "enrich/enricher.h"
#include "ingest/file_source.h"
#include "ingest/key_index_sync.h"
#include "ingest/progress_bar.h"
#include "ingest/s3_source.h"
#include "store/store_factory.h"

namespace spacecrab::ingest {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

std::string StoreUrl(const Config& c) {
  return c.store.url.empty() ? "sqlite:" + c.server.data_dir + "/spacecrab.db" : c.store.url;
}

}  // namespace

int RunIngestCommand(const Config& config, const std::vector<std::string>& inputs,
                     const IngestCommandOptions& options) {
  if (inputs.empty()) {
    std::fprintf(stderr, "spacecrab ingest: give at least one PATH, s3://bucket/prefix or -\n");
    return 2;
  }
  // Warnings (e.g. a degraded enrichment source) must not mix with the summary on stdout.
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "ingest", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  std::unique_ptr<enrich::Enricher> enricher;
  if (options.enrich) {
    // Debian's Tor GeoIP tables (25 MB of text) are read only once a
    // detection needs a country, and only for the address family it has.
    enrich::EnricherOptions eo = enrich::EnricherOptionsFromConfig(config.enrich);
    eo.load_tor_geoip_on_first_use = true;
    auto created = enrich::EnricherFromOptions(eo);
    if (!created.ok()) {
      std::fprintf(stderr, "spacecrab ingest: %s\n", created.status().message().c_str());
      return 1;
    }
    enricher = std::move(created).value();
  }
  auto store = OpenStore(StoreUrl(config));
  if (!store.ok()) {
    std::fprintf(stderr, "spacecrab ingest: %s\n", store.status().ToString().c_str());
    return 1;
  }
  KeyMatcher matcher;
  KeyIndexSync sync(store->get(), &matcher);
  auto keys = sync.Load();
  if (!keys.ok()) {
    std::fprintf(stderr, "spacecrab ingest: loading issued keys: %s\n", keys.status().ToString().c_str());
    return 1;
  }
  if (*keys == 0) spdlog::warn("ingest: no keys have been issued yet; nothing can match");

  SystemClock clock;
  IngestMetrics metrics;
  LoggingDetectionSink sink;
  Recorder recorder(RecorderOptions{store->get(), &sink, &metrics, enricher.get()});
  DirectoryQuarantine quarantine(
      DirectoryQuarantineOptions{config.server.data_dir + "/quarantine", 64u << 20, &clock});
  PipelineOptions po;
  po.detector.matcher = &matcher;
  po.detector.clock = &clock;
  po.detector.limits.max_file_bytes = config.ingest.max_file_bytes;
  po.detector.limits.max_record_bytes = config.ingest.max_record_bytes;
  po.detector.walk_every_file = options.walk_every_file;
  po.recorder = &recorder;
  po.quarantine = &quarantine;
  po.metrics = &metrics;
  IngestPipeline pipeline(po);

  ProgressBar progress(options.progress && ::isatty(STDERR_FILENO));
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<std::string> paths;
  for (const auto& in : inputs) {
    if (in.starts_with("s3://")) {
      S3SourceOptions so;
      so.url = in;
      so.pipeline = &pipeline;
      so.store = store->get();
      so.clock = &clock;
      so.progress = &progress;
      so.checkpoint = options.resume;
      so.checkpoint_prefix = "ingest:";
      so.client = S3ClientOptionsFromConfig(config);
      auto s3 = S3Source::Create(std::move(so));
      if (!s3.ok()) {
        std::fprintf(stderr, "spacecrab ingest: %s\n", s3.status().ToString().c_str());
        return 2;
      }
      sources.push_back(std::move(s3).value());
    } else {
      paths.push_back(in);
    }
  }
  if (!paths.empty())
    sources.insert(sources.begin(), std::make_unique<PathSource>(PathSourceOptions{paths, &pipeline, &progress}));

  std::stop_source stop;
  struct sigaction sa{}, old_int{}, old_term{};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  std::jthread watcher([&stop](std::stop_token self) {
    while (!self.stop_requested()) {
      if (g_interrupted.load()) stop.request_stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  int rc = 0;
  for (auto& source : sources) {
    if (stop.stop_requested()) break;
    Status s = source->Poll(stop.get_token());
    if (!s.ok()) {
      progress.Finish();
      std::fprintf(stderr, "spacecrab ingest: %s: %s\n", source->name().c_str(), s.ToString().c_str());
      rc = 1;
    }
  }
  watcher.request_stop();
  watcher.join();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  progress.Finish();

  const IngestTally& t = progress.tally();
  const double secs = progress.Seconds();
  const bool interrupted = stop.stop_requested();
  if (options.json) {
    nlohmann::json j = {{"files", t.files},           {"records", t.records},
                        {"detections", t.detections}, {"new_detections", t.new_detections},
                        {"quarantined", t.quarantined}, {"skipped", t.skipped},
                        {"bytes", t.bytes},           {"seconds", secs},
                        {"interrupted", interrupted}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s%llu files (%s), %llu records, %llu detections (%llu new), %llu quarantined, "
                "%llu skipped, %.2f s (%.1f MB/s)\n",
                interrupted ? "interrupted: " : "", static_cast<unsigned long long>(t.files),
                fmt::format("{:.1f} MB", double(t.bytes) / 1e6).c_str(),
                static_cast<unsigned long long>(t.records), static_cast<unsigned long long>(t.detections),
                static_cast<unsigned long long>(t.new_detections),
                static_cast<unsigned long long>(t.quarantined), static_cast<unsigned long long>(t.skipped),
                secs, double(t.bytes) / 1e6 / std::max(secs, 1e-6));
    if (t.quarantined > 0)
      std::printf("quarantined files are noted in %s/quarantine/\n", config.server.data_dir.c_str());
  }
  std::fflush(stdout);
  return interrupted && rc == 0 ? 130 : rc;
}

}  // namespace spacecrab::ingest
