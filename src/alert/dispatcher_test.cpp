#include "alert/dispatcher.h"

#include <gtest/gtest.h>

#include <thread>

#include "alert/alert_testing.h"
#include "alert/memory_alert_store.h"

namespace spacecrab::alert {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RecordingSink;
using testing::SampleAlert;

const Timestamp kT0 = *ParseRfc3339("2026-11-23T17:00:00Z");

// Queues rows as the incident stage would: one commit per call.
void Queue(MemoryAlertStore& store, const std::string& incident, AlertKind kind,
           const std::vector<std::string>& sinks, Timestamp now, int64_t count = 1) {
  IncidentCommit c;
  c.incident.id = incident;
  c.incident.token_id = "tok_01";
  for (const auto& s : sinks) {
    OutboxRow r;
    r.incident_id = incident;
    r.sink = s;
    r.kind = kind;
    Alert a = SampleAlert(incident);
    a.incident.event_count = count;
    r.payload = AlertToJson(a);
    r.created_at = r.next_attempt_at = now;
    c.outbox.push_back(r);
  }
  ASSERT_TRUE(store.CommitIncidents(std::span<const IncidentCommit>(&c, 1)).ok());
}

DeliveryPolicy Fast() {
  DeliveryPolicy p;
  p.retry_initial = seconds(1);
  p.retry_max = seconds(8);
  p.max_age = std::chrono::minutes(10);
  p.update_interval = seconds(0);
  return p;
}

std::vector<std::string> Trace(const RecordingSink& s) {
  std::vector<std::string> out;
  for (const auto& m : s.delivered()) {
    out.push_back(m.dedup_key + ":" + std::string(ToString(m.kind)));
  }
  return out;
}

struct Fixture {
  MemoryAlertStore store;
  ManualClock clock{kT0};
  RecordingSink sink{"pager"};
  std::unique_ptr<Dispatcher> d;
  explicit Fixture(DeliveryPolicy p = Fast()) {
    DispatcherOptions o;
    o.store = &store;
    o.clock = &clock;
    o.seed = 7;
    d = std::make_unique<Dispatcher>(o, std::vector<DispatchSink>{{&sink, p}});
  }
  // Runs the dispatcher, advancing the clock a second at a time, for `secs`.
  void RunFor(int secs) {
    for (int i = 0; i <= secs; ++i) {
      ASSERT_TRUE(d->RunOnce().ok());
      clock.Advance(seconds(1));
    }
  }
};

TEST(Dispatcher, DeliversEveryIncidentInOrder) {
  Fixture f;
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  Queue(f.store, "inc_A", AlertKind::kUpdate, {"pager"}, kT0);
  Queue(f.store, "inc_B", AlertKind::kTrigger, {"pager"}, kT0);
  Queue(f.store, "inc_A", AlertKind::kResolve, {"pager"}, kT0);
  ASSERT_TRUE(f.d->RunOnce().ok());
  auto t = Trace(f.sink);
  ASSERT_EQ(t.size(), 4u);
  std::vector<std::string> a;
  for (const auto& x : t)
    if (x.rfind("inc_A", 0) == 0) a.push_back(x);
  EXPECT_EQ(a, (std::vector<std::string>{"inc_A:trigger", "inc_A:update", "inc_A:resolve"}));
  EXPECT_EQ(f.d->Stats("pager").sent, 4);
  auto pending = f.store.ListOutbox({OutboxState::kPending, "", "", 0, 100});
  EXPECT_TRUE(pending->empty());
}

TEST(Dispatcher, SinkDownForAWhileThenEverythingArrivesInOrder) {
  Fixture f;
  bool down = true;
  f.sink.SetFailure(
      [&](const AlertMessage&) { return down ? Unavailable("connection refused") : Status::Ok(); });
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  Queue(f.store, "inc_B", AlertKind::kTrigger, {"pager"}, kT0);
  Queue(f.store, "inc_A", AlertKind::kUpdate, {"pager"}, kT0);
  Queue(f.store, "inc_A", AlertKind::kResolve, {"pager"}, kT0);
  f.RunFor(30);
  EXPECT_TRUE(f.sink.delivered().empty());
  auto rows = f.store.ListOutbox({OutboxState::kPending, "", "", 0, 100});
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_GE((*rows)[0].attempts, 4);  // backoff 1,2,4,8,8.. with jitter over 30s
  EXPECT_EQ((*rows)[2].attempts, 0);  // queued behind inc_A's trigger: never tried
  EXPECT_NE((*rows)[0].last_error.find("connection refused"), std::string::npos);
  down = false;
  f.RunFor(10);
  EXPECT_EQ(Trace(f.sink), (std::vector<std::string>{"inc_A:trigger", "inc_B:trigger",
                                                     "inc_A:update", "inc_A:resolve"}));
  EXPECT_GT(f.sink.delivered()[0].attempt, 1);
}

TEST(Dispatcher, BackoffDoublesUpToTheCap) {
  DeliveryPolicy p = Fast();
  EXPECT_EQ(Dispatcher::BaseBackoff(p, 1), seconds(1));
  EXPECT_EQ(Dispatcher::BaseBackoff(p, 2), seconds(2));
  EXPECT_EQ(Dispatcher::BaseBackoff(p, 4), seconds(8));
  EXPECT_EQ(Dispatcher::BaseBackoff(p, 40), seconds(8));
}

TEST(Dispatcher, FinalErrorDeadLettersAndTheIncidentMovesOn) {
  Fixture f;
  f.sink.SetFailure([](const AlertMessage& m) {
    return m.kind == AlertKind::kTrigger ? FailedPrecondition("HTTP 400 invalid routing key")
                                         : Status::Ok();
  });
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  Queue(f.store, "inc_A", AlertKind::kResolve, {"pager"}, kT0);
  ASSERT_TRUE(f.d->RunOnce().ok());
  auto dead = f.store.ListOutbox({OutboxState::kDead, "", "", 0, 100});
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("invalid routing key"), std::string::npos);
  EXPECT_EQ(Trace(f.sink), std::vector<std::string>{"inc_A:resolve"});
  EXPECT_EQ(f.sink.attempts(), 2);  // no retry of the final failure
  EXPECT_EQ(f.store.RequeueDead({std::nullopt, "pager", "", 0, 100}, kT0).value(), 1);
}

TEST(Dispatcher, GivesUpAtMaxAge) {
  DeliveryPolicy p = Fast();
  p.max_age = seconds(20);
  Fixture f(p);
  f.sink.SetFailure([](const AlertMessage&) { return Unavailable("timeout"); });
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  f.RunFor(30);
  auto dead = f.store.ListOutbox({OutboxState::kDead, "", "", 0, 100});
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("timeout"), std::string::npos);
  EXPECT_EQ(f.d->Stats("pager").dead, 1);
}

TEST(Dispatcher, StormOfUpdatesCoalescesAndIsRateLimitedPerIncident) {
  DeliveryPolicy p = Fast();
  p.update_interval = seconds(60);
  Fixture f(p);
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  for (int i = 2; i <= 50; ++i) Queue(f.store, "inc_A", AlertKind::kUpdate, {"pager"}, kT0, i);
  f.RunFor(59);
  EXPECT_EQ(Trace(f.sink), std::vector<std::string>{"inc_A:trigger"});
  f.RunFor(2);
  ASSERT_EQ(Trace(f.sink), (std::vector<std::string>{"inc_A:trigger", "inc_A:update"}));
  EXPECT_EQ(f.sink.delivered()[1].alert.incident.event_count, 50);  // the newest picture
  // More activity later: one more update after the interval, never more.
  for (int i = 51; i <= 60; ++i)
    Queue(f.store, "inc_A", AlertKind::kUpdate, {"pager"}, f.clock.Now(), i);
  f.RunFor(120);
  ASSERT_EQ(f.sink.delivered().size(), 3u);
  EXPECT_EQ(f.sink.delivered()[2].alert.incident.event_count, 60);
  EXPECT_TRUE(f.store.ListOutbox({OutboxState::kPending, "", "", 0, 100})->empty());
}

TEST(Dispatcher, ResolveDoesNotWaitBehindAHeldBackUpdate) {
  DeliveryPolicy p = Fast();
  p.update_interval = seconds(60);
  Fixture f(p);
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  ASSERT_TRUE(f.d->RunOnce().ok());
  f.clock.Advance(seconds(1));
  Queue(f.store, "inc_A", AlertKind::kUpdate, {"pager"}, f.clock.Now(), 2);
  ASSERT_TRUE(f.d->RunOnce().ok());  // the update is held back by update_interval
  Queue(f.store, "inc_A", AlertKind::kResolve, {"pager"}, f.clock.Now());
  // What IncidentStage::Resolve does after queuing the resolve.
  ASSERT_EQ(*f.store.SupersedeUpdates("inc_A", f.clock.Now()), 1);
  f.RunFor(2);  // well inside the interval
  EXPECT_EQ(Trace(f.sink), (std::vector<std::string>{"inc_A:trigger", "inc_A:resolve"}));
  EXPECT_TRUE(f.store.ListOutbox({OutboxState::kPending, "", "", 0, 100})->empty());
}

TEST(Dispatcher, SinkRateLimitDefersWithoutCountingAttempts) {
  DeliveryPolicy p = Fast();
  p.rate_per_second = 1;
  Fixture f(p);
  for (int i = 0; i < 5; ++i)
    Queue(f.store, "inc_" + std::to_string(i), AlertKind::kTrigger, {"pager"}, kT0);
  ASSERT_TRUE(f.d->RunOnce().ok());
  EXPECT_EQ(f.sink.delivered().size(), 1u);
  f.clock.Advance(milliseconds(1001));
  ASSERT_TRUE(f.d->RunOnce().ok());
  EXPECT_EQ(f.sink.delivered().size(), 2u);
  f.RunFor(10);
  EXPECT_EQ(f.sink.delivered().size(), 5u);
  for (const auto& m : f.sink.delivered()) EXPECT_EQ(m.attempt, 1);
}

TEST(Dispatcher, LapsedClaimIsSentAgainWithTheSameDedupKey) {
  Fixture f;
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  // A sender claimed the row and died before marking it sent.
  auto claimed = f.store.ClaimDue("pager", kT0, seconds(40), 10);
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(f.d->RunOnce().ok());
  EXPECT_TRUE(f.sink.delivered().empty());  // still leased
  f.clock.Advance(seconds(41));
  ASSERT_TRUE(f.d->RunOnce().ok());
  ASSERT_EQ(f.sink.delivered().size(), 1u);
  EXPECT_EQ(f.sink.delivered()[0].dedup_key, "inc_A");
}

TEST(Dispatcher, SkipsKindsTheSinkDoesNotTake) {
  DeliveryPolicy p = Fast();
  p.kinds = {AlertKind::kTrigger};
  Fixture f(p);
  Queue(f.store, "inc_A", AlertKind::kTrigger, {"pager"}, kT0);
  Queue(f.store, "inc_A", AlertKind::kUpdate, {"pager"}, kT0);
  ASSERT_TRUE(f.d->RunOnce().ok());
  EXPECT_EQ(Trace(f.sink), std::vector<std::string>{"inc_A:trigger"});
}

TEST(Dispatcher, OneStuckSinkNeverBlocksAnother) {
  MemoryAlertStore store;
  SystemClock clock;
  RecordingSink stuck("stuck"), fine("fine");
  stuck.SetFailure([](const AlertMessage&) {
    std::this_thread::sleep_for(milliseconds(1500));  // a peer that never answers
    return Unavailable("timed out");
  });
  DispatcherOptions o;
  o.store = &store;
  o.clock = &clock;
  Dispatcher d(o, {{&stuck, Fast()}, {&fine, Fast()}});
  d.Start();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    Queue(store, "inc_" + std::to_string(i), AlertKind::kTrigger, {"stuck", "fine"}, clock.Now());
    d.Notify();
  }
  EXPECT_TRUE(fine.WaitDelivered(20, seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1400));
  d.Stop();
  EXPECT_EQ(fine.delivered().size(), 20u);
  EXPECT_TRUE(stuck.delivered().empty());
}

TEST(Dispatcher, ConcurrentWorkersKeepPerIncidentOrder) {
  MemoryAlertStore store;
  SystemClock clock;
  RecordingSink sink("pager");
  sink.SetFailure([](const AlertMessage&) {
    std::this_thread::sleep_for(milliseconds(2));
    return Status::Ok();
  });
  DeliveryPolicy p = Fast();
  p.workers = 4;
  DispatcherOptions o;
  o.store = &store;
  o.clock = &clock;
  Dispatcher d(o, {{&sink, p}});
  for (int i = 0; i < 10; ++i) {
    const std::string id = "inc_" + std::to_string(i);
    Queue(store, id, AlertKind::kTrigger, {"pager"}, clock.Now());
    Queue(store, id, AlertKind::kResolve, {"pager"}, clock.Now());
  }
  d.Start();
  ASSERT_TRUE(sink.WaitDelivered(20, seconds(10)));
  d.Stop();
  std::map<std::string, std::vector<AlertKind>> per;
  for (const auto& m : sink.delivered()) per[m.dedup_key].push_back(m.kind);
  ASSERT_EQ(per.size(), 10u);
  for (const auto& [id, kinds] : per) {
    EXPECT_EQ(kinds, (std::vector<AlertKind>{AlertKind::kTrigger, AlertKind::kResolve})) << id;
  }
}

}  // namespace
}  // namespace spacecrab::alert
