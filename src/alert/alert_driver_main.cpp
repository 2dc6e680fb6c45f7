// sc_alert_driver: the alert pipeline (incident stage -> outbox -> dispatcher
// -> real sinks) as a command, for integration tests against real receivers
// and for the benchmarks in bench/alert, before `spacecrab serve` wires it.
//
//   sc_alert_driver --config spacecrab.toml --events events.jsonl [--tokens tokens.json]
//   sc_alert_driver --config spacecrab.toml --storm-events 100000 --storm-tokens 50
//   sc_alert_driver --config spacecrab.toml --throughput 5000
//   sc_alert_driver --config spacecrab.toml --db data.sqlite --events e.jsonl [--crash-at commit]
//
// Sinks and the incident window come from the config's [sinks.*] and
// [incidents]; the outbox is in memory, or with --db in SQLite (the same
// OpenStoreBundle the service uses: tokens, events, incidents, outbox), which
// is what the crash tests use: --crash-at record|commit SIGKILLs the process
// right after Store::RecordEvents or after the incident commit, and a second
// run on the same file must deliver every page. It waits until nothing is pending (or
// --drain-timeout) and prints a JSON summary on stdout. Exit 0 when drained.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "alert/alert_driver_inputs.h"
#include "alert/curl_http_client.h"
#include "alert/dispatcher.h"
#include "alert/incident_stage.h"
#include "alert/memory_alert_store.h"
#include "alert/sample_alert.h"
#include "alert/sink_factory.h"
#include "config/config.h"
#include "core/ids.h"
#include "store/store_factory.h"

namespace spacecrab::alert {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  std::string config;
  std::string events;
  std::string tokens;
  std::string public_url = "http://127.0.0.1:8080";
  double drain_timeout = 60;
  bool resolve_all = false;
  bool resolve_early = false;  // resolve right after feeding, before delivery
  std::vector<std::string> allow_cidrs, allow_agents, allow_tags;
  int storm_events = 0, storm_tokens = 50, storm_sources = 1, storm_batch = 500;
  double storm_pace = 0;  // spread feeding over this many wall seconds
  int throughput = 0;
  std::string db;
  std::string crash_at;  // "record" | "commit"
  int lease_margin_ms = 30000;
};

int64_t Pending(AlertStore& store) {
  std::vector<OutboxRow> rows =
      store.ListOutbox({OutboxState::kPending, "", "", 0, 1000000}).value();
  return static_cast<int64_t>(rows.size());
}

bool Drain(AlertStore& store, Dispatcher& d, double timeout_s) {
  const auto deadline = SteadyClock::now() + std::chrono::duration<double>(timeout_s);
  while (SteadyClock::now() < deadline) {
    if (Pending(store) == 0) return true;
    d.Notify();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Pending(store) == 0;
}

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

int Run(const Args& a) {
  auto cfg = LoadConfig(a.config, {});
  if (!cfg.ok()) {
    std::cerr << cfg.status().ToString() << "\n";
    return 2;
  }
  SystemClock clock;
  CurlHttpClient http({});
  auto built = MakeSinks(cfg->sinks, SinkDeps{&http, &clock, ProcessEnvironment()});
  if (!built.ok()) {
    std::cerr << built.status().ToString() << "\n";
    return 2;
  }
  AllowlistSpec spec{a.allow_cidrs, a.allow_agents, a.allow_tags};
  auto allow = Allowlist::Parse(spec);
  if (!allow.ok()) {
    std::cerr << allow.status().ToString() << "\n";
    return 2;
  }
  MemoryAlertStore memory;
  std::shared_ptr<Store> sql;
  std::unique_ptr<AlertStore> sql_alerts;
  if (!a.db.empty()) {
    auto opened = OpenStoreBundle("sqlite:" + a.db);
    if (!opened.ok()) {
      std::cerr << "cannot open " << a.db << ": " << opened.status().ToString() << "\n";
      return 2;
    }
    sql = opened->store;
    sql_alerts = std::move(opened->alerts);
  }
  AlertStore& store = sql_alerts ? static_cast<AlertStore&>(*sql_alerts) : memory;
  // Tokens go where GetToken looks: the SQLite token table, or memory.
  auto put_token = [&](const HoneyToken& t) {
    if (!sql) return memory.PutToken(t);
    if (sql->GetToken(t.id).ok()) return;
    HoneyToken row = t;
    static int n = 0;
    if (row.access_key_id.empty())
      row.access_key_id = SyntheticKeyId(++n + getpid() % 1000 * 100000);
    if (row.account_id.empty()) row.account_id = "123456789012";
    if (row.user_name.empty()) row.user_name = "svc-" + row.id;
    if (Status st = sql->InsertTokens(std::span<const HoneyToken>(&row, 1)); !st.ok()) {
      std::cerr << "token " << t.id << ": " << st.ToString() << "\n";
    }
  };
  std::vector<DispatchSink> dsinks;
  std::vector<StageSink> ssinks;
  for (auto& b : *built) {
    dsinks.push_back({b.sink.get(), b.policy});
    ssinks.push_back({b.sink->name(), b.policy.kinds});
  }
  DispatcherOptions dopt;
  dopt.store = &store;
  dopt.clock = &clock;
  dopt.lease_margin = std::chrono::milliseconds(a.lease_margin_ms);
  Dispatcher dispatcher(dopt, dsinks);
  IncidentStageOptions sopt;
  sopt.store = &store;
  sopt.clock = &clock;
  sopt.policy.window = std::chrono::seconds(cfg->incidents.window_seconds);
  sopt.allowlist = *allow;
  sopt.public_url = a.public_url;
  sopt.sinks = ssinks;
  std::random_device rd;
  sopt.new_incident_id = [&rd](Timestamp t) {
    uint8_t entropy[kIdEntropyBytes];
    for (auto& b : entropy) b = static_cast<uint8_t>(rd());
    return MakeId("inc", t, entropy);
  };
  sopt.on_queued = [&dispatcher] { dispatcher.Notify(); };
  IncidentStage stage(sopt);

  json summary = json::object();
  const Timestamp now = clock.Now();
  std::vector<Event> events;
  if (!a.tokens.empty()) {
    std::ifstream in(a.tokens);
    json list = json::parse(in, nullptr, false);
    for (const auto& t : list) put_token(TokenFromJson(t, now));
  }
  if (!a.events.empty()) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (a.events != "-") {
      file.open(a.events);
      in = &file;
    }
    for (std::string line; std::getline(*in, line);) {
      if (line.empty()) continue;
      json j = json::parse(line, nullptr, false);
      if (j.is_object()) events.push_back(EventFromJson(j));
    }
  }
  if (a.storm_events > 0) {
    events = StormEvents({a.storm_events, a.storm_tokens, a.storm_sources},
                         now - std::chrono::seconds(60));
  }
  for (const auto& e : events) {
    if (!store.GetToken(e.token_id).ok()) put_token(SyntheticToken(e.token_id, now));
  }
  if (sql) {
    // Events the ingest stage recorded (here: this file) are unique by id;
    // only new ones go on. A previous run that died left some unassigned.
    std::vector<Event> fresh;
    if (!events.empty()) {
      for (auto& e : events) {
        e.origin = "file";
        e.received_at = now;
        if (e.access_key_id.empty()) e.access_key_id = store.GetToken(e.token_id)->access_key_id;
      }
      auto recorded = sql->RecordEvents(events);
      if (!recorded.ok()) {
        std::cerr << recorded.status().ToString() << "\n";
        return 1;
      }
      if (a.crash_at == "record") kill(getpid(), SIGKILL);
      for (size_t i = 0; i < events.size(); ++i)
        if ((*recorded)[i]) fresh.push_back(events[i]);
    }
    events = std::move(fresh);
    auto swept = stage.ProcessBacklog();
    if (!swept.ok()) {
      std::cerr << swept.status().ToString() << "\n";
      return 1;
    }
    summary["backlog_events"] = *swept;
    events.clear();  // the sweep took every recorded, unassigned event
    if (a.crash_at == "commit") kill(getpid(), SIGKILL);
  }

  dispatcher.Start();
  const auto t0 = SteadyClock::now();
  if (a.throughput > 0) {
    // Queue N triggers for N incidents directly: measures the dispatcher alone.
    std::vector<IncidentCommit> commits;
    for (int i = 0; i < a.throughput; ++i) {
      IncidentCommit c;
      c.incident.id = "inc_bench" + std::to_string(i);
      Alert alert = MakeSampleAlert(a.public_url, now);
      alert.test = false;
      alert.incident.id = c.incident.id;
      const std::string payload = AlertToJson(alert);
      for (const auto& s : ssinks) {
        OutboxRow r{
            0,   c.incident.id, s.name, AlertKind::kTrigger, payload, OutboxState::kPending, 0,
            now, now,           "",     std::nullopt};
        c.outbox.push_back(std::move(r));
      }
      commits.push_back(std::move(c));
    }
    if (Status st = store.CommitIncidents(commits); !st.ok()) {
      std::cerr << st.ToString() << "\n";
      return 1;
    }
    dispatcher.Notify();
  } else {
    const size_t batch = static_cast<size_t>(std::max(1, a.storm_batch));
    const size_t batches = (events.size() + batch - 1) / batch;
    for (size_t b = 0; b < batches; ++b) {
      std::span<const Event> part(events.data() + b * batch,
                                  std::min(batch, events.size() - b * batch));
      if (Status st = stage.OnEvents(part); !st.ok()) {
        std::cerr << st.ToString() << "\n";
        return 1;
      }
      if (a.storm_pace > 0) {  // hold the feed to the requested wall-clock rate
        auto due =
            t0 + std::chrono::duration<double>(a.storm_pace * double(b + 1) / double(batches));
        std::this_thread::sleep_until(due);
      }
    }
  }
  const double feed_s = Seconds(t0);
  if (a.resolve_early) {
    IncidentPage page = store.ListIncidents({std::nullopt, "", "", 1000}).value();
    for (const auto& inc : page.items) (void)stage.Resolve(inc.id, "driver");
  }
  bool drained = Drain(store, dispatcher, a.drain_timeout);
  const double drain_s = Seconds(t0);
  if (a.resolve_all && drained) {
    IncidentPage page = store.ListIncidents({std::nullopt, "", "", 1000}).value();
    for (const auto& inc : page.items) {
      if (inc.status != IncidentStatus::kResolved) (void)stage.Resolve(inc.id, "driver");
    }
    drained = Drain(store, dispatcher, a.drain_timeout);
  }
  dispatcher.Stop();

  auto st = stage.Stats();
  summary["events"] = st.events;
  summary["incidents_created"] = st.incidents_created;
  summary["rows_queued"] = st.rows_queued;
  summary["allowlisted_events"] = st.allowlisted_events;
  summary["feed_seconds"] = feed_s;
  summary["drain_seconds"] = drain_s;
  summary["drained"] = drained;
  json incidents = json::array();
  IncidentPage all = store.ListIncidents({std::nullopt, "", "", 1000}).value();
  for (const auto& inc : all.items) {
    incidents.push_back({{"id", inc.id},
                         {"token_id", inc.token_id},
                         {"source_ip", inc.source_ip},
                         {"status", ToString(inc.status)},
                         {"event_count", inc.event_count},
                         {"actions", inc.actions},
                         {"profile", ToString(inc.profile)},
                         {"severity", ToString(inc.severity)},
                         {"trigger", ToString(inc.trigger)},
                         {"allowlisted", inc.allowlisted},
                         {"allowlist_reason", inc.allowlist_reason}});
  }
  summary["incidents"] = incidents;
  json sinks = json::object(), dead = json::array();
  for (const auto& s : ssinks) {
    SinkStats ss = dispatcher.Stats(s.name);
    sinks[s.name] = {{"sent", ss.sent},
                     {"failed_attempts", ss.failed_attempts},
                     {"dead", ss.dead},
                     {"deferred", ss.deferred},
                     {"coalesced", ss.coalesced}};
  }
  std::vector<OutboxRow> dead_rows =
      store.ListOutbox({OutboxState::kDead, "", "", 0, 1000}).value();
  for (const auto& r : dead_rows) {
    dead.push_back({{"sink", r.sink},
                    {"incident_id", r.incident_id},
                    {"kind", ToString(r.kind)},
                    {"error", r.last_error}});
  }
  summary["sinks"] = sinks;
  summary["dead"] = dead;
  summary["pending"] = Pending(store);
  if (a.throughput > 0) {
    summary["throughput_alerts_per_second"] =
        drained ? double(a.throughput) * double(ssinks.size()) / drain_s : 0.0;
  }
  std::cout << summary.dump(2) << std::endl;
  return drained ? 0 : 1;
}

}  // namespace
}  // namespace spacecrab::alert

int main(int argc, char** argv) {
  spacecrab::alert::Args a;
  CLI::App app{"Drive the alert pipeline against real sinks"};
  app.add_option("--config", a.config, "spacecrab.toml with [sinks.*]")->required();
  app.add_option("--events", a.events, "events as JSON lines ('-' for stdin)");
  app.add_option("--tokens", a.tokens, "tokens as a JSON array (others are synthesised)");
  app.add_option("--public-url", a.public_url);
  app.add_option("--drain-timeout", a.drain_timeout, "seconds to wait for delivery");
  app.add_flag("--resolve-all", a.resolve_all, "resolve every incident after delivery");
  app.add_flag("--resolve-early", a.resolve_early, "resolve every incident right after feeding");
  app.add_option("--allow-cidr", a.allow_cidrs);
  app.add_option("--allow-user-agent", a.allow_agents);
  app.add_option("--allow-tag", a.allow_tags);
  app.add_option("--storm-events", a.storm_events);
  app.add_option("--storm-tokens", a.storm_tokens)->check(CLI::PositiveNumber);
  app.add_option("--storm-sources", a.storm_sources)->check(CLI::PositiveNumber);
  app.add_option("--storm-batch", a.storm_batch)->check(CLI::PositiveNumber);
  app.add_option("--storm-pace", a.storm_pace, "feed the storm over this many wall seconds");
  app.add_option("--throughput", a.throughput, "queue N triggers and time the dispatcher");
  app.add_option("--db", a.db, "SQLite file: durable tokens, events, incidents and outbox");
  app.add_option("--crash-at", a.crash_at, "SIGKILL itself after: record | commit")
      ->check(CLI::IsMember({"record", "commit"}));
  app.add_option("--lease-margin-ms", a.lease_margin_ms);
  CLI11_PARSE(app, argc, argv);
  return spacecrab::alert::Run(a);
}
