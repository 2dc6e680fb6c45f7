// What only the SQLite AlertStore promises: durability across reopen, one
// transaction with the Store's own tables, exclusive leases under concurrent
// claimers (threads and a second connection pool on the same file), all-or-
// nothing commits, and index-backed queries.
#include "store/sqlite_alert_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "store/store_factory.h"
#include "store/store_test_util.h"

namespace spacecrab {
namespace {

using alert::IncidentCommit;
using alert::OutboxRow;
using alert::OutboxState;
using std::chrono::hours;
using std::chrono::seconds;

const Timestamp kT0 = testing::T0();

StoreBundle OpenBundle(const std::string& path) {
  auto bundle = OpenStoreBundle("sqlite:" + path);
  EXPECT_TRUE(bundle.ok()) << bundle.status().ToString();
  if (!bundle.ok()) std::abort();
  return std::move(bundle).value();
}

Incident Inc(const std::string& id, const HoneyToken& token) {
  Incident i;
  i.id = id;
  i.token_id = token.id;
  i.source_ip = "203.0.113.7";
  i.first_seen = i.last_seen = i.created_at = i.updated_at = kT0;
  i.event_count = 1;
  i.actions = {"sts:GetCallerIdentity"};
  i.services = {"sts"};
  return i;
}

OutboxRow Row(const std::string& incident, const std::string& sink, AlertKind kind) {
  OutboxRow r;
  r.incident_id = incident;
  r.sink = sink;
  r.kind = kind;
  r.payload = R"({"incident":")" + incident + R"("})";
  r.created_at = r.next_attempt_at = kT0;
  return r;
}

// Runs EXPLAIN QUERY PLAN on a separate connection and returns its details.
std::string QueryPlan(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string explain = "EXPLAIN QUERY PLAN " + sql;
  EXPECT_EQ(sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += "\n";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return plan;
}

void ExecRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(SqliteAlertStore, IncidentsAndOutboxSurviveReopen) {
  testing::TempDir dir;
  const std::string path = dir.File("alerts.db");
  const HoneyToken tok = testing::MakeToken(1);
  int64_t sent_id = 0;
  {
    StoreBundle b = OpenBundle(path);
    ASSERT_TRUE(b.store->InsertTokens(std::vector<HoneyToken>{tok}).ok());
    const Event e = testing::MakeEvent(tok, "ev-1", 0);
    ASSERT_TRUE(b.store->RecordEvents(std::vector<Event>{e}).ok());
    IncidentCommit c{Inc("inc_1", tok),
                     {"ev-1"},
                     {Row("inc_1", "pager", AlertKind::kTrigger),
                      Row("inc_1", "mail", AlertKind::kTrigger),
                      Row("inc_1", "pager", AlertKind::kUpdate)}};
    ASSERT_TRUE(b.alerts->CommitIncidents(std::span<const IncidentCommit>(&c, 1)).ok());
    auto claimed = b.alerts->ClaimDue("pager", kT0, hours(1), 10);
    ASSERT_EQ(claimed->size(), 1u);
    sent_id = (*claimed)[0].id;
    ASSERT_TRUE(b.alerts->MarkSent(sent_id, kT0 + seconds(1)).ok());
    ASSERT_EQ(b.alerts->ClaimDue("mail", kT0, hours(1), 10)->size(), 1u);  // leased for an hour
  }
  StoreBundle b = OpenBundle(path);
  auto inc = b.alerts->GetIncident("inc_1");
  ASSERT_TRUE(inc.ok()) << inc.status().ToString();
  EXPECT_EQ(inc->actions, std::vector<std::string>{"sts:GetCallerIdentity"});
  EXPECT_EQ(b.store->GetEvent("ev-1")->incident_id, "inc_1");
  EXPECT_TRUE(b.alerts->ListUnassignedEvents(10)->empty());
  auto rows = b.alerts->ListOutbox({std::nullopt, "", "", 0, 100});
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].id, sent_id);
  EXPECT_EQ((*rows)[0].state, OutboxState::kSent);
  EXPECT_EQ((*rows)[0].sent_at, kT0 + seconds(1));
  // The lease taken before the restart still holds; the next pager row is due.
  EXPECT_TRUE(b.alerts->ClaimDue("mail", kT0 + seconds(10), hours(1), 10)->empty());
  auto next = b.alerts->ClaimDue("pager", kT0 + seconds(10), hours(1), 10);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].kind, AlertKind::kUpdate);
}

TEST(SqliteAlertStore, ConcurrentClaimersNeverShareALeasedRow) {
  testing::TempDir dir;
  const std::string path = dir.File("alerts.db");
  StoreBundle here = OpenBundle(path);
  StoreBundle other = OpenBundle(path);  // another pool and writer, as another process has
  std::vector<HoneyToken> tokens;
  for (int n = 0; n < 4; ++n) tokens.push_back(testing::MakeToken(n));
  ASSERT_TRUE(here.store->InsertTokens(tokens).ok());
  constexpr int kIncidents = 400;
  std::vector<IncidentCommit> commits;
  for (int n = 0; n < kIncidents; ++n) {
    const std::string id = "inc_" + std::to_string(1000 + n);
    commits.push_back({Inc(id, tokens[n % 4]), {}, {Row(id, "pager", AlertKind::kTrigger)}});
  }
  ASSERT_TRUE(here.alerts->CommitIncidents(commits).ok());

  std::vector<std::vector<int64_t>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    alert::AlertStore* store = t % 2 ? other.alerts.get() : here.alerts.get();
    threads.emplace_back([store, t, &got] {
      for (int round = 0; round < 1000; ++round) {
        auto rows = store->ClaimDue("pager", kT0, hours(1), 7);
        ASSERT_TRUE(rows.ok()) << rows.status().ToString();
        if (rows->empty()) return;
        for (const auto& r : *rows) got[t].push_back(r.id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  size_t total = 0;
  for (const auto& ids : got) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, static_cast<size_t>(kIncidents)) << "a row was handed out twice";
  EXPECT_EQ(all.size(), static_cast<size_t>(kIncidents));
  // Once the lease lapses, the rows are due again (for a sender that died).
  EXPECT_EQ(other.alerts->ClaimDue("pager", kT0 + hours(1), hours(1), 1000)->size(),
            static_cast<size_t>(kIncidents));
}

TEST(SqliteAlertStore, ACommitThatFailsMidwayLeavesNothing) {
  testing::TempDir dir;
  const std::string path = dir.File("alerts.db");
  StoreBundle b = OpenBundle(path);
  const HoneyToken tok = testing::MakeToken(1);
  ASSERT_TRUE(b.store->InsertTokens(std::vector<HoneyToken>{tok}).ok());
  ASSERT_TRUE(b.store
                  ->RecordEvents(std::vector<Event>{testing::MakeEvent(tok, "ev-1", 0),
                                                    testing::MakeEvent(tok, "ev-2", 1)})
                  .ok());
  const IncidentCommit good{
      Inc("inc_1", tok), {"ev-1"}, {Row("inc_1", "pager", AlertKind::kTrigger)}};
  // Second commit fails on its incident (unknown token) ...
  HoneyToken ghost = testing::MakeToken(99);
  std::vector<IncidentCommit> batch = {good, {Inc("inc_2", ghost), {"ev-2"}, {}}};
  Status st = b.alerts->CommitIncidents(batch);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  // ... or on the very last statement: its outbox row, after its incident and
  // events went in (a trigger stands in for a disk that fills up there).
  ExecRaw(path,
          "CREATE TRIGGER explode BEFORE INSERT ON alert_outbox WHEN NEW.sink = 'explode' "
          "BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
  batch = {good, {Inc("inc_2", tok), {"ev-2"}, {Row("inc_2", "explode", AlertKind::kTrigger)}}};
  st = b.alerts->CommitIncidents(batch);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("injected fault"), std::string::npos) << st.ToString();
  for (const char* id : {"inc_1", "inc_2"}) {
    EXPECT_EQ(b.alerts->GetIncident(id).status().code(), StatusCode::kNotFound) << id;
  }
  EXPECT_TRUE(b.alerts->ListOutbox({std::nullopt, "", "", 0, 100})->empty());
  EXPECT_EQ(b.alerts->ListUnassignedEvents(10)->size(), 2u);
  EXPECT_EQ(b.store->GetEvent("ev-1")->incident_id, "");
  // The same batch without the bad part goes through afterwards.
  ASSERT_TRUE(b.alerts->CommitIncidents(std::span<const IncidentCommit>(&good, 1)).ok());
  EXPECT_EQ(b.alerts->ListUnassignedEvents(10)->size(), 1u);
}

TEST(SqliteAlertStore, SharesTheStoresEventsAndTokens) {
  auto opened = OpenStoreBundle("sqlite::memory:");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  StoreBundle b = std::move(opened).value();
  const HoneyToken tok = testing::MakeToken(5);
  ASSERT_TRUE(b.store->InsertTokens(std::vector<HoneyToken>{tok}).ok());
  ASSERT_TRUE(b.store->RecordEvents(std::vector<Event>{testing::MakeEvent(tok, "ev-1", 0)}).ok());
  auto backlog = b.alerts->ListUnassignedEvents(10);
  ASSERT_EQ(backlog->size(), 1u);
  EXPECT_EQ((*backlog)[0].access_key_id, tok.access_key_id);
  EXPECT_EQ(b.alerts->GetToken(tok.id)->event_count, 1);
  IncidentCommit c{Inc("inc_1", tok), {"ev-1"}, {}};
  ASSERT_TRUE(b.alerts->CommitIncidents(std::span<const IncidentCommit>(&c, 1)).ok());
  EventFilter f;
  f.incident_id = "inc_1";
  EXPECT_EQ(b.store->ListEvents(f)->items.size(), 1u);
  // The store can go first: the alert store keeps the database alive.
  b.store.reset();
  EXPECT_TRUE(b.alerts->GetIncident("inc_1").ok());
}

TEST(SqliteAlertStore, UnreadableStoredValuesAreDataLossNotGuesses) {
  testing::TempDir dir;
  const std::string path = dir.File("alerts.db");
  StoreBundle b = OpenBundle(path);
  const HoneyToken tok = testing::MakeToken(1);
  ASSERT_TRUE(b.store->InsertTokens(std::vector<HoneyToken>{tok}).ok());
  IncidentCommit c{Inc("inc_1", tok), {}, {Row("inc_1", "pager", AlertKind::kTrigger)}};
  ASSERT_TRUE(b.alerts->CommitIncidents(std::span<const IncidentCommit>(&c, 1)).ok());
  ExecRaw(path, "UPDATE incidents SET severity = 'apocalyptic'; UPDATE alert_outbox SET kind = 'x'");
  EXPECT_EQ(b.alerts->GetIncident("inc_1").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(b.alerts->ListOutbox({}).status().code(), StatusCode::kDataLoss);
}

TEST(SqliteAlertStore, HotQueriesWalkTheirIndexes) {
  testing::TempDir dir;
  const std::string path = dir.File("alerts.db");
  StoreBundle b = OpenBundle(path);
  // The statements as sqlite_alert_store.cpp / sqlite_alert_outbox.cpp issue them.
  const std::string claim = QueryPlan(
      path,
      "SELECT id FROM alert_outbox o WHERE o.sink = ?1 AND o.state = 'pending' AND "
      "o.next_attempt_at <= ?2 AND NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.sink = ?1 "
      "AND p.incident_id = o.incident_id AND p.state = 'pending' AND p.id < o.id) "
      "ORDER BY o.id LIMIT ?3");
  EXPECT_NE(claim.find("alert_outbox_pending "), std::string::npos) << claim;
  EXPECT_NE(claim.find("alert_outbox_pending_incident"), std::string::npos) << claim;
  EXPECT_EQ(claim.find("TEMP B-TREE"), std::string::npos) << claim;
  const std::string open = QueryPlan(
      path,
      "SELECT id FROM incidents WHERE token_id = ? AND source_ip = ? AND "
      "status IN ('open', 'acknowledged') ORDER BY last_seen DESC, id LIMIT 1");
  EXPECT_NE(open.find("incidents_grouping (token_id=? AND source_ip=? AND status=?)"),
            std::string::npos)
      << open;
  const std::string backlog =
      QueryPlan(path, "SELECT id FROM events WHERE incident_id IS NULL ORDER BY seq LIMIT ?");
  EXPECT_NE(backlog.find("events_unassigned"), std::string::npos) << backlog;
  const std::string by_token = QueryPlan(
      path, "SELECT id FROM incidents WHERE 1 = 1 AND token_id = ? ORDER BY id DESC LIMIT ?");
  EXPECT_NE(by_token.find("incidents_token_id"), std::string::npos) << by_token;
  EXPECT_EQ(by_token.find("TEMP B-TREE"), std::string::npos) << by_token;
}

// Prints the figures the dispatcher's throughput rests on; asserts only that
// the queue drains completely and in id order.
TEST(SqliteAlertStore, DrainsTenThousandRowsMeasured) {
  testing::TempDir dir;
  StoreBundle b = OpenBundle(dir.File("alerts.db"));
  const HoneyToken tok = testing::MakeToken(1);
  ASSERT_TRUE(b.store->InsertTokens(std::vector<HoneyToken>{tok}).ok());
  using SteadyClock = std::chrono::steady_clock;
  auto start = SteadyClock::now();
  int n = 0;
  for (int batch = 0; batch < 50; ++batch) {
    std::vector<IncidentCommit> commits;
    for (int i = 0; i < 100; ++i, ++n) {
      const std::string id = "inc_" + std::to_string(100000 + n);
      commits.push_back({Inc(id, tok),
                         {},
                         {Row(id, "pager", AlertKind::kTrigger), Row(id, "mail", AlertKind::kTrigger)}});
    }
    ASSERT_TRUE(b.alerts->CommitIncidents(commits).ok());
  }
  const double commit_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  start = SteadyClock::now();
  int64_t last = 0, drained = 0;
  while (true) {
    auto rows = b.alerts->ClaimDue("pager", kT0, seconds(60), 64);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    if (rows->empty()) break;
    for (const auto& r : *rows) {
      EXPECT_GT(r.id, last);
      last = r.id;
      ASSERT_TRUE(b.alerts->MarkSent(r.id, kT0).ok());
      ++drained;
    }
  }
  const double drain_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  EXPECT_EQ(drained, 5000);
  EXPECT_EQ(b.alerts->ListOutbox({OutboxState::kPending, "", "", 0, 100000})->size(), 5000u);
  std::printf("CommitIncidents 5000 incidents + 10000 rows (50 batches): %.0f ms\n", commit_ms);
  std::printf("ClaimDue(64) + MarkSent per row, 5000 rows: %.0f ms (%.0f rows/s)\n", drain_ms,
              drained * 1000.0 / drain_ms);
}

}  // namespace
}  // namespace spacecrab
