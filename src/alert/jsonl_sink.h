// JsonlSink: one JSON object per line appended to a file (MessageToJson), for
// log shippers and jq. Works with logrotate: after the file is moved, the
// app calls Reopen() (from its SIGHUP handling, outside the signal handler)
// and the next Send opens the path afresh.
//
// Config ([sinks.NAME] type = "jsonl"):
//   path = "/var/log/spacecrab/alerts.jsonl"   required (relative: to the cwd)
//   fsync = false       fsync after each line (durable, slower)
//   mode = "0640"       permissions when the file is created
// plus the common keys (sink_settings.h).
//
// Each line is written with one write() on an O_APPEND descriptor, so lines
// from several processes never interleave. Failure: kUnavailable (disk full,
// directory missing), retried.
// Thread-safety: Send and Reopen are safe from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "alert/sink.h"
#include "alert/sink_settings.h"

namespace spacecrab::alert {

struct JsonlConfig {
  std::string path;
  bool fsync = false;
  int mode = 0640;
  DeliveryPolicy policy;
};

Expected<JsonlConfig> ParseJsonlConfig(SinkSettings& settings);

class JsonlSink final : public Sink {
 public:
  JsonlSink(std::string name, JsonlConfig config);
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "jsonl"; }
  Status Send(const AlertMessage& message) override;
  // Asks the next Send to reopen the path. Only sets a flag: cheap and safe
  // to call from a thread that noticed a SIGHUP.
  void Reopen() { reopen_.store(true, std::memory_order_relaxed); }

 private:
  std::string name_;
  JsonlConfig config_;
  std::atomic<bool> reopen_{false};
  std::mutex mu_;
  int fd_ = -1;  // guarded by mu_
};

}  // namespace spacecrab::alert
