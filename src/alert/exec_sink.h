// ExecSink: "write your own" in any language — runs a program per message
// with the message JSON (MessageToJson) and a newline on stdin.
//
// The program runs without a shell, from an argv array, in a clean
// environment: PATH=/usr/local/bin:/usr/bin:/bin, LANG=C.UTF-8,
// ALERT_KIND=trigger|update|resolve, ALERT_DEDUP_KEY=<incident id>, plus the
// variables named in pass_env. Nothing else of this process's environment
// (database URLs, keys) reaches it.
//
// Exit status: 0 delivered; 75 (EX_TEMPFAIL), any other failure, a signal or
// the timeout (then SIGKILL to its process group) are retried; 64-78 other
// than 75 (sysexits: usage, data error, config) are final. The first line of
// its stderr goes into the error.
//
// Config ([sinks.NAME] type = "exec"):
//   command = ["/usr/local/bin/notify", "--team", "sec"]   required; argv[0] absolute
//             (or a JSON array string when an argument contains a comma)
//   pass_env = ["HOME", "TICKET_TOKEN"]
// plus the common keys (sink_settings.h); `timeout` bounds each run.
//
// Thread-safety: Send is safe from any thread (each call is its own child).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "alert/sink.h"
#include "alert/sink_settings.h"

namespace spacecrab::alert {

struct ExecConfig {
  std::vector<std::string> command;
  std::vector<std::string> env;  // "NAME=value", fixed at start-up
  DeliveryPolicy policy;
};

// `env` is this process's environment, for pass_env.
Expected<ExecConfig> ParseExecConfig(SinkSettings& settings,
                                     const std::map<std::string, std::string>& env);

class ExecSink final : public Sink {
 public:
  ExecSink(std::string name, ExecConfig config);
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "exec"; }
  Status Send(const AlertMessage& message) override;

 private:
  std::string name_;
  ExecConfig config_;
};

}  // namespace spacecrab::alert
