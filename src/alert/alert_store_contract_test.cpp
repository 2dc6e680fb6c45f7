// The AlertStore contract, run against both implementations: the in-memory
// one the tests and driver use, and the SQLite one proposed for src/store.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "alert/memory_alert_store.h"
#include "alert/sqlite_alert_store.h"
#include "store/sqlite_store.h"

namespace spacecrab::alert {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;

const Timestamp kT0 = *ParseRfc3339("2026-11-23T17:00:00Z");

HoneyToken Tok(const std::string& id, const std::string& key) {
  HoneyToken t;
  t.id = id;
  t.kind = TokenKind::kDecoy;
  t.access_key_id = key;
  t.account_id = "123456789012";
  t.user_name = "svc-" + id;
  t.location = "loc-" + id;
  t.created_at = t.issued_at = kT0 - std::chrono::hours(1);
  return t;
}

Event Ev(const std::string& id, const std::string& token) {
  Event e;
  e.id = id;
  e.token_id = token;
  e.access_key_id = "AKIAAAAAAAAAAAAAAAAA";
  e.event_time = kT0;
  e.event_source = "sts.amazonaws.com";
  e.event_name = "GetCallerIdentity";
  e.source_ip = "203.0.113.9";
  e.origin = "file";
  e.received_at = kT0;
  return e;
}

// One implementation with its token and event fixtures.
struct Backend {
  virtual ~Backend() = default;
  virtual AlertStore& store() = 0;
  virtual void AddToken(const HoneyToken& t) = 0;
  virtual void AddEvent(const Event& e) = 0;
};

struct MemoryBackend final : Backend {
  MemoryAlertStore s;
  AlertStore& store() override { return s; }
  void AddToken(const HoneyToken& t) override { s.PutToken(t); }
  void AddEvent(const Event& e) override { s.PutEvent(e); }
};

struct SqliteBackend final : Backend {
  fs::path dir = fs::temp_directory_path() / ("sc_alert_store_" + std::to_string(getpid()) + "_" +
                                              std::to_string(reinterpret_cast<uintptr_t>(this)));
  std::unique_ptr<SqliteStore> base;
  std::unique_ptr<SqliteAlertStore> alerts;
  SqliteBackend() {
    fs::create_directories(dir);
    const std::string path = (dir / "db.sqlite").string();
    base = std::move(SqliteStore::Open({path}).value());
    EXPECT_TRUE(base->Migrate().ok());
    auto a = SqliteAlertStore::Open({path, base.get()});
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    alerts = std::move(a).value();
  }
  ~SqliteBackend() override {
    alerts.reset();
    base.reset();
    fs::remove_all(dir);
  }
  AlertStore& store() override { return *alerts; }
  void AddToken(const HoneyToken& t) override {
    ASSERT_TRUE(base->InsertTokens(std::span<const HoneyToken>(&t, 1)).ok());
  }
  void AddEvent(const Event& e) override {
    ASSERT_TRUE(base->RecordEvents(std::span<const Event>(&e, 1)).ok());
  }
};

class AlertStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory")
      b = std::make_unique<MemoryBackend>();
    else
      b = std::make_unique<SqliteBackend>();
    b->AddToken(Tok("tok_a", "AKIAAAAAAAAAAAAAAAAA"));
    b->AddToken(Tok("tok_b", "AKIABBBBBBBBBBBBBBBB"));
  }
  AlertStore& s() { return b->store(); }

  Incident Inc(const std::string& id, const std::string& token = "tok_a") {
    Incident i;
    i.id = id;
    i.token_id = token;
    i.source_ip = "203.0.113.9";
    i.first_seen = i.last_seen = kT0;
    i.created_at = i.updated_at = kT0;
    i.event_count = 1;
    i.actions = {"sts:GetCallerIdentity"};
    i.services = {"sts"};
    i.paged = true;
    return i;
  }
  OutboxRow Row(const std::string& sink, AlertKind kind, const std::string& payload = "{}") {
    OutboxRow r;
    r.sink = sink;
    r.kind = kind;
    r.payload = payload;
    r.created_at = r.next_attempt_at = kT0;
    return r;
  }
  void Commit(IncidentCommit c) {
    ASSERT_TRUE(s().CommitIncidents(std::span<const IncidentCommit>(&c, 1)).ok());
  }
  std::unique_ptr<Backend> b;
};

TEST_P(AlertStoreContract, IncidentRoundTripsEveryField) {
  Incident i = Inc("inc_1");
  i.status = IncidentStatus::kAcknowledged;
  i.acknowledged_at = kT0 + seconds(5);
  i.acknowledged_by = "apikey:key_1";
  i.actions_truncated = true;
  i.trigger = IncidentTrigger::kRetiredTokenUse;
  i.retired_token = true;
  i.allowlisted = true;
  i.allowlist_reason = "source 203.0.113.0/24 (red team)";
  i.severity = IncidentSeverity::kInfo;
  i.profile = IncidentProfile::kEnumeration;
  i.last_event_id = "ev-9";
  Commit({i, {}, {}});
  auto got = s().GetIncident("inc_1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, IncidentStatus::kAcknowledged);
  EXPECT_EQ(got->acknowledged_at, i.acknowledged_at);
  EXPECT_EQ(got->acknowledged_by, "apikey:key_1");
  EXPECT_EQ(got->actions, i.actions);
  EXPECT_EQ(got->services, i.services);
  EXPECT_TRUE(got->actions_truncated);
  EXPECT_EQ(got->trigger, IncidentTrigger::kRetiredTokenUse);
  EXPECT_TRUE(got->retired_token && got->allowlisted && got->paged);
  EXPECT_EQ(got->allowlist_reason, i.allowlist_reason);
  EXPECT_EQ(got->severity, IncidentSeverity::kInfo);
  EXPECT_EQ(got->profile, IncidentProfile::kEnumeration);
  EXPECT_EQ(got->last_event_id, "ev-9");
  EXPECT_EQ(s().GetIncident("inc_x").status().code(), StatusCode::kNotFound);
}

TEST_P(AlertStoreContract, FindsTheOpenIncidentOfTokenAndSource) {
  Incident old = Inc("inc_1");
  old.status = IncidentStatus::kResolved;
  Commit({old, {}, {}});
  EXPECT_FALSE(s().FindOpenIncident("tok_a", "203.0.113.9")->has_value());
  Commit({Inc("inc_2"), {}, {}});
  auto open = s().FindOpenIncident("tok_a", "203.0.113.9");
  ASSERT_TRUE(open.ok() && open->has_value());
  EXPECT_EQ((*open)->id, "inc_2");
  EXPECT_FALSE(s().FindOpenIncident("tok_a", "198.51.100.1")->has_value());
  auto page = s().ListIncidents({std::nullopt, "", "", 1});
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "inc_2");  // newest first
  auto next = s().ListIncidents({std::nullopt, "", page->next_cursor, 10});
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_EQ(next->items[0].id, "inc_1");
  EXPECT_EQ(s().ListIncidents({IncidentStatus::kResolved, "", "", 10})->items.size(), 1u);
}

TEST_P(AlertStoreContract, CommitAssignsEventsAndBacklogListsTheRest) {
  b->AddEvent(Ev("e1", "tok_a"));
  b->AddEvent(Ev("e2", "tok_a"));
  Commit({Inc("inc_1"), {"e1"}, {Row("pager", AlertKind::kTrigger)}});
  auto left = s().ListUnassignedEvents(10);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, "e2");
  EXPECT_EQ((*left)[0].source_ip, "203.0.113.9");
}

TEST_P(AlertStoreContract, ClaimsHeadOfEachIncidentInOrderWithALease) {
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kTrigger), Row("mail", AlertKind::kTrigger)}});
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kResolve)}});
  Commit({Inc("inc_2", "tok_b"), {}, {Row("pager", AlertKind::kTrigger)}});
  auto first = s().ClaimDue("pager", kT0, seconds(30), 10);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 2u);  // inc_1's resolve waits behind its trigger
  EXPECT_EQ((*first)[0].incident_id, "inc_1");
  EXPECT_EQ((*first)[0].kind, AlertKind::kTrigger);
  EXPECT_EQ((*first)[1].incident_id, "inc_2");
  EXPECT_TRUE(s().ClaimDue("pager", kT0, seconds(30), 10)->empty());                 // leased
  EXPECT_EQ(s().ClaimDue("pager", kT0 + seconds(31), seconds(30), 10)->size(), 2u);  // lapsed
  ASSERT_TRUE(s().MarkSent((*first)[0].id, kT0 + seconds(32)).ok());
  auto next = s().ClaimDue("pager", kT0 + seconds(62), seconds(30), 10);
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].kind, AlertKind::kResolve);
  EXPECT_EQ(s().ClaimDue("mail", kT0, seconds(30), 10)->size(), 1u);
}

TEST_P(AlertStoreContract, RetryDeadAndRequeue) {
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kTrigger)}});
  int64_t id = s().ClaimDue("pager", kT0, seconds(30), 10)->at(0).id;
  ASSERT_TRUE(s().MarkRetry(id, kT0 + seconds(5), "HTTP 503", true).ok());
  ASSERT_TRUE(s().MarkRetry(id, kT0 + seconds(6), "", false).ok());  // a deferral
  auto rows = s().ListOutbox({OutboxState::kPending, "pager", "", 0, 10});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].attempts, 1);
  EXPECT_EQ((*rows)[0].last_error, "HTTP 503");
  EXPECT_EQ((*rows)[0].next_attempt_at, kT0 + seconds(6));
  ASSERT_TRUE(s().MarkDead(id, kT0 + seconds(7), "gave up").ok());
  auto dead = s().ListOutbox({OutboxState::kDead, "", "inc_1", 0, 10});
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].attempts, 2);
  EXPECT_EQ(s().RequeueDead({std::nullopt, "pager", "", 0, 10}, kT0 + seconds(8)).value(), 1);
  EXPECT_EQ(s().ClaimDue("pager", kT0 + seconds(8), seconds(30), 10)->size(), 1u);
}

TEST_P(AlertStoreContract, CoalescesARunOfUpdatesIntoTheNewest) {
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kUpdate, R"({"n":1})")}});
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kUpdate, R"({"n":2})")}});
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kUpdate, R"({"n":3})")}});
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kResolve)}});
  Commit({Inc("inc_1"), {}, {Row("pager", AlertKind::kUpdate, R"({"n":5})")}});
  auto head = s().ClaimDue("pager", kT0, seconds(30), 10)->at(0);
  auto newest = s().CoalesceUpdates(head, kT0, seconds(30));
  ASSERT_TRUE(newest.ok()) << newest.status().ToString();
  EXPECT_EQ(newest->payload, R"({"n":3})");  // not past the resolve
  auto sent = s().ListOutbox({OutboxState::kSent, "", "", 0, 10});
  ASSERT_EQ(sent->size(), 2u);
  EXPECT_EQ((*sent)[0].last_error, "superseded by #" + std::to_string(newest->id));
  ASSERT_TRUE(s().MarkSent(newest->id, kT0).ok());
  auto resolve = s().ClaimDue("pager", kT0, seconds(30), 10)->at(0);
  EXPECT_EQ(resolve.kind, AlertKind::kResolve);
  EXPECT_EQ(s().CoalesceUpdates(resolve, kT0, seconds(30))->id, resolve.id);
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertStoreContract, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace spacecrab::alert
