#include "alert/sink_factory.h"

#include <functional>
#include <set>

#include "alert/console_sink.h"
#include "alert/exec_sink.h"
#include "alert/jsonl_sink.h"
#include "alert/pagerduty_sink.h"
#include "alert/slack_sink.h"
#include "alert/smtp_sink.h"
#include "alert/syslog_sink.h"
#include "alert/webhook_sink.h"

namespace spacecrab::alert {
namespace {

using Factory =
    std::function<Expected<BuiltSink>(const SinkConfig&, SinkSettings&, const SinkDeps&)>;

// Builds a sink from its parsed config; the policy travels with it.
template <typename Cfg, typename Make>
Expected<BuiltSink> Build(Expected<Cfg> cfg, Make make) {
  if (!cfg.ok()) return cfg.status();
  BuiltSink b;
  b.policy = cfg->policy;
  b.sink = make(std::move(cfg).value());
  return b;
}

// The one map from config `type` to factory.
const std::map<std::string, Factory, std::less<>>& Factories() {
  static const auto* kFactories = new std::map<std::string, Factory, std::less<>>{
      {"pagerduty",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps& d) {
         return Build(ParsePagerDutyConfig(s), [&](PagerDutyConfig cfg) {
           return std::make_unique<PagerDutySink>(c.name, std::move(cfg), d.http);
         });
       }},
      {"smtp",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps&) {
         return Build(ParseSmtpConfig(s), [&](SmtpConfig cfg) {
           return std::make_unique<SmtpSink>(c.name, std::move(cfg));
         });
       }},
      {"slack",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps& d) {
         return Build(ParseSlackConfig(s), [&](ChatWebhookConfig cfg) {
           return std::make_unique<SlackSink>(c.name, std::move(cfg), d.http);
         });
       }},
      {"teams",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps& d) {
         return Build(ParseTeamsConfig(s), [&](ChatWebhookConfig cfg) {
           return std::make_unique<TeamsSink>(c.name, std::move(cfg), d.http);
         });
       }},
      {"webhook",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps& d) {
         return Build(ParseWebhookConfig(s), [&](WebhookConfig cfg) {
           return std::make_unique<WebhookSink>(c.name, std::move(cfg), d.http, d.clock);
         });
       }},
      {"syslog",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps& d) {
         return Build(ParseSyslogConfig(s), [&](SyslogConfig cfg) {
           return std::make_unique<SyslogSink>(c.name, std::move(cfg), d.clock);
         });
       }},
      {"jsonl",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps&) -> Expected<BuiltSink> {
         JsonlSink* raw = nullptr;
         auto b = Build(ParseJsonlConfig(s), [&](JsonlConfig cfg) {
           auto sink = std::make_unique<JsonlSink>(c.name, std::move(cfg));
           raw = sink.get();
           return sink;
         });
         if (b.ok()) b->jsonl = raw;
         return b;
       }},
      {"exec",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps& d) {
         return Build(ParseExecConfig(s, d.env), [&](ExecConfig cfg) {
           return std::make_unique<ExecSink>(c.name, std::move(cfg));
         });
       }},
      {"console",
       [](const SinkConfig& c, SinkSettings& s, const SinkDeps&) {
         return Build(ParseConsoleConfig(s), [&](ConsoleConfig cfg) {
           return std::make_unique<ConsoleSink>(c.name, std::move(cfg));
         });
       }},
  };
  return *kFactories;
}

bool ValidSinkName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

}  // namespace

std::vector<std::string_view> SinkTypes() {
  std::vector<std::string_view> out;
  for (const auto& [type, f] : Factories()) out.push_back(type);
  return out;
}

Expected<BuiltSink> MakeSink(const SinkConfig& config, const SinkDeps& deps) {
  if (!ValidSinkName(config.name)) {
    return InvalidArgument("sink '" + config.name + "': name must be 1-64 of [A-Za-z0-9_-]");
  }
  auto it = Factories().find(config.type);
  if (it == Factories().end()) {
    std::string types;
    for (auto t : SinkTypes()) types += (types.empty() ? "" : ", ") + std::string(t);
    return InvalidArgument("sink '" + config.name + "': type: unknown type '" + config.type +
                           "' (expected one of " + types + ")");
  }
  if (!deps.clock || !deps.http) return Internal("MakeSink: SinkDeps needs http and clock");
  SinkSettings settings(config, deps.env);
  return it->second(config, settings, deps);
}

Expected<std::vector<BuiltSink>> MakeSinks(const std::vector<SinkConfig>& configs,
                                           const SinkDeps& deps) {
  std::vector<BuiltSink> out;
  std::set<std::string> names;
  for (const auto& c : configs) {
    if (!names.insert(c.name).second) {
      return InvalidArgument("sink '" + c.name + "': defined twice");
    }
    SC_ASSIGN_OR_RETURN(BuiltSink b, MakeSink(c, deps));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace spacecrab::alert
