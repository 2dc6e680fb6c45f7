// ConsoleSink: alerts on the terminal (the embedded default, and for trying
// things out). One line per message, the full text, or the JSON message.
//
// Config ([sinks.NAME] type = "console"):
//   stream = "stdout" | "stderr"
//   format = "line" | "text" | "json"
// plus the common keys (sink_settings.h).
//
// Thread-safety: Send is serialised (lines never interleave).
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "alert/sink.h"
#include "alert/sink_settings.h"

namespace spacecrab::alert {

struct ConsoleConfig {
  bool to_stderr = false;
  std::string format = "line";
  DeliveryPolicy policy;
};

Expected<ConsoleConfig> ParseConsoleConfig(SinkSettings& settings);

// What the console prints for a message in `format`.
std::string ConsoleRender(const AlertMessage& message, const std::string& format);

class ConsoleSink final : public Sink {
 public:
  // `out` overrides the stream (tests); null means the configured one.
  ConsoleSink(std::string name, ConsoleConfig config, std::FILE* out = nullptr);
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "console"; }
  Status Send(const AlertMessage& message) override;

 private:
  std::string name_;
  ConsoleConfig config_;
  std::FILE* out_;
  std::mutex mu_;
};

}  // namespace spacecrab::alert
