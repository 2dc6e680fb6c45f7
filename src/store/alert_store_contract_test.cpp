// The AlertStore contract (alert/alert_store.h), run case for case against the
// reference MemoryAlertStore and SqliteAlertStore. The first cases are the
// alert module's own contract cases (src/alert/alert_store_contract_test.cpp);
// the rest pin down the remaining behaviour of the in-memory reference.
#include <gtest/gtest.h>

#include <memory>

#include "alert/memory_alert_store.h"
#include "store/sqlite_alert_store.h"
#include "store/store_factory.h"
#include "store/store_test_util.h"

namespace spacecrab {
namespace {

using alert::AlertStore;
using alert::IncidentCommit;
using alert::OutboxRow;
using alert::OutboxState;
using std::chrono::seconds;

const Timestamp kT0 = testing::T0();
const HoneyToken kTokA = testing::MakeToken(1);
const HoneyToken kTokB = testing::MakeToken(2);
constexpr const char* kIp = "203.0.113.9";

// One implementation plus what its tests need besides the interface.
struct Backend {
  virtual ~Backend() = default;
  virtual AlertStore& store() = 0;
  virtual void AddToken(const HoneyToken& t) = 0;
  virtual void AddEvent(const Event& e) = 0;
};

struct MemoryBackend final : Backend {
  alert::MemoryAlertStore s;
  AlertStore& store() override { return s; }
  void AddToken(const HoneyToken& t) override { s.PutToken(t); }
  void AddEvent(const Event& e) override { s.PutEvent(e); }
};

struct SqliteBackend final : Backend {
  testing::TempDir dir;
  StoreBundle bundle;
  SqliteBackend() {
    auto opened = OpenStoreBundle("sqlite:" + dir.File("alerts.db"));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    bundle = std::move(opened).value();
  }
  AlertStore& store() override { return *bundle.alerts; }
  void AddToken(const HoneyToken& t) override {
    ASSERT_TRUE(bundle.store->InsertTokens(std::span<const HoneyToken>(&t, 1)).ok());
  }
  void AddEvent(const Event& e) override {
    ASSERT_TRUE(bundle.store->RecordEvents(std::span<const Event>(&e, 1)).ok());
  }
};

class AlertStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      b_ = std::make_unique<MemoryBackend>();
    } else {
      b_ = std::make_unique<SqliteBackend>();
    }
    b_->AddToken(kTokA);
    b_->AddToken(kTokB);
  }
  AlertStore& s() { return b_->store(); }

  static Incident Inc(const std::string& id, const HoneyToken& token = kTokA) {
    Incident i;
    i.id = id;
    i.token_id = token.id;
    i.source_ip = kIp;
    i.first_seen = i.last_seen = kT0;
    i.created_at = i.updated_at = kT0;
    i.event_count = 1;
    i.actions = {"sts:GetCallerIdentity"};
    i.services = {"sts"};
    i.paged = true;
    return i;
  }
  static OutboxRow Row(const std::string& incident, const std::string& sink, AlertKind kind,
                       const std::string& payload = "{}", Timestamp due = kT0) {
    OutboxRow r;
    r.incident_id = incident;
    r.sink = sink;
    r.kind = kind;
    r.payload = payload;
    r.created_at = kT0;
    r.next_attempt_at = due;
    return r;
  }
  void Commit(IncidentCommit c) {
    const Status st = s().CommitIncidents(std::span<const IncidentCommit>(&c, 1));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // Queues one row for an existing-or-new incident `id` of token A.
  void Queue(const std::string& id, const std::string& sink, AlertKind kind,
             const std::string& payload = "{}", Timestamp due = kT0) {
    Commit({Inc(id), {}, {Row(id, sink, kind, payload, due)}});
  }
  std::vector<OutboxRow> Outbox(std::optional<OutboxState> state = std::nullopt,
                                const std::string& sink = "", const std::string& incident = "") {
    auto rows = s().ListOutbox({state, sink, incident, 0, 1000});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<OutboxRow>{};
  }
  std::vector<OutboxRow> Claim(const std::string& sink, Timestamp now, int limit = 10) {
    auto rows = s().ClaimDue(sink, now, seconds(30), limit);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<OutboxRow>{};
  }

  std::unique_ptr<Backend> b_;
};

// ---- the alert module's contract cases --------------------------------------

TEST_P(AlertStoreContract, IncidentRoundTripsEveryField) {
  Incident i = Inc("inc_1");
  i.status = IncidentStatus::kResolved;
  i.first_seen = kT0 - seconds(90);
  i.last_seen = kT0 + seconds(3);
  i.event_count = 4711;
  i.actions = {"sts:GetCallerIdentity", "iam:ListUsers", "s3:ListBuckets"};
  i.services = {"sts", "iam", "s3"};
  i.acknowledged_at = kT0 + seconds(5);
  i.acknowledged_by = "apikey:key_1";
  i.resolved_at = kT0 + seconds(6);
  i.resolved_by = "cli:local";
  i.actions_truncated = true;
  i.trigger = IncidentTrigger::kRetiredTokenUse;
  i.retired_token = true;
  i.allowlisted = true;
  i.allowlist_reason = "source 203.0.113.0/24 (red team)";
  i.severity = IncidentSeverity::kInfo;
  i.profile = IncidentProfile::kEnumeration;
  i.last_event_id = "ev-9";
  i.created_at = kT0 - seconds(80);
  i.updated_at = kT0 + seconds(7);
  Commit({i, {}, {}});
  auto got = s().GetIncident("inc_1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->token_id, kTokA.id);
  EXPECT_EQ(got->source_ip, kIp);
  EXPECT_EQ(got->status, IncidentStatus::kResolved);
  EXPECT_EQ(got->first_seen, i.first_seen);
  EXPECT_EQ(got->last_seen, i.last_seen);
  EXPECT_EQ(got->event_count, 4711);
  EXPECT_EQ(got->acknowledged_at, i.acknowledged_at);
  EXPECT_EQ(got->acknowledged_by, "apikey:key_1");
  EXPECT_EQ(got->resolved_at, i.resolved_at);
  EXPECT_EQ(got->resolved_by, "cli:local");
  EXPECT_EQ(got->actions, i.actions);
  EXPECT_EQ(got->services, i.services);
  EXPECT_TRUE(got->actions_truncated);
  EXPECT_EQ(got->trigger, IncidentTrigger::kRetiredTokenUse);
  EXPECT_TRUE(got->retired_token && got->allowlisted && got->paged);
  EXPECT_EQ(got->allowlist_reason, i.allowlist_reason);
  EXPECT_EQ(got->severity, IncidentSeverity::kInfo);
  EXPECT_EQ(got->profile, IncidentProfile::kEnumeration);
  EXPECT_EQ(got->last_event_id, "ev-9");
  EXPECT_EQ(got->created_at, i.created_at);
  EXPECT_EQ(got->updated_at, i.updated_at);
  EXPECT_EQ(s().GetIncident("inc_x").status().code(), StatusCode::kNotFound);
}

TEST_P(AlertStoreContract, FindsTheOpenIncidentOfTokenAndSource) {
  Incident old = Inc("inc_1");
  old.status = IncidentStatus::kResolved;
  Commit({old, {}, {}});
  EXPECT_FALSE(s().FindOpenIncident(kTokA.id, kIp)->has_value());
  Commit({Inc("inc_2"), {}, {}});
  auto open = s().FindOpenIncident(kTokA.id, kIp);
  ASSERT_TRUE(open.ok() && open->has_value());
  EXPECT_EQ((*open)->id, "inc_2");
  EXPECT_FALSE(s().FindOpenIncident(kTokA.id, "198.51.100.1")->has_value());
  EXPECT_FALSE(s().FindOpenIncident(kTokB.id, kIp)->has_value());
  auto page = s().ListIncidents({std::nullopt, "", "", 1});
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "inc_2");  // newest first
  auto next = s().ListIncidents({std::nullopt, "", page->next_cursor, 10});
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_EQ(next->items[0].id, "inc_1");
  EXPECT_EQ(s().ListIncidents({IncidentStatus::kResolved, "", "", 10})->items.size(), 1u);
}

TEST_P(AlertStoreContract, CommitAssignsEventsAndBacklogListsTheRest) {
  b_->AddEvent(testing::MakeEvent(kTokA, "e1", 1));
  b_->AddEvent(testing::MakeEvent(kTokA, "e2", 2));
  b_->AddEvent(testing::MakeEvent(kTokB, "e3", 0));
  Commit({Inc("inc_1"), {"e1"}, {Row("inc_1", "pager", AlertKind::kTrigger)}});
  auto left = s().ListUnassignedEvents(10);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ((*left)[0].id, "e2");  // recording order, not event time
  EXPECT_EQ((*left)[0].source_ip, "203.0.113.7");
  EXPECT_EQ((*left)[0].event_name, "GetCallerIdentity");
  EXPECT_EQ((*left)[1].id, "e3");
  EXPECT_EQ(s().ListUnassignedEvents(1)->size(), 1u);
  EXPECT_TRUE(s().ListUnassignedEvents(0)->empty());
}

TEST_P(AlertStoreContract, ClaimsHeadOfEachIncidentInOrderWithALease) {
  Commit({Inc("inc_1"),
          {},
          {Row("inc_1", "pager", AlertKind::kTrigger), Row("inc_1", "mail", AlertKind::kTrigger)}});
  Queue("inc_1", "pager", AlertKind::kResolve);
  Commit({Inc("inc_2", kTokB), {}, {Row("inc_2", "pager", AlertKind::kTrigger)}});
  auto first = Claim("pager", kT0);
  ASSERT_EQ(first.size(), 2u);  // inc_1's resolve waits behind its trigger
  EXPECT_EQ(first[0].incident_id, "inc_1");
  EXPECT_EQ(first[0].kind, AlertKind::kTrigger);
  EXPECT_EQ(first[0].next_attempt_at, kT0 + seconds(30));  // the lease
  EXPECT_EQ(first[0].state, OutboxState::kPending);
  EXPECT_EQ(first[1].incident_id, "inc_2");
  EXPECT_LT(first[0].id, first[1].id);
  EXPECT_TRUE(Claim("pager", kT0 + seconds(29)).empty());    // leased
  EXPECT_EQ(Claim("pager", kT0 + seconds(31)).size(), 2u);  // lapsed
  ASSERT_TRUE(s().MarkSent(first[0].id, kT0 + seconds(32)).ok());
  auto next = Claim("pager", kT0 + seconds(62));
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].kind, AlertKind::kResolve);
  EXPECT_EQ(Claim("mail", kT0).size(), 1u);
}

TEST_P(AlertStoreContract, RetryDeadAndRequeue) {
  Queue("inc_1", "pager", AlertKind::kTrigger);
  const int64_t id = Claim("pager", kT0).at(0).id;
  ASSERT_TRUE(s().MarkRetry(id, kT0 + seconds(5), "HTTP 503", true).ok());
  ASSERT_TRUE(s().MarkRetry(id, kT0 + seconds(6), "", false).ok());  // a deferral
  auto rows = Outbox(OutboxState::kPending, "pager");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_EQ(rows[0].last_error, "HTTP 503");
  EXPECT_EQ(rows[0].next_attempt_at, kT0 + seconds(6));
  ASSERT_TRUE(s().MarkDead(id, kT0 + seconds(7), "gave up").ok());
  auto dead = Outbox(OutboxState::kDead, "", "inc_1");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 2);
  EXPECT_EQ(dead[0].last_error, "gave up");
  EXPECT_EQ(dead[0].sent_at, kT0 + seconds(7));
  EXPECT_TRUE(Claim("pager", kT0 + seconds(60)).empty());
  EXPECT_EQ(s().RequeueDead({std::nullopt, "pager", "", 0, 10}, kT0 + seconds(8)).value(), 1);
  auto again = Claim("pager", kT0 + seconds(8));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 0);
}

TEST_P(AlertStoreContract, CoalescesARunOfUpdatesIntoTheNewest) {
  Queue("inc_1", "pager", AlertKind::kUpdate, R"({"n":1})");
  Queue("inc_1", "pager", AlertKind::kUpdate, R"({"n":2})");
  Queue("inc_1", "mail", AlertKind::kUpdate, R"({"other sink":true})");
  Queue("inc_1", "pager", AlertKind::kUpdate, R"({"n":3})");
  Queue("inc_1", "pager", AlertKind::kResolve);
  Queue("inc_1", "pager", AlertKind::kUpdate, R"({"n":5})");
  auto head = Claim("pager", kT0).at(0);
  auto newest = s().CoalesceUpdates(head, kT0 + seconds(1), seconds(30));
  ASSERT_TRUE(newest.ok()) << newest.status().ToString();
  EXPECT_EQ(newest->payload, R"({"n":3})");  // not past the resolve
  EXPECT_EQ(newest->next_attempt_at, kT0 + seconds(31));  // claimed like head
  EXPECT_EQ(newest->state, OutboxState::kPending);
  auto sent = Outbox(OutboxState::kSent);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].id, head.id);
  EXPECT_EQ(sent[0].last_error, "superseded by #" + std::to_string(newest->id));
  EXPECT_EQ(sent[1].last_error, sent[0].last_error);
  EXPECT_EQ(sent[1].sent_at, kT0 + seconds(1));
  EXPECT_EQ(Outbox(OutboxState::kPending, "mail").size(), 1u);  // other sinks untouched
  ASSERT_TRUE(s().MarkSent(newest->id, kT0).ok());
  auto resolve = Claim("pager", kT0).at(0);
  EXPECT_EQ(resolve.kind, AlertKind::kResolve);
  EXPECT_EQ(s().CoalesceUpdates(resolve, kT0, seconds(30))->id, resolve.id);
}

// ---- the rest of the reference behaviour --------------------------------------

TEST_P(AlertStoreContract, QueuedRowsBelongToTheirCommitsIncident) {
  OutboxRow stray = Row("", "pager", AlertKind::kTrigger);
  OutboxRow wrong = Row("inc_other", "mail", AlertKind::kTrigger);
  Commit({Inc("inc_1"), {}, {stray, wrong}});
  auto rows = Outbox();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.incident_id, "inc_1");
    EXPECT_EQ(r.state, OutboxState::kPending);
    EXPECT_EQ(r.attempts, 0);
  }
}

TEST_P(AlertStoreContract, CommitReplacesTheWholeIncident) {
  Commit({Inc("inc_1"), {}, {}});
  Incident changed = Inc("inc_1");
  changed.status = IncidentStatus::kAcknowledged;
  changed.event_count = 9;
  changed.actions = {"sts:GetCallerIdentity", "iam:ListUsers"};
  changed.acknowledged_at = kT0 + seconds(9);
  changed.acknowledged_by = "apikey:key_2";
  changed.paged = false;
  Commit({changed, {}, {}});
  auto got = s().GetIncident("inc_1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, IncidentStatus::kAcknowledged);
  EXPECT_EQ(got->event_count, 9);
  EXPECT_EQ(got->actions, changed.actions);
  EXPECT_EQ(got->acknowledged_by, "apikey:key_2");
  EXPECT_FALSE(got->paged);
  EXPECT_EQ(s().ListIncidents({std::nullopt, "", "", 10})->items.size(), 1u);
  // Back to no acknowledgement: optional fields are replaced too.
  Commit({Inc("inc_1"), {}, {}});
  EXPECT_FALSE(s().GetIncident("inc_1")->acknowledged_at.has_value());
  EXPECT_EQ(s().GetIncident("inc_1")->acknowledged_by, "");
}

TEST_P(AlertStoreContract, OpenIncidentIsTheLatestActiveOneAcknowledgedIncluded) {
  Incident older = Inc("inc_1");
  older.last_seen = kT0 + seconds(10);
  Incident newer = Inc("inc_2");
  newer.status = IncidentStatus::kAcknowledged;
  newer.last_seen = kT0 + seconds(20);
  Commit({newer, {}, {}});
  Commit({older, {}, {}});
  auto open = s().FindOpenIncident(kTokA.id, kIp);
  ASSERT_TRUE(open.ok() && open->has_value());
  EXPECT_EQ((*open)->id, "inc_2");
  newer.status = IncidentStatus::kResolved;
  Commit({newer, {}, {}});
  EXPECT_EQ((*s().FindOpenIncident(kTokA.id, kIp))->id, "inc_1");
}

TEST_P(AlertStoreContract, ListsIncidentsNewestFirstWithCursorAndFilters) {
  for (int n = 1; n <= 5; ++n) {
    Incident i = Inc("inc_" + std::to_string(n), n % 2 ? kTokA : kTokB);
    if (n == 4) i.status = IncidentStatus::kResolved;
    Commit({i, {}, {}});
  }
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = s().ListIncidents({std::nullopt, "", cursor, 2});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& i : page->items) seen.push_back(i.id);
    cursor = page->next_cursor;
    if (cursor.empty()) break;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"inc_5", "inc_4", "inc_3", "inc_2", "inc_1"}));
  auto a = s().ListIncidents({std::nullopt, kTokA.id, "", 10});
  ASSERT_EQ(a->items.size(), 3u);
  EXPECT_EQ(a->items[0].id, "inc_5");
  EXPECT_TRUE(a->next_cursor.empty());
  auto open_b = s().ListIncidents({IncidentStatus::kOpen, kTokB.id, "", 10});
  ASSERT_EQ(open_b->items.size(), 1u);
  EXPECT_EQ(open_b->items[0].id, "inc_2");
  EXPECT_TRUE(s().ListIncidents({std::nullopt, "", "inc_1", 10})->items.empty());
}

TEST_P(AlertStoreContract, GetTokenFindsTombstonesAndReportsUnknownTokens) {
  HoneyToken gone = testing::MakeToken(3);
  gone.status = TokenStatus::kDeleted;
  gone.retired_at = kT0;
  b_->AddToken(gone);
  auto got = s().GetToken(gone.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, TokenStatus::kDeleted);
  EXPECT_EQ(got->location, gone.location);
  EXPECT_EQ(s().GetToken("tok_nope").status().code(), StatusCode::kNotFound);
}

TEST_P(AlertStoreContract, ClaimSkipsRowsNotDueAndTheirIncidentsAndHonoursLimit) {
  Queue("inc_1", "pager", AlertKind::kTrigger, "{}", kT0 + seconds(60));  // backing off
  Queue("inc_1", "pager", AlertKind::kUpdate);  // due, but behind the trigger
  for (int n = 2; n <= 5; ++n) Queue("inc_" + std::to_string(n), "pager", AlertKind::kTrigger);
  auto two = Claim("pager", kT0, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].incident_id, "inc_2");
  EXPECT_EQ(two[1].incident_id, "inc_3");
  auto rest = Claim("pager", kT0, 10);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].incident_id, "inc_4");
  EXPECT_TRUE(Claim("pager", kT0, 0).empty());
  EXPECT_TRUE(Claim("nobody", kT0 + seconds(600)).empty());
  auto later = Claim("pager", kT0 + seconds(60));
  ASSERT_EQ(later.size(), 5u);  // the trigger (due now) and the four lapsed leases
  EXPECT_EQ(later[0].kind, AlertKind::kTrigger);
  EXPECT_EQ(later[0].incident_id, "inc_1");
}

TEST_P(AlertStoreContract, OutcomesOfUnknownRowsAreNotFound) {
  EXPECT_EQ(s().MarkSent(424242, kT0).code(), StatusCode::kNotFound);
  EXPECT_EQ(s().MarkRetry(424242, kT0, "x", true).code(), StatusCode::kNotFound);
  EXPECT_EQ(s().MarkDead(424242, kT0, "x").code(), StatusCode::kNotFound);
}

TEST_P(AlertStoreContract, MarkSentClearsTheErrorAndRecordsTheTime) {
  Queue("inc_1", "pager", AlertKind::kTrigger);
  const int64_t id = Claim("pager", kT0).at(0).id;
  ASSERT_TRUE(s().MarkRetry(id, kT0, "timeout", true).ok());
  ASSERT_TRUE(s().MarkSent(id, kT0 + seconds(2)).ok());
  auto rows = Outbox(OutboxState::kSent);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].last_error, "");
  EXPECT_EQ(rows[0].sent_at, kT0 + seconds(2));
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_TRUE(Claim("pager", kT0 + seconds(600)).empty());
}

TEST_P(AlertStoreContract, CoalescingLeavesTriggersAndLoneUpdatesAlone) {
  Queue("inc_1", "pager", AlertKind::kTrigger);
  Queue("inc_1", "pager", AlertKind::kUpdate);
  Queue("inc_2", "pager", AlertKind::kUpdate);
  auto heads = Claim("pager", kT0);
  ASSERT_EQ(heads.size(), 2u);
  auto trigger = s().CoalesceUpdates(heads[0], kT0, seconds(30));
  EXPECT_EQ(trigger->id, heads[0].id);
  EXPECT_EQ(trigger->kind, AlertKind::kTrigger);
  auto lone = s().CoalesceUpdates(heads[1], kT0, seconds(30));
  EXPECT_EQ(lone->id, heads[1].id);
  EXPECT_TRUE(Outbox(OutboxState::kSent).empty());
}

TEST_P(AlertStoreContract, ListOutboxFiltersAndPagesByAscendingId) {
  Commit({Inc("inc_1"),
          {},
          {Row("inc_1", "pager", AlertKind::kTrigger), Row("inc_1", "mail", AlertKind::kTrigger)}});
  Commit({Inc("inc_2", kTokB), {}, {Row("inc_2", "pager", AlertKind::kTrigger)}});
  Queue("inc_1", "pager", AlertKind::kUpdate, R"({"u":1})");
  auto all = Outbox();
  ASSERT_EQ(all.size(), 4u);
  for (size_t n = 1; n < all.size(); ++n) EXPECT_LT(all[n - 1].id, all[n].id);
  EXPECT_EQ(all[3].payload, R"({"u":1})");
  EXPECT_EQ(all[3].created_at, kT0);
  EXPECT_EQ(Outbox(std::nullopt, "pager").size(), 3u);
  EXPECT_EQ(Outbox(std::nullopt, "pager", "inc_1").size(), 2u);
  auto page = s().ListOutbox({std::nullopt, "", "", all[0].id, 2});
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, all[1].id);
  ASSERT_TRUE(s().MarkDead(all[1].id, kT0, "bounced").ok());
  EXPECT_EQ(Outbox(OutboxState::kDead).size(), 1u);
  EXPECT_EQ(Outbox(OutboxState::kPending).size(), 3u);
}

TEST_P(AlertStoreContract, SupersedeUpdatesTouchesOnlyPendingUpdatesOfTheIncident) {
  Commit({Inc("inc_1"),
          {},
          {Row("inc_1", "pager", AlertKind::kTrigger), Row("inc_1", "mail", AlertKind::kTrigger)}});
  Commit({Inc("inc_2", kTokB), {}, {Row("inc_2", "pager", AlertKind::kUpdate)}});
  Queue("inc_1", "pager", AlertKind::kUpdate);
  Queue("inc_1", "mail", AlertKind::kUpdate);
  Queue("inc_1", "pager", AlertKind::kResolve);
  EXPECT_EQ(s().SupersedeUpdates("inc_1", kT0 + seconds(3)).value(), 2);
  for (const auto& r : Outbox()) {
    const bool superseded = r.incident_id == "inc_1" && r.kind == AlertKind::kUpdate;
    EXPECT_EQ(r.state, superseded ? OutboxState::kSent : OutboxState::kPending) << r.id;
    if (superseded) {
      EXPECT_EQ(r.last_error, "superseded by resolve");
      EXPECT_EQ(r.sent_at, kT0 + seconds(3));
    }
  }
  EXPECT_EQ(s().SupersedeUpdates("inc_1", kT0).value(), 0);
}

TEST_P(AlertStoreContract, RequeueDeadTouchesOnlyMatchingDeadRows) {
  Commit({Inc("inc_1"),
          {},
          {Row("inc_1", "pager", AlertKind::kTrigger), Row("inc_1", "mail", AlertKind::kTrigger)}});
  Commit({Inc("inc_2", kTokB),
          {},
          {Row("inc_2", "pager", AlertKind::kTrigger), Row("inc_2", "mail", AlertKind::kTrigger)}});
  auto all = Outbox();
  ASSERT_EQ(all.size(), 4u);
  for (const auto& r : all) ASSERT_TRUE(s().MarkDead(r.id, kT0, "down").ok());
  EXPECT_EQ(s().RequeueDead({std::nullopt, "", "inc_2", 0, 10}, kT0 + seconds(1)).value(), 2);
  EXPECT_EQ(s().RequeueDead({std::nullopt, "mail", "", 0, 10}, kT0 + seconds(2)).value(), 1);
  EXPECT_EQ(s().RequeueDead({std::nullopt, "mail", "", 0, 10}, kT0 + seconds(3)).value(), 0);
  auto pending = Outbox(OutboxState::kPending);
  ASSERT_EQ(pending.size(), 3u);
  for (const auto& r : pending) EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(pending[0].incident_id, "inc_1");
  EXPECT_EQ(pending[0].next_attempt_at, kT0 + seconds(2));
  EXPECT_EQ(Outbox(OutboxState::kDead, "pager", "inc_1").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertStoreContract, ::testing::Values("memory", "sqlite"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace spacecrab
