#include "alert/incident_stage.h"

#include <gtest/gtest.h>

#include "alert/alert_json.h"
#include "alert/alert_testing.h"
#include "alert/dispatcher.h"
#include "alert/memory_alert_store.h"

namespace spacecrab::alert {
namespace {

using std::chrono::seconds;

const Timestamp kT0 = *ParseRfc3339("2026-11-23T17:00:00Z");

HoneyToken Tok(const std::string& id) {
  HoneyToken t;
  t.id = id;
  t.kind = TokenKind::kAws;
  t.location = "placement-" + id;
  t.owner = "alice";
  t.created_at = kT0 - std::chrono::hours(24);
  return t;
}

Event Ev(const std::string& id, const std::string& token, const std::string& ip, Timestamp at,
         const std::string& name = "GetCallerIdentity",
         const std::string& source = "sts.amazonaws.com") {
  Event e;
  e.id = id;
  e.token_id = token;
  e.source_ip = ip;
  e.event_time = at;
  e.event_source = source;
  e.event_name = name;
  e.user_agent = "aws-cli/2";
  e.enrichment_json = R"({"country":"NL","tool":{"family":"aws-cli","version":"2"}})";
  return e;
}

struct Fixture {
  MemoryAlertStore store;
  ManualClock clock{kT0};
  int ids = 0;
  int notified = 0;
  std::unique_ptr<IncidentStage> stage;
  explicit Fixture(Allowlist allow = {}) {
    store.PutToken(Tok("tok_a"));
    store.PutToken(Tok("tok_b"));
    IncidentStageOptions o;
    o.store = &store;
    o.clock = &clock;
    o.allowlist = std::move(allow);
    o.public_url = "https://sc.example.com";
    o.sinks = {{"pager", {AlertKind::kTrigger, AlertKind::kUpdate, AlertKind::kResolve}},
               {"mail", {AlertKind::kTrigger}}};
    o.new_incident_id = [this](Timestamp) { return "inc_" + std::to_string(++ids); };
    o.on_queued = [this] { ++notified; };
    stage = std::make_unique<IncidentStage>(std::move(o));
  }
  std::vector<OutboxRow> Rows(const std::string& sink = "") {
    return store.ListOutbox({std::nullopt, sink, "", 0, 100000}).value();
  }
};

TEST(IncidentStage, FirstEventOpensIncidentAndQueuesATriggerPerSink) {
  Fixture f;
  std::vector<Event> batch = {Ev("e1", "tok_a", "203.0.113.9", kT0)};
  ASSERT_TRUE(f.stage->OnEvents(batch).ok());
  auto rows = f.Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, AlertKind::kTrigger);
  EXPECT_EQ(rows[0].incident_id, "inc_1");
  EXPECT_EQ(f.store.EventIncident("e1"), "inc_1");
  auto alert = AlertFromJson(rows[0].payload);
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(alert->token.location, "placement-tok_a");
  EXPECT_EQ(alert->source.country, "NL");
  EXPECT_EQ(alert->source.tool, "aws-cli 2");
  EXPECT_EQ(alert->dashboard_url, "https://sc.example.com/incidents/inc_1");
  EXPECT_EQ(f.notified, 1);
}

TEST(IncidentStage, StormBecomesOneIncidentPerTokenAndSource) {
  Fixture f;
  std::vector<std::string> ips = {"203.0.113.1", "203.0.113.2", "2001:db8::7"};
  int n = 0;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Event> events;
    for (int i = 0; i < 150; ++i, ++n) {
      events.push_back(
          Ev("e" + std::to_string(n), n % 2 ? "tok_a" : "tok_b", ips[n % 3],
             kT0 + std::chrono::milliseconds(n * 10),
             (n / 6) % 5 == 0 ? "List" + std::to_string((n / 6) % 7) : "GetCallerIdentity",
             (n / 6) % 5 == 0 ? "iam.amazonaws.com" : "sts.amazonaws.com"));
    }
    ASSERT_TRUE(f.stage->OnEvents(events).ok());
  }
  auto page = f.store.ListIncidents({std::nullopt, "", "", 100});
  ASSERT_EQ(page->items.size(), 6u);  // 2 tokens x 3 sources
  int64_t total = 0;
  for (const auto& inc : page->items) {
    total += inc.event_count;
    EXPECT_EQ(inc.profile, IncidentProfile::kEnumeration);
  }
  EXPECT_EQ(total, 3000);
  auto mail = f.Rows("mail");
  EXPECT_EQ(mail.size(), 6u);  // mail only takes triggers: one per incident
  auto pager = f.Rows("pager");
  int triggers = 0;
  for (const auto& r : pager) triggers += r.kind == AlertKind::kTrigger;
  EXPECT_EQ(triggers, 6);
  // Updates only when an incident learned a new action: bounded by distinct actions.
  EXPECT_LE(pager.size(), 6u + 6u * 7u);
}

TEST(IncidentStage, SecondSourceOfAUsedTokenIsRepeatActivity) {
  Fixture f;
  std::vector<Event> batch = {Ev("e1", "tok_a", "203.0.113.9", kT0),
                              Ev("e2", "tok_a", "198.51.100.1", kT0 + seconds(5))};
  ASSERT_TRUE(f.stage->OnEvents(batch).ok());
  auto first = f.store.GetIncident("inc_1"), second = f.store.GetIncident("inc_2");
  EXPECT_EQ(first->trigger, IncidentTrigger::kFirstUse);
  EXPECT_EQ(second->trigger, IncidentTrigger::kRepeatUse);
}

TEST(IncidentStage, AllowlistedSourceIsRecordedWithReasonButQueuesNothing) {
  AllowlistSpec spec;
  spec.source_cidrs = {"203.0.113.0/24 # red team"};
  Fixture f(*Allowlist::Parse(spec));
  std::vector<Event> batch = {Ev("e1", "tok_a", "203.0.113.9", kT0)};
  ASSERT_TRUE(f.stage->OnEvents(batch).ok());
  EXPECT_TRUE(f.Rows().empty());
  auto inc = f.store.GetIncident("inc_1");
  ASSERT_TRUE(inc.ok());
  EXPECT_TRUE(inc->allowlisted);
  EXPECT_EQ(inc->allowlist_reason, "source 203.0.113.0/24 (red team)");
  EXPECT_EQ(f.stage->Stats().allowlisted_events, 1);
  EXPECT_EQ(f.notified, 0);
}

TEST(IncidentStage, ResolveSupersedesQueuedUpdatesSoItIsNotHeldBack) {
  Fixture f;
  std::vector<Event> first = {Ev("e1", "tok_a", "203.0.113.9", kT0)};
  ASSERT_TRUE(f.stage->OnEvents(first).ok());
  std::vector<Event> more = {Ev("e2", "tok_a", "203.0.113.9", kT0 + seconds(5), "ListUsers",
                                "iam.amazonaws.com")};
  ASSERT_TRUE(f.stage->OnEvents(more).ok());
  int updates = 0;
  for (const auto& r : f.Rows("pager")) updates += r.kind == AlertKind::kUpdate;
  ASSERT_EQ(updates, 1);
  ASSERT_TRUE(f.stage->Resolve("inc_1", "cli:local").ok());
  for (const auto& r : f.Rows("pager")) {
    if (r.kind == AlertKind::kUpdate) {
      EXPECT_EQ(r.state, OutboxState::kSent);
      EXPECT_EQ(r.last_error, "superseded by resolve");
    } else {
      EXPECT_EQ(r.state, OutboxState::kPending);  // trigger and resolve still go out
    }
  }
}

TEST(IncidentStage, ResolveQueuesResolvesOnlyForSinksThatTakeThem) {
  Fixture f;
  std::vector<Event> batch = {Ev("e1", "tok_a", "203.0.113.9", kT0)};
  ASSERT_TRUE(f.stage->OnEvents(batch).ok());
  auto acked = f.stage->Acknowledge("inc_1", "apikey:key_1");
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(acked->status, IncidentStatus::kAcknowledged);
  EXPECT_EQ(f.Rows().size(), 2u);
  auto resolved = f.stage->Resolve("inc_1", "cli:local");
  ASSERT_TRUE(resolved.ok());
  auto pager = f.Rows("pager");
  ASSERT_EQ(pager.size(), 2u);
  EXPECT_EQ(pager[1].kind, AlertKind::kResolve);
  EXPECT_EQ(f.Rows("mail").size(), 1u);
  EXPECT_EQ(f.stage->Resolve("inc_1", "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.stage->Acknowledge("inc_nope", "x").status().code(), StatusCode::kNotFound);
  // After resolution the same source opens a new incident.
  std::vector<Event> again = {Ev("e2", "tok_a", "203.0.113.9", kT0 + seconds(60))};
  ASSERT_TRUE(f.stage->OnEvents(again).ok());
  EXPECT_EQ(f.store.EventIncident("e2"), "inc_2");
}

TEST(IncidentStage, FailedCommitIsPickedUpByTheBacklogSweep) {
  Fixture f;
  Event e = Ev("e1", "tok_a", "203.0.113.9", kT0);
  f.store.PutEvent(e);  // recorded by ingest
  f.store.FailNextCommits(1);
  std::vector<Event> batch = {e};
  EXPECT_EQ(f.stage->OnEvents(batch).code(), StatusCode::kUnavailable);
  EXPECT_TRUE(f.Rows().empty());
  EXPECT_EQ(f.store.EventIncident("e1"), "");
  auto swept = f.stage->ProcessBacklog();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(f.store.EventIncident("e1"), "inc_2");  // id 1 was burnt by the failed try
  EXPECT_EQ(f.Rows().size(), 2u);
  EXPECT_EQ(*f.stage->ProcessBacklog(), 0);
}

TEST(IncidentStage, UnknownTokenIsCountedNotFatal) {
  Fixture f;
  std::vector<Event> batch = {Ev("e1", "tok_gone", "203.0.113.9", kT0),
                              Ev("e2", "tok_a", "203.0.113.9", kT0)};
  ASSERT_TRUE(f.stage->OnEvents(batch).ok());
  EXPECT_EQ(f.stage->Stats().unknown_token_events, 1);
  EXPECT_EQ(f.store.EventIncident("e2"), "inc_1");
}

TEST(IncidentStage, EndToEndThroughTheDispatcherPagesOncePerIncident) {
  Fixture f;
  testing::RecordingSink pager("pager"), mail("mail");
  DeliveryPolicy p;
  p.update_interval = seconds(60);
  DispatcherOptions o;
  o.store = &f.store;
  o.clock = &f.clock;
  Dispatcher d(o, {{&pager, p}, {&mail, p}});
  for (int i = 0; i < 500; ++i) {
    std::vector<Event> one = {Ev("e" + std::to_string(i), i % 2 ? "tok_a" : "tok_b", "203.0.113.9",
                                 kT0 + seconds(i / 10), "Call" + std::to_string(i % 25),
                                 "iam.amazonaws.com")};
    ASSERT_TRUE(f.stage->OnEvents(one).ok());
    if (i % 10 == 0) {
      ASSERT_TRUE(d.RunOnce().ok());
      f.clock.Advance(seconds(1));
    }
  }
  for (int s = 0; s < 120; ++s) {
    ASSERT_TRUE(d.RunOnce().ok());
    f.clock.Advance(seconds(1));
  }
  std::map<std::string, int> triggers;
  for (const auto& m : pager.delivered()) triggers[m.dedup_key] += m.kind == AlertKind::kTrigger;
  EXPECT_EQ(triggers, (std::map<std::string, int>{{"inc_1", 1}, {"inc_2", 1}}));
  // 50s of activity + 120s drain with a 60s interval: at most 3 updates each.
  EXPECT_LE(pager.delivered().size(), 2u + 2u * 3u);
  EXPECT_EQ(mail.delivered().size(), 2u);
  EXPECT_TRUE(f.store.ListOutbox({OutboxState::kPending, "", "", 0, 100})->empty());
  // The last page carries the final picture.
  EXPECT_EQ(pager.delivered().back().alert.incident.actions.size(), 25u);
}

}  // namespace
}  // namespace spacecrab::alert
