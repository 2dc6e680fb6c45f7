#include "store/migrations.h"

#include <gtest/gtest.h>

#include <vector>

#include "store/store_test_util.h"

namespace spacecrab {
namespace {

using testing::TempDir;
using testing::T0;

std::unique_ptr<SqliteConnection> OpenConn(const std::string& path) {
  auto conn = SqliteConnection::Open(path, {});
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return std::move(conn).value();
}

bool TableExists(SqliteConnection& conn, const std::string& name) {
  auto s = conn.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
  EXPECT_TRUE(s.ok());
  s->Bind(1, name);
  auto row = s->Step();
  return row.ok() && *row;
}

int64_t MigrationRows(SqliteConnection& conn) {
  auto s = conn.Prepare("SELECT COUNT(*) FROM schema_migrations");
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(s->Step().value());
  return s->Int(0);
}

TEST(Migrations, ApplyingTwiceIsIdempotent) {
  TempDir dir;
  auto conn = OpenConn(dir.File("m.db"));
  ASSERT_TRUE(ApplyMigrations(*conn, SqliteMigrations(), T0()).ok());
  ASSERT_TRUE(ApplyMigrations(*conn, SqliteMigrations(), T0()).ok());
  EXPECT_EQ(SchemaVersion(*conn).value(), SqliteMigrations().back().version);
  EXPECT_EQ(MigrationRows(*conn), static_cast<int64_t>(SqliteMigrations().size()));
  for (const char* table : {"tokens", "token_tags", "api_keys", "audit_log", "events",
                            "incidents", "alert_outbox", "ingest_checkpoints", "quarantine",
                            "iam_intents"}) {
    EXPECT_TRUE(TableExists(*conn, table)) << table;
  }
}

TEST(Migrations, AppliesOnlyPendingVersionsInOrder) {
  TempDir dir;
  auto conn = OpenConn(dir.File("m.db"));
  // Re-running version 1 would fail: its table already exists.
  const std::vector<SqliteMigration> v1 = {{1, "one", "CREATE TABLE a (x INTEGER)"}};
  const std::vector<SqliteMigration> v2 = {{1, "one", "CREATE TABLE a (x INTEGER)"},
                                           {2, "two", "CREATE TABLE b (y INTEGER)"}};
  ASSERT_TRUE(ApplyMigrations(*conn, v1, T0()).ok());
  EXPECT_EQ(SchemaVersion(*conn).value(), 1);
  Status st = ApplyMigrations(*conn, v2, T0());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(SchemaVersion(*conn).value(), 2);
  EXPECT_TRUE(TableExists(*conn, "b"));
  EXPECT_EQ(MigrationRows(*conn), 2);
}

TEST(Migrations, FailedMigrationIsRolledBackCompletely) {
  TempDir dir;
  auto conn = OpenConn(dir.File("m.db"));
  const std::vector<SqliteMigration> bad = {
      {1, "one", "CREATE TABLE a (x INTEGER)"},
      {2, "broken", "CREATE TABLE half (x INTEGER); CREATE TABLE a (x INTEGER)"}};
  Status st = ApplyMigrations(*conn, bad, T0());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("migration 2"), std::string::npos) << st.message();
  EXPECT_EQ(SchemaVersion(*conn).value(), 1);
  EXPECT_TRUE(TableExists(*conn, "a"));
  EXPECT_FALSE(TableExists(*conn, "half"));
}

TEST(Migrations, RefusesADatabaseFromANewerBuild) {
  TempDir dir;
  auto conn = OpenConn(dir.File("m.db"));
  const std::vector<SqliteMigration> newer = {{1, "one", "CREATE TABLE a (x INTEGER)"},
                                              {2, "two", "CREATE TABLE b (y INTEGER)"}};
  ASSERT_TRUE(ApplyMigrations(*conn, newer, T0()).ok());
  Status st = ApplyMigrations(*conn, std::span(newer).first(1), T0());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
}

TEST(Migrations, AVersionOneDatabaseWithRowsUpgradesInPlace) {
  TempDir dir;
  auto conn = OpenConn(dir.File("m.db"));
  ASSERT_TRUE(ApplyMigrations(*conn, SqliteMigrations().first(1), T0()).ok());
  ASSERT_TRUE(conn->Exec("INSERT INTO tokens (id, kind, status, account_id, user_name, arn, "
                         "location, owner, notes, created_at, issued_at, change_seq) VALUES "
                         "('tok_1', 'decoy', 'active', '123456789012', 'u', 'arn', 'l', 'o', "
                         "'', 0, 0, 1);"
                         "INSERT INTO incidents (id, token_id, status, source_ip, first_seen, "
                         "last_seen, created_at, updated_at) VALUES "
                         "('inc_1', 'tok_1', 'open', '203.0.113.7', 0, 0, 0, 0);"
                         "INSERT INTO alert_outbox (incident_id, sink, kind, payload, "
                         "next_attempt_at, created_at) VALUES ('inc_1', 'pager', 'trigger', "
                         "'{}', 0, 0)")
                  .ok());
  const Status st = ApplyMigrations(*conn, SqliteMigrations(), T0());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(SchemaVersion(*conn).value(), SqliteMigrations().back().version);
  EXPECT_TRUE(TableExists(*conn, "iam_intents"));
  auto s = conn->Prepare("SELECT COUNT(*) FROM alert_outbox WHERE state = 'pending'");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->Step().value());
  EXPECT_EQ(s->Int(0), 1);
}

TEST(Migrations, StoreMigrateRecordsEachVersionOnce) {
  TempDir dir;
  auto store = testing::OpenTestStore(dir);
  ASSERT_TRUE(store->Migrate().ok());
  ASSERT_TRUE(store->Migrate().ok());
  EXPECT_EQ(store->SchemaVersion().value(), SqliteMigrations().back().version);
  auto conn = OpenConn(dir.File("db.sqlite"));
  EXPECT_EQ(MigrationRows(*conn), static_cast<int64_t>(SqliteMigrations().size()));
}

}  // namespace
}  // namespace spacecrab
