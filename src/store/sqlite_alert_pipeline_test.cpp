// The alert module's own pipeline — IncidentStage and Dispatcher — running on
// SqliteAlertStore instead of the in-memory store: the cases of
// src/alert/incident_stage_test.cpp and dispatcher_test.cpp that depend on
// storage, plus a crash between recording and committing.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "alert/alert_json.h"
#include "alert/alert_testing.h"
#include "alert/dispatcher.h"
#include "alert/incident_stage.h"
#include "store/store_factory.h"
#include "store/store_test_util.h"

namespace spacecrab {
namespace {

using alert::Dispatcher;
using alert::IncidentStage;
using alert::OutboxState;
using alert::testing::RecordingSink;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Timestamp kT0 = testing::T0();
const HoneyToken kTokA = testing::MakeToken(1);
const HoneyToken kTokB = testing::MakeToken(2);

Event Ev(const std::string& id, const HoneyToken& token, const std::string& ip, Timestamp at,
         const std::string& name = "GetCallerIdentity",
         const std::string& source = "sts.amazonaws.com") {
  Event e = testing::MakeEvent(token, id, 0);
  e.source_ip = ip;
  e.event_time = at;
  e.event_name = name;
  e.event_source = source;
  return e;
}

// A store file, the two tokens, and an incident stage on it.
struct Pipeline {
  testing::TempDir dir;
  StoreBundle db;
  ManualClock clock{kT0};
  int ids = 0;
  std::unique_ptr<IncidentStage> stage;

  Pipeline() {
    Open();
    EXPECT_TRUE(db.store->InsertTokens(std::vector<HoneyToken>{kTokA, kTokB}).ok());
  }
  // (Re)opens the file and builds a fresh stage, as a restarted process does.
  void Open() {
    stage.reset();
    db = {};
    auto opened = OpenStoreBundle("sqlite:" + dir.File("spacecrab.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db = std::move(opened).value();
    alert::IncidentStageOptions o;
    o.store = db.alerts.get();
    o.clock = &clock;
    o.public_url = "https://sc.example.com";
    o.sinks = {{"pager", {AlertKind::kTrigger, AlertKind::kUpdate, AlertKind::kResolve}},
               {"mail", {AlertKind::kTrigger}}};
    o.new_incident_id = [this](Timestamp) { return "inc_" + std::to_string(++ids); };
    stage = std::make_unique<IncidentStage>(std::move(o));
  }
  // What ingest does: record, then hand the new events to the stage.
  void Ingest(const std::vector<Event>& events) {
    auto fresh = db.store->RecordEvents(events);
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    const Status st = stage->OnEvents(events);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::vector<alert::OutboxRow> Rows(const std::string& sink = "") {
    return db.alerts->ListOutbox({std::nullopt, sink, "", 0, 100000}).value();
  }
};

TEST(SqliteAlertPipeline, StormBecomesOneIncidentPerTokenAndSource) {
  Pipeline p;
  const std::vector<std::string> ips = {"203.0.113.1", "203.0.113.2", "2001:db8::7"};
  int n = 0;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<Event> events;
    for (int i = 0; i < 150; ++i, ++n) {
      const bool iam = (n / 6) % 5 == 0;
      events.push_back(Ev("e" + std::to_string(n), n % 2 ? kTokA : kTokB, ips[n % 3],
                          kT0 + milliseconds(n * 10),
                          iam ? "List" + std::to_string((n / 6) % 7) : "GetCallerIdentity",
                          iam ? "iam.amazonaws.com" : "sts.amazonaws.com"));
    }
    p.Ingest(events);
  }
  auto page = p.db.alerts->ListIncidents({std::nullopt, "", "", 100});
  ASSERT_EQ(page->items.size(), 6u);  // 2 tokens x 3 sources
  int64_t total = 0;
  for (const auto& inc : page->items) {
    total += inc.event_count;
    EXPECT_EQ(inc.profile, IncidentProfile::kEnumeration);
  }
  EXPECT_EQ(total, 3000);
  EXPECT_TRUE(p.db.alerts->ListUnassignedEvents(10)->empty());
  EXPECT_EQ(p.Rows("mail").size(), 6u);  // mail only takes triggers
  int triggers = 0;
  for (const auto& r : p.Rows("pager")) triggers += r.kind == AlertKind::kTrigger;
  EXPECT_EQ(triggers, 6);
  EXPECT_LE(p.Rows("pager").size(), 6u + 6u * 7u);
}

TEST(SqliteAlertPipeline, EndToEndThroughTheDispatcherPagesOncePerIncident) {
  Pipeline p;
  RecordingSink pager("pager"), mail("mail");
  alert::DeliveryPolicy policy;
  policy.update_interval = seconds(60);
  alert::DispatcherOptions o;
  o.store = p.db.alerts.get();
  o.clock = &p.clock;
  Dispatcher d(o, {{&pager, policy}, {&mail, policy}});
  for (int i = 0; i < 500; ++i) {
    p.Ingest({Ev("e" + std::to_string(i), i % 2 ? kTokA : kTokB, "203.0.113.9",
                 kT0 + seconds(i / 10), "Call" + std::to_string(i % 25), "iam.amazonaws.com")});
    if (i % 10 == 0) {
      ASSERT_TRUE(d.RunOnce().ok());
      p.clock.Advance(seconds(1));
    }
  }
  for (int s = 0; s < 120; ++s) {
    ASSERT_TRUE(d.RunOnce().ok());
    p.clock.Advance(seconds(1));
  }
  std::map<std::string, int> triggers;
  for (const auto& m : pager.delivered()) triggers[m.dedup_key] += m.kind == AlertKind::kTrigger;
  EXPECT_EQ(triggers, (std::map<std::string, int>{{"inc_1", 1}, {"inc_2", 1}}));
  EXPECT_LE(pager.delivered().size(), 2u + 2u * 3u);
  EXPECT_EQ(mail.delivered().size(), 2u);
  EXPECT_TRUE(p.db.alerts->ListOutbox({OutboxState::kPending, "", "", 0, 100})->empty());
  EXPECT_EQ(pager.delivered().back().alert.incident.actions.size(), 25u);
}

TEST(SqliteAlertPipeline, ConcurrentWorkersKeepPerIncidentOrder) {
  Pipeline p;
  SystemClock clock;
  RecordingSink sink("pager");
  sink.SetFailure([](const alert::AlertMessage&) {
    std::this_thread::sleep_for(milliseconds(2));
    return Status::Ok();
  });
  alert::DeliveryPolicy policy;
  policy.workers = 4;
  policy.update_interval = seconds(0);
  alert::DispatcherOptions o;
  o.store = p.db.alerts.get();
  o.clock = &clock;
  o.poll_interval = milliseconds(20);
  Dispatcher d(o, {{&sink, policy}});
  for (int i = 0; i < 10; ++i) {
    const std::string id = "inc_x" + std::to_string(i);
    Incident inc;
    inc.id = id;
    inc.token_id = kTokA.id;
    inc.source_ip = "198.51.100." + std::to_string(i);
    std::vector<alert::OutboxRow> rows;
    for (AlertKind kind : {AlertKind::kTrigger, AlertKind::kResolve}) {
      alert::OutboxRow r;
      r.incident_id = id;
      r.sink = "pager";
      r.kind = kind;
      r.payload = AlertToJson(alert::testing::SampleAlert(id));
      r.created_at = r.next_attempt_at = clock.Now();
      rows.push_back(r);
    }
    alert::IncidentCommit c{inc, {}, rows};
    ASSERT_TRUE(p.db.alerts->CommitIncidents(std::span<const alert::IncidentCommit>(&c, 1)).ok());
  }
  d.Start();
  ASSERT_TRUE(sink.WaitDelivered(20, seconds(20)));
  d.Stop();
  std::map<std::string, std::vector<AlertKind>> per;
  for (const auto& m : sink.delivered()) per[m.dedup_key].push_back(m.kind);
  ASSERT_EQ(per.size(), 10u);
  for (const auto& [id, kinds] : per) {
    EXPECT_EQ(kinds, (std::vector<AlertKind>{AlertKind::kTrigger, AlertKind::kResolve})) << id;
  }
  EXPECT_EQ(sink.delivered().size(), 20u);  // nothing twice
}

TEST(SqliteAlertPipeline, EventsRecordedBeforeACrashPageAfterRestart) {
  Pipeline p;
  // Ingest recorded them; the process died before the incident stage ran.
  ASSERT_TRUE(p.db.store
                  ->RecordEvents(std::vector<Event>{Ev("e1", kTokA, "203.0.113.9", kT0),
                                                    Ev("e2", kTokA, "203.0.113.9", kT0)})
                  .ok());
  p.Open();
  auto swept = p.stage->ProcessBacklog();
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(*swept, 2);
  EXPECT_EQ(p.db.store->GetEvent("e2")->incident_id, "inc_1");
  EXPECT_EQ(p.Rows().size(), 2u);  // one trigger per sink
  EXPECT_EQ(*p.stage->ProcessBacklog(), 0);
  // Resolved through the lifecycle, across another restart.
  p.Open();
  auto resolved = p.stage->Resolve("inc_1", "cli:local");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  auto pager = p.Rows("pager");
  ASSERT_EQ(pager.size(), 2u);
  EXPECT_EQ(pager[1].kind, AlertKind::kResolve);
  EXPECT_EQ(p.db.alerts->GetIncident("inc_1")->status, IncidentStatus::kResolved);
}

}  // namespace
}  // namespace spacecrab
