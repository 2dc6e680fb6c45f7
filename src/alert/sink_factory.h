// Building sinks from config: the one map from `type = "..."` to a factory
// (sink_factory.cpp). Adding a channel means a Sink implementation, a config
// parser, and one line in that map — nothing registers itself.
//
// Every [sinks.NAME] table is validated here at start-up; the first error
// names the sink and the key. Nothing is sent while building.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alert/http_client.h"
#include "alert/sink.h"
#include "alert/sink_settings.h"
#include "config/config.h"
#include "core/clock.h"

namespace spacecrab::alert {

class JsonlSink;

// What factories may use. Not owned; must outlive the sinks.
struct SinkDeps {
  HttpClient* http = nullptr;
  const Clock* clock = nullptr;
  std::map<std::string, std::string> env;  // for *_env secrets and exec pass_env
};

struct BuiltSink {
  std::unique_ptr<Sink> sink;
  DeliveryPolicy policy;
  JsonlSink* jsonl = nullptr;  // set for jsonl sinks, so the app can Reopen() on SIGHUP
};

// The supported `type` values, for help texts and `spacecrab doctor`.
std::vector<std::string_view> SinkTypes();

Expected<BuiltSink> MakeSink(const SinkConfig& config, const SinkDeps& deps);
// All sinks; names must be unique and match [A-Za-z0-9_-]{1,64}.
Expected<std::vector<BuiltSink>> MakeSinks(const std::vector<SinkConfig>& configs,
                                           const SinkDeps& deps);

}  // namespace spacecrab::alert
