// RunServe: the one place where the running service is composed. Every part
// is built here from the Config, explicitly, in dependency order; locals are
// destroyed in reverse, so the server stops before the services and the
// store it uses go away.
#include "app/serve.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "alert/alert_routes.h"
#include "alert/curl_http_client.h"
#include "alert/dispatcher.h"
#include "alert/incident_stage.h"
#include "alert/jsonl_sink.h"
#include "alert/sink_factory.h"
#include "api/api_server.h"
#include "api/apikey_routes.h"
#include "api/metrics.h"
#include "api/system_routes.h"
#include "api/token_routes.h"
#include "app/data_dir.h"
#include "app/iam_maintenance.h"
#include "app/last_used_watch.h"
#include "app/incident_detection_sink.h"
#include "app/periodic_task.h"
#include "app/provider_factory.h"
#include "app/shutdown_signals.h"
#include "core/allowlist.h"
#include "core/clock.h"
#include "core/ids.h"
#include "crypto/random.h"
#include "crypto/secret_box.h"
#include "decoy/decoy_server.h"
#include "enrich/enricher.h"
#include "enrich/report_routes.h"
#include "decoy/record_sink.h"
#include "decoy/recorder_record_sink.h"
#include "decoy/store_key_lookup.h"
#include "ingest/detection_sink.h"
#include "ingest/recorder.h"
#include "ingest/ingest_routes.h"
#include "ingest/ingest_service.h"
#include "service/api_key_service.h"
#include "service/token_service.h"
#include "store/store_factory.h"

namespace spacecrab {
namespace {

// How often active tokens past their expires_at are retired.
constexpr auto kExpiryInterval = std::chrono::seconds(5);
// How often recorded uses without an incident (a crash or a failed commit
// between recording and paging) are picked up again.
constexpr auto kBacklogInterval = std::chrono::seconds(60);

struct ListenAddress {
  std::string host;
  int port = 0;
};

// "127.0.0.1:8080", "[::1]:8080", "localhost:0". The config loader has
// validated the shape; this only splits it.
Expected<ListenAddress> SplitListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 >= listen.size())
    return InvalidArgument("[server] listen: expected HOST:PORT, got '" + listen + "'");
  ListenAddress out;
  out.host = listen.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  try {
    out.port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    return InvalidArgument("[server] listen: bad port in '" + listen + "'");
  }
  if (out.port < 0 || out.port > 65535)
    return InvalidArgument("[server] listen: bad port in '" + listen + "'");
  return out;
}

// Prometheus families for incidents and page delivery, per sink.
MetricsRegistry::Collector AlertMetrics(const alert::IncidentStage& stage,
                                        const alert::Dispatcher& dispatcher,
                                        const std::vector<alert::BuiltSink>& sinks) {
  return [&stage, &dispatcher, &sinks](std::string& out) {
    const alert::IncidentStageStats st = stage.Stats();
    auto counter = [&out](const char* name, const char* help, int64_t v) {
      out += std::string("# HELP spacecrab_") + name + " " + help + "\n# TYPE spacecrab_" + name +
             " counter\nspacecrab_" + name + " " + std::to_string(v) + "\n";
    };
    counter("incident_events_total", "Recorded uses grouped into incidents.", st.events);
    counter("incidents_created_total", "Incidents opened.", st.incidents_created);
    counter("incident_allowlisted_events_total", "Uses that matched an allowlist (not paged).",
            st.allowlisted_events);
    counter("alerts_queued_total", "Outbox rows queued (one per sink and page).", st.rows_queued);
    struct Family {
      const char* name;
      const char* help;
      int64_t alert::SinkStats::*field;
    };
    const Family families[] = {
        {"alerts_sent_total", "Pages delivered, per sink.", &alert::SinkStats::sent},
        {"alert_send_failures_total", "Retryable delivery failures, per sink.",
         &alert::SinkStats::failed_attempts},
        {"alerts_dead_total", "Pages given up (dead-letter), per sink.", &alert::SinkStats::dead},
        {"alerts_deferred_total", "Pages held back by update_interval or rate_limit, per sink.",
         &alert::SinkStats::deferred},
    };
    for (const Family& f : families) {
      out += std::string("# HELP spacecrab_") + f.name + " " + f.help + "\n# TYPE spacecrab_" +
             f.name + " counter\n";
      for (const auto& b : sinks) {
        const alert::SinkStats ss = dispatcher.Stats(b.sink->name());
        out += std::string("spacecrab_") + f.name + "{sink=\"" + b.sink->name() + "\"} " +
               std::to_string(ss.*f.field) + "\n";
      }
    }
  };
}

std::string HttpUrl(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void SetupLogging() {
  // Logs go to stderr; stdout carries only what a person must read once
  // (the first admin key) and the "listening on" line scripts wait for.
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "serve", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::info);
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug shows the access log
}

// secrets.key, else secrets.key_file (must exist: a typo must not silently
// mint a new key that cannot open the stored secrets), else
// <data_dir>/secret.key created on first start.
Expected<SecretBox> LoadSecretBox(const Config& config) {
  if (!config.secrets.key.empty()) {
    auto box = SecretBox::FromKeyMaterial(config.secrets.key);
    if (!box.ok()) return InvalidArgument("[secrets] key: " + box.status().message());
    return box;
  }
  if (!config.secrets.key_file.empty()) {
    std::ifstream in(config.secrets.key_file);
    if (!in) return InvalidArgument("[secrets] key_file: cannot read " + config.secrets.key_file);
    std::ostringstream text;
    text << in.rdbuf();
    auto box = SecretBox::FromKeyMaterial(text.str());
    if (!box.ok())
      return InvalidArgument("[secrets] key_file " + config.secrets.key_file + ": " +
                             box.status().message());
    return box;
  }
  return LoadOrCreateKeyFile(config.server.data_dir + "/secret.key");
}

// With no API key at all, nobody could use the API: make the first admin key,
// show it once on stdout, and leave it for the CLI in client.json (0600).
// Later starts only refresh the address in client.json.
Status EnsureFirstAdminKey(ApiKeyService& keys, const std::string& data_dir,
                           const std::string& addr) {
  const std::string client_file = ClientFilePath(data_dir);
  SC_ASSIGN_OR_RETURN(int64_t existing, keys.Count());
  if (existing > 0) return UpdateClientFileAddr(client_file, addr);
  SC_ASSIGN_OR_RETURN(CreatedApiKey created,
                      keys.Create("initial admin", ApiScope::kAdmin, {"system:first-start", ""}));
  SC_RETURN_IF_ERROR(WriteClientFile(client_file, addr, created.secret));
  spdlog::info("first start: created admin API key {} ({}...), saved to {}", created.key.id,
               created.key.prefix, client_file);
  std::printf(
      "\nFirst start: created an admin API key. It is shown only this once:\n\n"
      "    %s\n\n"
      "It is also saved for the CLI in %s (mode 0600), so `spacecrab token create ...` works\n"
      "from this directory. Elsewhere:\n"
      "    export SPACECRAB_ADDR=%s SPACECRAB_API_KEY=<the key above>\n"
      "    curl -H \"Authorization: Bearer $SPACECRAB_API_KEY\" $SPACECRAB_ADDR/api/v1/tokens\n\n",
      created.secret.c_str(), client_file.c_str(), addr.c_str());
  std::fflush(stdout);
  return Status::Ok();
}

Status Serve(const Config& config, ShutdownSignals& signals) {
  const std::string& data_dir = config.server.data_dir;
  SC_RETURN_IF_ERROR(EnsureDataDir(data_dir));
  SC_ASSIGN_OR_RETURN(ListenAddress listen, SplitListen(config.server.listen));

  OpenSslRandom random;
  SystemClock clock;
  SC_ASSIGN_OR_RETURN(StoreBundle bundle, OpenStoreBundle(config.store.url));
  std::shared_ptr<Store> store = bundle.store;
  SC_ASSIGN_OR_RETURN(SecretBox secret_box, LoadSecretBox(config));

  // Alerting: sinks from [sinks.*], the incident stage that turns recorded
  // uses into incidents and outbox rows (one transaction), and the
  // dispatcher that drains the outbox. Built before anything can record a
  // use, so the first use already pages.
  alert::CurlHttpClient http({});
  SC_ASSIGN_OR_RETURN(std::vector<alert::BuiltSink> sinks,
                      alert::MakeSinks(config.sinks, {&http, &clock, ProcessEnvironment()}));
  std::vector<alert::DispatchSink> dispatch_sinks;
  std::vector<alert::StageSink> stage_sinks;
  for (const auto& b : sinks) {
    dispatch_sinks.push_back({b.sink.get(), b.policy});
    stage_sinks.push_back({b.sink->name(), b.policy.kinds});
  }
  alert::Dispatcher dispatcher({bundle.alerts.get(), &clock}, dispatch_sinks);

  AllowlistSpec allow_spec{config.incidents.allow_source_cidrs,
                           config.incidents.allow_user_agents, config.incidents.allow_token_tags};
  SC_ASSIGN_OR_RETURN(Allowlist allowlist, Allowlist::Parse(allow_spec));
  alert::IncidentStageOptions stage_options;
  stage_options.store = bundle.alerts.get();
  stage_options.clock = &clock;
  stage_options.policy.window = std::chrono::seconds(config.incidents.window_seconds);
  stage_options.policy.enumeration_min_actions = config.incidents.enumeration_min_actions;
  stage_options.policy.enumeration_min_services = config.incidents.enumeration_min_services;
  stage_options.allowlist = std::move(allowlist);
  stage_options.sinks = stage_sinks;
  stage_options.new_incident_id = [&random](Timestamp t) {
    uint8_t entropy[kIdEntropyBytes];
    random.Fill(entropy);
    return MakeId("inc", t, entropy);
  };
  stage_options.on_queued = [&dispatcher] { dispatcher.Notify(); };
  // The stage itself is made once the API's bound address (for links in
  // pages) is known; the sink holds recorded uses for the backlog until then.
  IncidentDetectionSink detections_to_incidents;

  ApiKeyService keys({store.get(), &clock, &random, std::chrono::minutes(1)});
  // Every recorded use is enriched (country, network, Tor, cloud, tool) before
  // it is stored, so events, incidents and pages carry the same picture.
  SC_ASSIGN_OR_RETURN(std::unique_ptr<enrich::Enricher> enricher,
                      enrich::EnricherFromConfig(config.enrich));

  ingest::ApiKeyPushAuthenticator push_auth(keys);
  ingest::IngestServiceOptions ingest_options;
  ingest_options.config = &config;
  ingest_options.store = store.get();
  ingest_options.clock = &clock;
  ingest_options.push_auth = &push_auth;
  ingest_options.sink = &detections_to_incidents;
  ingest_options.enricher = enricher.get();
  SC_ASSIGN_OR_RETURN(std::unique_ptr<ingest::IngestService> ingest,
                      ingest::IngestService::Create(ingest_options));

  // The decoy endpoint feeds the same pipeline as CloudTrail ingest: each
  // request becomes a CloudTrail-shaped record -> Recorder -> Store. It is
  // bound before the providers are built so that tokens carry the port it
  // really listens on (listen = "127.0.0.1:0" picks a free one).
  ingest::Recorder decoy_recorder(
      {store.get(), &detections_to_incidents, &ingest->metrics(), enricher.get()});
  decoy::StoreKeyLookup decoy_keys({store.get(), &secret_box, &clock});
  decoy::RecorderRecordSink decoy_to_pipeline(decoy_recorder);
  decoy::BufferedRecordSink decoy_records(decoy_to_pipeline, {});
  std::unique_ptr<decoy::DecoyServer> decoy_server;
  std::string decoy_url = config.decoy.endpoint_url;
  if (config.decoy.enabled) {
    decoy::DecoyServerOptions decoy_options;
    SC_RETURN_IF_ERROR(decoy::SetListenAddress(decoy_options, config.decoy.listen));
    decoy_options.tls_cert_file = config.decoy.tls_cert;
    decoy_options.tls_key_file = config.decoy.tls_key;
    decoy_options.responder.keys = &decoy_keys;
    decoy_options.responder.records = &decoy_records;
    const std::string decoy_host = decoy_options.host;
    SC_ASSIGN_OR_RETURN(decoy_server, decoy::DecoyServer::Create(std::move(decoy_options)));
    SC_RETURN_IF_ERROR(decoy_server->Start());
    const std::string bound = std::string(decoy_server->tls() ? "https://" : "http://") +
                              decoy_host + ":" + std::to_string(decoy_server->port());
    if (decoy_url.empty()) decoy_url = bound;
    spdlog::info("decoy endpoint listening on {}", bound);
    std::printf("decoy endpoint on %s\n", bound.c_str());
  }
  if (decoy_url.empty()) decoy_url = "http://" + config.decoy.listen;

  ProviderDeps deps;
  deps.secret_box = &secret_box;
  deps.random = &random;
  deps.decoy_account_id = config.decoy.account_id;
  if (deps.decoy_account_id.empty()) {
    SC_ASSIGN_OR_RETURN(deps.decoy_account_id, LoadOrCreateDecoyAccountId(data_dir, random));
  }
  deps.decoy_endpoint_url = decoy_url;
  deps.iam_intents = bundle.iam_intents.get();
  deps.store = store.get();
  deps.clock = &clock;
  deps.key_pool = bundle.key_pool.get();
  SC_ASSIGN_OR_RETURN(BuiltProviders built, BuildProviders(config, deps));
  std::vector<Provider*> provider_ptrs;
  for (auto& p : built.providers) provider_ptrs.push_back(p.get());
  // provider = "aws": reconcile IAM with the store now (what a crash left half
  // done) and every 15 minutes. Made before the API serves, so the first run
  // never touches this process's own mints.
  // One reconcile task and one safety net per account.
  std::vector<std::unique_ptr<IamMaintenance>> iam_maintenance;
  for (const BuiltAwsAccount& account : built.accounts) {
    IamMaintenanceOptions iam_options;
    iam_options.run.aws = account.aws.get();
    iam_options.run.intents = bundle.iam_intents.get();
    iam_options.run.store = store.get();
    iam_options.run.clock = &clock;
    iam_options.run.pool = bundle.key_pool.get();
    iam_options.interval = std::chrono::minutes(15);
    iam_maintenance.push_back(std::make_unique<IamMaintenance>(std::move(iam_options)));
  }
  // provider = "aws" safety net: IAM's GetAccessKeyLastUsed for active keys,
  // a few calls a second per account; a use IAM knows of but no log record
  // shows (after CloudTrail's delivery lag) is recorded as an event and pages
  // like any use.
  ingest::Recorder last_used_recorder(
      {store.get(), &detections_to_incidents, &ingest->metrics(), enricher.get()});
  std::vector<std::unique_ptr<LastUsedWatch>> last_used_watches;
  std::vector<std::unique_ptr<PeriodicTask>> last_used_tasks;
  for (const BuiltAwsAccount& account : built.accounts) {
    LastUsedWatchOptions lu;
    lu.store = store.get();
    lu.recorder = &last_used_recorder;
    lu.clock = &clock;
    AwsIam* aws = account.aws.get();
    lu.lookup = [aws](const HoneyToken& t) {
      return aws->iam->GetAccessKeyLastUsed(t.access_key_id);
    };
    lu.account_id = aws->account_id;
    lu.policy.delivery_lag = std::chrono::seconds(config.aws.last_used_lag_seconds);
    lu.sweep_interval = std::chrono::seconds(config.aws.last_used_sweep_seconds);
    last_used_watches.push_back(std::make_unique<LastUsedWatch>(std::move(lu)));
    last_used_tasks.push_back(std::make_unique<PeriodicTask>(
        "iam-last-used", std::chrono::seconds(1),
        [w = last_used_watches.back().get()] { w->Tick(); }));
  }

  TokenService tokens({store.get(), provider_ptrs, &clock, &random, 1000});

  MetricsRegistry metrics;
  metrics.AddCollector(TokenCountCollector(*store));
  metrics.AddCollector(
      [&ingest](std::string& out) { ingest->metrics().AppendPrometheus(out); });
  metrics.AddCollector(
      [&built](std::string& out) { AppendAccountMetrics(built, out); });

  ApiServerOptions server_options;
  server_options.host = listen.host;
  server_options.port = listen.port;
  server_options.threads = config.server.threads;
  server_options.max_body_bytes = config.server.max_body_bytes;
  ApiServer server(server_options, keys, metrics);

  // The server's surface, in one place. Later parts (ingest push endpoints,
  // incidents, events, reports, alert tests) mount their groups here.
  TokenRoutes token_routes(tokens);
  ApiKeyRoutes apikey_routes(keys, *store);
  SystemRoutes system_routes(
      *store, metrics, [&server]() -> const nlohmann::json& { return server.OpenApiDocument(); });
  ingest::IngestRoutes ingest_routes(ingest->push());
  enrich::ReportRoutes report_routes(*store, clock);
  for (RouteGroup* group : std::initializer_list<RouteGroup*>{
           &token_routes, &apikey_routes, &system_routes, &ingest_routes, &report_routes})
    SC_RETURN_IF_ERROR(server.Mount(*group));

  SC_ASSIGN_OR_RETURN(int port, server.Bind());
  const std::string addr = HttpUrl(listen.host, port);
  SC_RETURN_IF_ERROR(EnsureFirstAdminKey(keys, data_dir, addr));

  // Incidents: attach the stage, then page whatever was recorded without an
  // incident (a crash last time, or uses recorded before this point).
  const std::string public_url = config.server.public_url.empty() ? addr : config.server.public_url;
  stage_options.public_url = public_url;
  alert::IncidentStage stage(std::move(stage_options));
  detections_to_incidents.Attach(&stage);
  dispatcher.Start();
  // Incident, event and alert endpoints need the stage, so they are mounted
  // here (after Bind, before Run: the server is not serving yet).
  alert::AlertRoutes alert_routes({&stage, bundle.alerts.get(), store.get(), &sinks, &clock,
                                   public_url});
  SC_RETURN_IF_ERROR(server.Mount(alert_routes));
  metrics.AddCollector(AlertMetrics(stage, dispatcher, sinks));
  auto process_backlog = [&stage] {
    auto done = stage.ProcessBacklog();
    if (!done.ok())
      spdlog::warn("incident backlog: {}", done.status().ToString());
    else if (*done > 0)
      spdlog::info("incident backlog: {} recorded use(s) grouped and queued", *done);
  };
  process_backlog();
  PeriodicTask backlog("incident-backlog", kBacklogInterval, process_backlog);
  backlog.Start();

  PeriodicTask expiry("token-expiry", kExpiryInterval, [&tokens, &clock] {
    auto expired = tokens.ExpireDue(clock.Now());
    if (!expired.ok())
      spdlog::warn("token expiry: {}", expired.status().ToString());
    else if (*expired > 0)
      spdlog::info("token expiry: {} token(s) expired", *expired);
  });
  expiry.Start();
  PeriodicTask enrich_reload("enrich-reload", std::chrono::seconds(60),
                             [&enricher] { (void)enricher->ReloadIfChanged(); });
  enrich_reload.Start();
  for (auto& m : iam_maintenance) m->Start();
  // Warm pools load the keys they kept and refill in the background.
  SC_RETURN_IF_ERROR(built.StartPools());
  for (auto& t : last_used_tasks) t->Start();
  ingest->Start();

  signals.Watch(
      [&server](int sig) {
        spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
        server.Stop();
      },
      [&sinks] {
        spdlog::info("received SIGHUP, reopening alert files");
        for (const auto& b : sinks)
          if (b.jsonl != nullptr) b.jsonl->Reopen();
      });

  spdlog::info("decoy account {}; provider {}; store {}; alert sinks: {}", deps.decoy_account_id,
               config.provider, config.store.url.substr(0, config.store.url.find(':')),
               [&sinks] {
                 std::string names;
                 for (const auto& b : sinks) names += (names.empty() ? "" : ", ") + b.sink->name();
                 return names;
               }());
  spdlog::info("listening on {}", addr);
  std::printf("listening on %s\n", addr.c_str());
  std::fflush(stdout);

  Status served = server.Run();
  // AWS calls still in flight (a pool refill, a reconcile) are abandoned: an
  // endpoint that stopped answering must not hold the shutdown for its 30 s
  // timeouts and their retries. An interrupted IAM change is finished or
  // undone from the intent log at the next start, as after a crash.
  for (const BuiltAwsAccount& account : built.accounts)
    if (account.aws) account.aws->transport->Cancel();
  if (decoy_server) decoy_server->Stop();
  decoy_records.Flush();
  ingest->Stop();
  expiry.Stop();
  enrich_reload.Stop();
  for (auto& t : last_used_tasks) t->Stop();
  for (auto& m : iam_maintenance) m->Stop();
  backlog.Stop();
  // In-flight sends finish; rows still pending stay in the outbox for the
  // next start.
  dispatcher.Stop();
  detections_to_incidents.Attach(nullptr);
  spdlog::info("stopped");
  return served;
}

}  // namespace

int RunServe(const Config& config) {
  ShutdownSignals signals;  // before any thread starts
  SetupLogging();
  Status status = Serve(config, signals);
  if (!status.ok()) {
    spdlog::error("serve: {}", status.ToString());
    std::fprintf(stderr, "spacecrab: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace spacecrab
