#include "store/wal_batching_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/sqlite_db.h"
#include "store/store_test_util.h"

namespace spacecrab {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// write(2)-family system calls this process has made so far (/proc/self/io syscw).
long WriteSyscalls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long value = 0;
  while (io >> key >> value) {
    if (key == "syscw:") return value;
  }
  return -1;
}

#define ASSERT_OK(expr)                 \
  do {                                  \
    const Status st_ = (expr);          \
    ASSERT_TRUE(st_.ok()) << st_.ToString(); \
  } while (0)

std::unique_ptr<SqliteConnection> OpenOrDie(const std::string& path) {
  auto conn = SqliteConnection::Open(path, {});
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return std::move(*conn);
}

// A connection to a new database at `path` holding the empty table t, after
// `pragmas`. With `crash_copies`, SQLite's own checkpoints are off: the WAL
// keeps every commit, as a crash would leave it.
std::unique_ptr<SqliteConnection> OpenTable(const std::string& path, const std::string& pragmas = "",
                                            bool crash_copies = false) {
  auto conn = OpenOrDie(path);
  EXPECT_TRUE(conn->Exec(pragmas + "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  if (crash_copies) sqlite3_wal_autocheckpoint(conn->raw(), 0);
  return conn;
}

int64_t CountRows(SqliteConnection& conn) {
  auto stmt = conn.Prepare("SELECT count(*), coalesce(sum(length(v)), 0) FROM t");
  EXPECT_TRUE(stmt.ok());
  auto row = stmt->Step();
  EXPECT_TRUE(row.ok() && *row);
  return stmt->Int(0);
}

Status InsertRows(SqliteConnection& conn, int first, int n, int bytes) {
  SqliteTransaction txn(conn);
  SC_RETURN_IF_ERROR(txn.BeginWrite());
  for (int i = first; i < first + n; ++i) {
    SC_ASSIGN_OR_RETURN(auto stmt, conn.Prepare("INSERT INTO t (k, v) VALUES (?, ?)"));
    SC_RETURN_IF_ERROR(stmt.BindAll(i, std::string(bytes, static_cast<char>('a' + i % 26))).Run());
  }
  return txn.Commit();
}

TEST(WalBatchingVfs, ConnectionsOpenThroughIt) {
  TempDir dir;
  auto conn = OpenOrDie(dir.File("db.sqlite"));
  const char* name = nullptr;
  ASSERT_EQ(sqlite3_file_control(conn->raw(), "main", SQLITE_FCNTL_VFSNAME, &name), SQLITE_OK);
  ASSERT_NE(name, nullptr);
  EXPECT_NE(std::string(name).find(WalBatchingVfsName()), std::string::npos) << name;
  sqlite3_free(const_cast<char*>(name));
}

TEST(WalBatchingVfs, ACommitOfManyPagesIsAFewWritesNotTwoPerPage) {
  TempDir dir;
  auto conn = OpenTable(dir.File("db.sqlite"));
  ASSERT_OK(InsertRows(*conn, 0, 1, 10));  // the WAL exists and has its header
  const long before = WriteSyscalls();
  ASSERT_GE(before, 0);
  // ~200 pages of 4 KiB: SQLite alone makes 2 writes per page (400+).
  ASSERT_OK(InsertRows(*conn, 1, 200, 3000));
  const long writes = WriteSyscalls() - before;
  EXPECT_LE(writes, 10) << "write system calls for one 200-page commit";
}

TEST(WalBatchingVfs, EveryCommitIsVisibleToOtherConnectionsAtOnce) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenTable(path);
  auto reader = OpenOrDie(path);
  int rows = 0;
  for (int round = 0; round < 50; ++round) {
    const int n = 1 + (round * 7) % 40;
    ASSERT_OK(InsertRows(*writer, rows, n, 100 + round * 97));
    rows += n;
    EXPECT_EQ(CountRows(*reader), rows) << "round " << round;
  }
}

TEST(WalBatchingVfs, ARolledBackTransactionLeavesNothingAndLaterCommitsLand) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  // A tiny page cache makes SQLite spill uncommitted pages into the WAL mid-transaction.
  auto writer = OpenTable(path, "PRAGMA cache_size=10; ");
  ASSERT_OK(InsertRows(*writer, 0, 5, 100));
  {
    SqliteTransaction txn(*writer);
    ASSERT_TRUE(txn.BeginWrite().ok());
    for (int i = 100; i < 400; ++i) {
      auto stmt = writer->Prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      ASSERT_TRUE(stmt.ok());
      ASSERT_TRUE(stmt->BindAll(i, std::string(2000, 'x')).Run().ok());
    }
  }  // rolled back
  ASSERT_OK(InsertRows(*writer, 5, 3, 5000));
  auto reader = OpenOrDie(path);
  EXPECT_EQ(CountRows(*reader), 8);
}

// Copies the database and its WAL as a crash would leave them and checks
// what a new connection recovers from them.
void ExpectRecoveredCopy(const TempDir& dir, const std::string& path, int64_t rows) {
  const std::string copy = dir.File("copy.sqlite");
  fs::remove(copy);
  fs::remove(copy + "-wal");
  fs::copy_file(path, copy);
  if (fs::exists(path + "-wal")) fs::copy_file(path + "-wal", copy + "-wal");
  auto recovered = OpenOrDie(copy);
  EXPECT_EQ(CountRows(*recovered), rows);
  auto check = recovered->Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  ASSERT_TRUE(*check->Step());
  EXPECT_EQ(check->Text(0), "ok");
}

TEST(WalBatchingVfs, ACopyTakenRightAfterCommitRecoversEveryCommittedRow) {
  // What a crash leaves: the database and WAL files as they are after COMMIT
  // returned, with no checkpoint and no clean close.
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenTable(path, "", /*crash_copies=*/true);
  ASSERT_OK(InsertRows(*writer, 0, 300, 1500));
  ASSERT_OK(InsertRows(*writer, 300, 7, 9000));
  ExpectRecoveredCopy(dir, path, 307);
}

TEST(WalBatchingVfs, PagesRewrittenWithinTheirTransactionRecoverAfterACrash) {
  // A page cache of 10 pages makes SQLite spill pages to the WAL mid-transaction
  // and, when they change again, rewrite those frames in place and then their
  // checksums after the commit frame: writes behind the append point.
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenTable(path, "PRAGMA cache_size=10; ", /*crash_copies=*/true);
  ASSERT_OK(InsertRows(*writer, 0, 50, 100));
  {
    SqliteTransaction txn(*writer);
    ASSERT_TRUE(txn.BeginWrite().ok());
    for (int pass = 0; pass < 3; ++pass) {
      for (int i = 50; i < 250; ++i) {
        auto stmt = writer->Prepare("INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)");
        ASSERT_TRUE(stmt.ok());
        ASSERT_TRUE(stmt->BindAll(i, std::string(900 + pass * 50, 'a' + pass)).Run().ok());
      }
    }
    ASSERT_TRUE(txn.Commit().ok());
  }
  EXPECT_EQ(CountRows(*OpenOrDie(path)), 250);
  ExpectRecoveredCopy(dir, path, 250);
}

TEST(WalBatchingVfs, CommitsAfterTheLogRestartsRecoverAfterACrash) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenTable(path, "", /*crash_copies=*/true);
  int rows = 0;
  for (int round = 0; round < 4; ++round) {
    ASSERT_OK(InsertRows(*writer, rows, 40, 2000));
    rows += 40;
    // A complete checkpoint: the next commit starts the log again from its header.
    ASSERT_EQ(sqlite3_wal_checkpoint_v2(writer->raw(), nullptr, SQLITE_CHECKPOINT_RESTART,
                                        nullptr, nullptr),
              SQLITE_OK);
    ASSERT_OK(InsertRows(*writer, rows, 3, 500));
    rows += 3;
    ExpectRecoveredCopy(dir, path, rows);
  }
}

TEST(WalBatchingVfs, ATransactionLargerThanTheBatchLimitCommitsWhole) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenTable(path);
  const int rows = 3 * kWalBatchMaxBytes / 4000;  // ~3 batch limits of pages
  ASSERT_OK(InsertRows(*writer, 0, rows, 4000));
  auto reader = OpenOrDie(path);
  EXPECT_EQ(CountRows(*reader), rows);
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(writer->raw(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                      nullptr),
            SQLITE_OK);
  EXPECT_EQ(CountRows(*OpenOrDie(path)), rows);
}

}  // namespace
}  // namespace spacecrab
