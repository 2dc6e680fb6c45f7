// AlertRoutes' handlers called directly (no socket) over an in-memory SQLite
// store shared by Store and AlertStore, with a real IncidentStage.
#include "alert/alert_routes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "alert/alert_testing.h"
#include "core/ids.h"
#include "store/store_factory.h"

namespace spacecrab::alert {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Timestamp kT0 = *ParseRfc3339("2026-03-01T10:00:00Z");

std::string Id(std::string_view prefix, Timestamp t, uint8_t n) {
  std::array<uint8_t, kIdEntropyBytes> entropy{};
  entropy.back() = n;
  return MakeId(prefix, t, entropy);
}

HoneyToken Token(int n) {
  HoneyToken t;
  t.id = Id("tok", kT0 - std::chrono::hours(24), uint8_t(n));
  t.kind = TokenKind::kDecoy;
  t.access_key_id = "AKIAAAAAAAAAAAAAAAA" + std::string(1, char('A' + n));
  t.account_id = "123456789012";
  t.user_name = "svc-" + std::to_string(n);
  t.arn = "arn:aws:iam::123456789012:user/svc-" + std::to_string(n);
  t.location = "laptop-00" + std::to_string(n) + ":~/Downloads";
  t.owner = "owner-" + std::to_string(n);
  t.created_at = t.issued_at = kT0 - std::chrono::hours(24);
  t.sealed_secret = "v1.sealed";
  return t;
}

struct Fixture {
  StoreBundle db;
  ManualClock clock{kT0 + std::chrono::hours(1)};
  std::unique_ptr<IncidentStage> stage;
  std::vector<BuiltSink> sinks;
  std::unique_ptr<AlertRoutes> group;
  std::vector<Route> routes;
  HoneyToken tok_a = Token(1), tok_b = Token(2);
  int next_incident = 0;

  Fixture() {
    auto opened = OpenStoreBundle("sqlite::memory:");
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(opened).value();
    EXPECT_TRUE(db.store->InsertTokens(std::vector<HoneyToken>{tok_a, tok_b}).ok());
    IncidentStageOptions o;
    o.store = db.alerts.get();
    o.clock = &clock;
    o.sinks = {{"pager", {AlertKind::kTrigger, AlertKind::kUpdate, AlertKind::kResolve}},
               {"mail", {AlertKind::kTrigger}}};
    // Increasing ids, as ULIDs made at increasing times are.
    o.new_incident_id = [this](Timestamp) { return Id("inc", kT0, uint8_t(++next_incident)); };
    stage = std::make_unique<IncidentStage>(std::move(o));
    Mount();
  }

  void Mount() {
    group = std::make_unique<AlertRoutes>(AlertRoutesDeps{
        stage.get(), db.alerts.get(), db.store.get(), &sinks, &clock, "https://sc.example.com"});
    routes = group->Routes();
  }

  Event Ev(const std::string& id, const HoneyToken& t, const std::string& ip, Timestamp at,
           const std::string& name = "GetCallerIdentity",
           const std::string& source = "sts.amazonaws.com") {
    Event e;
    e.id = id;
    e.token_id = t.id;
    e.access_key_id = t.access_key_id;
    e.event_time = at;
    e.event_source = source;
    e.event_name = name;
    e.aws_region = "us-east-1";
    e.source_ip = ip;
    e.user_agent = "aws-cli/2.15.0";
    e.origin = "decoy";
    e.received_at = at + seconds(1);
    return e;
  }

  void Ingest(const std::vector<Event>& events) {
    auto fresh = db.store->RecordEvents(events);
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    ASSERT_TRUE(stage->OnEvents(events).ok());
  }

  ApiResponse Call(const std::string& method, const std::string& pattern,
                   std::multimap<std::string, std::string> query = {},
                   std::map<std::string, std::string> params = {}, std::string body = "") {
    for (const Route& r : routes) {
      if (r.method != method || r.pattern != pattern) continue;
      ApiRequest req;
      req.method = method;
      req.route = pattern;
      req.path_params = std::move(params);
      req.query = std::move(query);
      req.body = std::move(body);
      req.remote_addr = "127.0.0.1";
      ApiKey key;
      key.id = "key_test";
      key.scope = ApiScope::kAdmin;
      req.caller = key;
      return r.handler(req);
    }
    ADD_FAILURE() << "no route " << method << " " << pattern;
    return {};
  }
  ApiResponse OnIncident(const std::string& method, const std::string& suffix,
                         const std::string& id) {
    return Call(method, "/api/v1/incidents/{id}" + suffix, {}, {{"id", id}});
  }
};

json Body(const ApiResponse& r) { return json::parse(r.body); }

// A 400 whose detail starts with the parameter's name.
void ExpectBadParam(const ApiResponse& r, const std::string& param) {
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(Body(r).value("detail", "").rfind(param + ":", 0), 0u) << r.body;
}

std::vector<std::string> Ids(const json& list) {
  std::vector<std::string> ids;
  for (const auto& i : list["items"]) ids.push_back(i["id"]);
  return ids;
}

TEST(AlertRoutes, ListsIncidentsNewestFirstWithFiltersAndPaging) {
  Fixture f;
  f.Ingest({f.Ev("e1", f.tok_a, "203.0.113.1", kT0)});
  f.Ingest({f.Ev("e2", f.tok_a, "203.0.113.2", kT0 + seconds(1))});
  f.Ingest({f.Ev("e3", f.tok_b, "203.0.113.1", kT0 + seconds(2))});
  const std::string i1 = Id("inc", kT0, 1), i2 = Id("inc", kT0, 2), i3 = Id("inc", kT0, 3);

  auto all = f.Call("GET", "/api/v1/incidents");
  ASSERT_EQ(all.status, 200) << all.body;
  json doc = Body(all);
  EXPECT_EQ(Ids(doc), (std::vector<std::string>{i3, i2, i1}));
  EXPECT_TRUE(doc["next_cursor"].is_null());
  const json& first = doc["items"][2];
  EXPECT_EQ(first["token_id"], f.tok_a.id);
  EXPECT_EQ(first["status"], "open");
  EXPECT_EQ(first["source_ip"], "203.0.113.1");
  EXPECT_EQ(first["first_seen"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(first["event_count"], 1);
  EXPECT_EQ(first["actions"], json::array({"sts:GetCallerIdentity"}));
  EXPECT_EQ(first["services"], json::array({"sts"}));
  EXPECT_EQ(first["severity"], "critical");
  EXPECT_EQ(first["profile"], "single probe");
  EXPECT_EQ(first["trigger"], "first_use");
  EXPECT_EQ(first["paged"], true);
  EXPECT_TRUE(first["acknowledged_at"].is_null());
  EXPECT_TRUE(first["allowlist_reason"].is_null());

  EXPECT_EQ(Ids(Body(f.Call("GET", "/api/v1/incidents", {{"token_id", f.tok_a.id}}))),
            (std::vector<std::string>{i2, i1}));
  EXPECT_EQ(Ids(Body(f.Call("GET", "/api/v1/incidents", {{"status", "resolved"}}))).size(), 0u);

  json page1 = Body(f.Call("GET", "/api/v1/incidents", {{"limit", "2"}}));
  EXPECT_EQ(Ids(page1), (std::vector<std::string>{i3, i2}));
  ASSERT_TRUE(page1["next_cursor"].is_string());
  json page2 = Body(f.Call("GET", "/api/v1/incidents",
                           {{"limit", "2"}, {"cursor", page1["next_cursor"].get<std::string>()}}));
  EXPECT_EQ(Ids(page2), (std::vector<std::string>{i1}));
  EXPECT_TRUE(page2["next_cursor"].is_null());

  ExpectBadParam(f.Call("GET", "/api/v1/incidents", {{"status", "closed"}}), "status");
  ExpectBadParam(f.Call("GET", "/api/v1/incidents", {{"token_id", "x' OR 1=1"}}), "token_id");
  ExpectBadParam(f.Call("GET", "/api/v1/incidents", {{"limit", "0"}}), "limit");
  ExpectBadParam(f.Call("GET", "/api/v1/incidents", {{"cursor", "abc"}}), "cursor");
  ExpectBadParam(f.Call("GET", "/api/v1/incidents", {{"status", "open"}, {"status", "open"}}),
                 "status");
}

TEST(AlertRoutes, ShowCarriesTokenAndEventsNewestFirst) {
  Fixture f;
  Event e1 = f.Ev("e1", f.tok_a, "198.51.100.7", kT0);
  e1.enrichment_json = R"({"country":"NL","tor_exit":true})";
  Event e2 =
      f.Ev("e2", f.tok_a, "198.51.100.7", kT0 + seconds(5), "ListUsers", "iam.amazonaws.com");
  e2.error_code = "AccessDenied";
  e2.enrichment_json = "";
  f.Ingest({e1});
  f.Ingest({e2});
  const std::string id = Id("inc", kT0, 1);

  auto r = f.OnIncident("GET", "", id);
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = Body(r);
  EXPECT_EQ(doc["id"], id);
  EXPECT_EQ(doc["event_count"], 2);
  EXPECT_EQ(doc["actions"], json::array({"sts:GetCallerIdentity", "iam:ListUsers"}));
  EXPECT_EQ(doc["token"]["id"], f.tok_a.id);
  EXPECT_EQ(doc["token"]["location"], f.tok_a.location);
  EXPECT_EQ(doc["token"]["owner"], f.tok_a.owner);
  EXPECT_FALSE(doc["token"].contains("sealed_secret"));
  ASSERT_EQ(doc["events"].size(), 2u);
  EXPECT_EQ(doc["events_truncated"], false);
  const json& newest = doc["events"][0];
  EXPECT_EQ(newest["id"], "e2");
  EXPECT_EQ(newest["event_name"], "ListUsers");
  EXPECT_EQ(newest["error_code"], "AccessDenied");
  EXPECT_EQ(newest["incident_id"], id);
  EXPECT_EQ(newest["enrichment"], json::object());
  const json& oldest = doc["events"][1];
  EXPECT_EQ(oldest["id"], "e1");
  EXPECT_EQ(oldest["token_id"], f.tok_a.id);
  EXPECT_EQ(oldest["access_key_id"], f.tok_a.access_key_id);
  EXPECT_EQ(oldest["event_time"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(oldest["event_source"], "sts.amazonaws.com");
  EXPECT_EQ(oldest["aws_region"], "us-east-1");
  EXPECT_EQ(oldest["source_ip"], "198.51.100.7");
  EXPECT_EQ(oldest["user_agent"], "aws-cli/2.15.0");
  EXPECT_TRUE(oldest["error_code"].is_null());
  EXPECT_EQ(oldest["enrichment"]["country"], "NL");
  EXPECT_EQ(oldest["enrichment"]["tor_exit"], true);
  EXPECT_FALSE(oldest.contains("raw"));
}

TEST(AlertRoutes, ShowCapsAStormAtItsNewestEvents) {
  Fixture f;
  std::vector<Event> storm;
  // Arrival order differs from event time: the newest by time come first.
  for (int i = 1199; i >= 0; --i)
    storm.push_back(f.Ev("e" + std::to_string(i), f.tok_a, "203.0.113.9", kT0 + seconds(i)));
  f.Ingest(storm);
  json doc = Body(f.OnIncident("GET", "", Id("inc", kT0, 1)));
  EXPECT_EQ(doc["event_count"], 1200);
  ASSERT_EQ(doc["events"].size(), 500u);
  EXPECT_EQ(doc["events_truncated"], true);
  for (size_t k = 0; k < 500; ++k)
    EXPECT_EQ(doc["events"][k]["id"], "e" + std::to_string(1199 - k));
}

TEST(AlertRoutes, AcknowledgeThenResolveQueuesResolvesForSinksThatPaged) {
  Fixture f;
  f.Ingest({f.Ev("e1", f.tok_a, "203.0.113.1", kT0)});
  const std::string id = Id("inc", kT0, 1);

  auto ack = f.OnIncident("POST", "/ack", id);
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(Body(ack)["status"], "acknowledged");
  EXPECT_EQ(Body(ack)["acknowledged_by"], "apikey:key_test");
  EXPECT_EQ(Body(ack)["acknowledged_at"], FormatRfc3339(f.clock.Now()));
  EXPECT_EQ(f.OnIncident("POST", "/ack", id).status, 200);  // again: no change, no error

  f.clock.Advance(seconds(30));
  auto resolved = f.OnIncident("POST", "/resolve", id);
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(Body(resolved)["status"], "resolved");
  EXPECT_EQ(Body(resolved)["resolved_by"], "apikey:key_test");

  auto rows = f.db.alerts->ListOutbox({std::nullopt, "", id, 0, 100}).value();
  std::vector<std::pair<std::string, AlertKind>> kinds;
  for (const auto& r : rows) kinds.emplace_back(r.sink, r.kind);
  // mail takes triggers only; pager gets its resolve.
  EXPECT_EQ(kinds,
            (std::vector<std::pair<std::string, AlertKind>>{{"pager", AlertKind::kTrigger},
                                                            {"mail", AlertKind::kTrigger},
                                                            {"pager", AlertKind::kResolve}}));

  auto again = f.OnIncident("POST", "/ack", id);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.content_type, "application/problem+json");
  EXPECT_EQ(f.OnIncident("POST", "/resolve", id).status, 409);
  EXPECT_EQ(Body(f.Call("GET", "/api/v1/incidents", {{"status", "resolved"}}))["items"].size(), 1u);

  auto audit = f.db.store->ListAudit(10, 0).value();
  std::vector<std::string> actions;
  for (const auto& a : audit) actions.push_back(a.action + " " + a.object_id + " " + a.actor);
  EXPECT_NE(
      std::find(actions.begin(), actions.end(), "incident.resolve " + id + " apikey:key_test"),
      actions.end());
  EXPECT_NE(
      std::find(actions.begin(), actions.end(), "incident.acknowledge " + id + " apikey:key_test"),
      actions.end());
}

TEST(AlertRoutes, UnknownOrMalformedIncidentsAre404) {
  Fixture f;
  const std::string missing = Id("inc", kT0, 77);
  for (const char* suffix : {"", "/ack", "/resolve"}) {
    const std::string method = *suffix ? "POST" : "GET";
    EXPECT_EQ(f.OnIncident(method, suffix, missing).status, 404) << suffix;
    EXPECT_EQ(f.OnIncident(method, suffix, "inc_../../etc").status, 404) << suffix;
  }
  auto body = f.Call("POST", "/api/v1/incidents/{id}/ack", {}, {{"id", missing}}, R"({"x":1})");
  EXPECT_EQ(body.status, 400);
}

TEST(AlertRoutes, ListsEventsWithFiltersAndPaging) {
  Fixture f;
  f.Ingest({f.Ev("a1", f.tok_a, "203.0.113.1", kT0),
            f.Ev("a2", f.tok_a, "203.0.113.1", kT0 + seconds(10))});
  f.Ingest({f.Ev("b1", f.tok_b, "203.0.113.1", kT0 + seconds(20))});
  f.Ingest({f.Ev("a3", f.tok_a, "203.0.113.2", kT0 + seconds(30))});

  EXPECT_EQ(Ids(Body(f.Call("GET", "/api/v1/events"))),
            (std::vector<std::string>{"a1", "a2", "b1", "a3"}));
  EXPECT_EQ(Ids(Body(f.Call("GET", "/api/v1/events", {{"token_id", f.tok_a.id}}))),
            (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(Ids(Body(f.Call("GET", "/api/v1/events", {{"incident_id", Id("inc", kT0, 1)}}))),
            (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(
      Ids(Body(f.Call("GET", "/api/v1/events",
                      {{"since", "2026-03-01T10:00:10Z"}, {"until", "2026-03-01T10:00:30Z"}}))),
      (std::vector<std::string>{"a2", "b1"}));

  json page1 = Body(f.Call("GET", "/api/v1/events", {{"limit", "3"}}));
  EXPECT_EQ(Ids(page1).size(), 3u);
  ASSERT_TRUE(page1["next_cursor"].is_string());
  json page2 = Body(f.Call("GET", "/api/v1/events",
                           {{"limit", "3"}, {"cursor", page1["next_cursor"].get<std::string>()}}));
  EXPECT_EQ(Ids(page2), (std::vector<std::string>{"a3"}));
  EXPECT_TRUE(page2["next_cursor"].is_null());

  ExpectBadParam(f.Call("GET", "/api/v1/events", {{"since", "yesterday"}}), "since");
  ExpectBadParam(f.Call("GET", "/api/v1/events", {{"until", "2026-13-01"}}), "until");
  ExpectBadParam(f.Call("GET", "/api/v1/events", {{"incident_id", "tok_x"}}), "incident_id");
  ExpectBadParam(f.Call("GET", "/api/v1/events", {{"token_id", "inc_x"}}), "token_id");
  ExpectBadParam(f.Call("GET", "/api/v1/events", {{"cursor", "e1"}}), "cursor");
  ExpectBadParam(f.Call("GET", "/api/v1/events", {{"limit", "1001"}}), "limit");
}

TEST(AlertRoutes, OutboxListsRowsWithoutPayloadAndRetriesDeadOnes) {
  Fixture f;
  f.Ingest({f.Ev("e1", f.tok_a, "203.0.113.1", kT0)});
  f.Ingest({f.Ev("e2", f.tok_b, "203.0.113.1", kT0)});
  auto rows = f.db.alerts->ListOutbox({std::nullopt, "", "", 0, 100}).value();
  ASSERT_EQ(rows.size(), 4u);  // 2 incidents x (pager, mail)
  ASSERT_TRUE(
      f.db.alerts->MarkDead(rows[0].id, f.clock.Now(), "HTTP 400 from events.example").ok());
  ASSERT_TRUE(f.db.alerts->MarkSent(rows[1].id, f.clock.Now()).ok());

  json all = Body(f.Call("GET", "/api/v1/alerts/outbox"));
  ASSERT_EQ(all["items"].size(), 4u);
  for (const auto& r : all["items"]) EXPECT_FALSE(r.contains("payload")) << r;
  const json& dead = all["items"][0];
  EXPECT_EQ(dead["id"], rows[0].id);
  EXPECT_EQ(dead["incident_id"], rows[0].incident_id);
  EXPECT_EQ(dead["sink"], "pager");
  EXPECT_EQ(dead["kind"], "trigger");
  EXPECT_EQ(dead["state"], "dead");
  EXPECT_EQ(dead["last_error"], "HTTP 400 from events.example");
  EXPECT_TRUE(dead["created_at"].is_string());
  EXPECT_TRUE(dead["next_attempt_at"].is_string());
  EXPECT_EQ(all["items"][1]["state"], "sent");
  EXPECT_TRUE(all["items"][1]["sent_at"].is_string());
  EXPECT_TRUE(all["items"][2]["last_error"].is_null());

  EXPECT_EQ(Body(f.Call("GET", "/api/v1/alerts/outbox", {{"state", "pending"}}))["items"].size(),
            2u);
  EXPECT_EQ(Body(f.Call("GET", "/api/v1/alerts/outbox", {{"sink", "mail"}}))["items"].size(), 2u);
  EXPECT_EQ(
      Body(f.Call("GET", "/api/v1/alerts/outbox", {{"incident_id", rows[3].incident_id}}))["items"]
          .size(),
      2u);
  json page1 = Body(f.Call("GET", "/api/v1/alerts/outbox", {{"limit", "3"}}));
  ASSERT_EQ(page1["items"].size(), 3u);
  ASSERT_TRUE(page1["next_cursor"].is_string());
  json page2 = Body(f.Call("GET", "/api/v1/alerts/outbox",
                           {{"limit", "3"}, {"cursor", page1["next_cursor"].get<std::string>()}}));
  EXPECT_EQ(page2["items"].size(), 1u);
  EXPECT_TRUE(page2["next_cursor"].is_null());
  ExpectBadParam(f.Call("GET", "/api/v1/alerts/outbox", {{"state", "failed"}}), "state");
  ExpectBadParam(f.Call("GET", "/api/v1/alerts/outbox", {{"sink", "a b"}}), "sink");
  ExpectBadParam(f.Call("GET", "/api/v1/alerts/outbox", {{"cursor", "-3"}}), "cursor");

  // Retry of another sink's dead rows finds none; then the pager's.
  auto none = f.Call("POST", "/api/v1/alerts/outbox/retry", {}, {}, R"({"sink":"mail"})");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(Body(none)["requeued"], 0);
  auto retried = f.Call("POST", "/api/v1/alerts/outbox/retry", {}, {}, "");
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(Body(retried)["requeued"], 1);
  EXPECT_TRUE(Body(f.Call("GET", "/api/v1/alerts/outbox", {{"state", "dead"}}))["items"].empty());
  EXPECT_EQ(Body(f.Call("GET", "/api/v1/alerts/outbox", {{"state", "pending"}}))["items"][0]["id"],
            rows[0].id);
  ExpectBadParam(f.Call("POST", "/api/v1/alerts/outbox/retry", {}, {}, R"({"incident_id":"x"})"),
                 "incident_id");
  EXPECT_EQ(f.Call("POST", "/api/v1/alerts/outbox/retry", {}, {}, R"({"state":"sent"})").status,
            400);
}

TEST(AlertRoutes, TestAlertGoesThroughEverySinkOrOne) {
  Fixture f;
  const auto path = std::filesystem::temp_directory_path() /
                    ("alert_routes_test_" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  EXPECT_EQ(f.Call("POST", "/api/v1/alerts/test", {}, {}, "").status, 409);  // no sinks

  SystemClock clock;
  testing::ScriptedHttpClient http;
  auto built = MakeSinks(
      {{"file", "jsonl", {{"path", path.string()}}}, {"screen", "console", {{"stream", "stderr"}}}},
      SinkDeps{&http, &clock, {}});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  f.sinks = std::move(built).value();
  auto failing = std::make_unique<testing::RecordingSink>("broken");
  failing->SetFailure(
      [](const AlertMessage&) { return Unavailable("connect to 192.0.2.1 timed out"); });
  f.sinks.push_back(BuiltSink{std::move(failing), {}, nullptr});

  auto one = f.Call("POST", "/api/v1/alerts/test", {}, {}, R"({"sink":"file"})");
  ASSERT_EQ(one.status, 200) << one.body;
  json doc = Body(one);
  EXPECT_EQ(doc["ok"], true);
  ASSERT_EQ(doc["items"].size(), 1u);
  EXPECT_EQ(doc["items"][0]["sink"], "file");
  EXPECT_EQ(doc["items"][0]["type"], "jsonl");
  EXPECT_TRUE(doc["items"][0]["error"].is_null());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("[TEST]"), std::string::npos) << text.str();

  auto every = f.Call("POST", "/api/v1/alerts/test", {}, {}, R"({"resolve":false})");
  ASSERT_EQ(every.status, 200) << every.body;
  doc = Body(every);
  EXPECT_EQ(doc["ok"], false);
  ASSERT_EQ(doc["items"].size(), 3u);
  EXPECT_EQ(doc["items"][1]["sink"], "screen");
  EXPECT_EQ(doc["items"][1]["ok"], true);
  EXPECT_EQ(doc["items"][2]["sink"], "broken");
  EXPECT_EQ(doc["items"][2]["ok"], false);
  EXPECT_EQ(doc["items"][2]["error"], "connect to 192.0.2.1 timed out");

  auto unknown = f.Call("POST", "/api/v1/alerts/test", {}, {}, R"({"sink":"nope"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(Body(unknown)["detail"].get<std::string>().find("nope"), std::string::npos);
  ExpectBadParam(f.Call("POST", "/api/v1/alerts/test", {}, {}, R"({"sink":"a/b"})"), "sink");
  EXPECT_EQ(f.Call("POST", "/api/v1/alerts/test", {}, {}, R"({"sinks":"file"})").status, 400);
  std::filesystem::remove(path);
}

TEST(AlertRoutes, DocumentsEveryRouteWithSchemasThatExist) {
  Fixture f;
  const json schemas = f.group->Schemas();
  std::vector<std::string> seen;
  for (const Route& r : f.routes) {
    seen.push_back(r.method + " " + r.pattern);
    EXPECT_FALSE(r.doc.summary.empty()) << r.pattern;
    ASSERT_TRUE(r.scope.has_value());
    EXPECT_EQ(*r.scope, r.method == "GET" ? ApiScope::kRead : ApiScope::kAdmin) << r.pattern;
    std::string ref = r.doc.response_schema.value("$ref", "");
    if (!ref.empty()) {
      EXPECT_TRUE(schemas.contains(ref.substr(21))) << ref;
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "GET /api/v1/incidents", "GET /api/v1/incidents/{id}",
                      "POST /api/v1/incidents/{id}/ack", "POST /api/v1/incidents/{id}/resolve",
                      "GET /api/v1/events", "GET /api/v1/alerts/outbox",
                      "POST /api/v1/alerts/outbox/retry", "POST /api/v1/alerts/test"}));
}

}  // namespace
}  // namespace spacecrab::alert
