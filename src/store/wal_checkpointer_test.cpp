#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sqlite_db.h"
#include "store/store_test_util.h"

namespace spacecrab {
namespace {

using testing::TempDir;

// A writer connection on a fresh WAL database with one table.
std::unique_ptr<SqliteConnection> OpenWriter(const std::string& path) {
  auto conn = SqliteConnection::Open(path, {});
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  EXPECT_TRUE((*conn)->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  return std::move(*conn);
}

// One transaction writing about `kib` KiB (several WAL pages).
void WriteKib(SqliteConnection& conn, int kib) {
  ASSERT_TRUE(conn.Exec("BEGIN IMMEDIATE").ok());
  const std::string value(1024, 'x');
  for (int i = 0; i < kib; ++i) {
    auto stmt = conn.Prepare("INSERT INTO t (v) VALUES (?)");  // cached; reset when it goes
    ASSERT_TRUE(stmt.ok());
    stmt->Bind(1, value);
    const Status st = stmt->Run();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  ASSERT_TRUE(conn.Exec("COMMIT").ok());
}

bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(WalCheckpointer, CheckpointsInTheBackgroundAndKeepsTheWalBounded) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenWriter(path);
  // urgent = background: the thread checkpoints as soon as one is due.
  auto c = WalCheckpointer::Attach(
      path, *writer, {.background_pages = 64, .urgent_pages = 64, .inline_pages = 2000});
  ASSERT_TRUE(c.ok()) << c.status().message();
  // ~100 MiB of rows (~150 MiB of WAL frames) in 1000 back-to-back commits.
  // Without checkpoints (the writer's own auto-checkpoint is replaced by the
  // hook) the WAL would hold all of it.
  for (int i = 0; i < 1000; ++i) WriteKib(*writer, 100);
  EXPECT_TRUE(WaitFor([&] { return (*c)->stats().background > 0; }));
  EXPECT_EQ((*c)->stats().failures, 0u);
  // A writer that never pauses outruns a PASSIVE checkpoint, so the WAL can
  // only restart from its beginning once the writer checkpoints inline past
  // 2000 pages (8 MiB): the file stays near that, far below the 150 MiB
  // written.
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 12u << 20);
  // Every row is there, read through another connection.
  auto reader = SqliteConnection::Open(path, {std::chrono::milliseconds(1000), true});
  ASSERT_TRUE(reader.ok());
  auto count = (*reader)->Prepare("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(count->Step().value());
  EXPECT_EQ(count->Int(0), 1000 * 100);
}

// Due after 16 pages; a lull is 300 ms without a single page added.
WalCheckpointOptions LullOptions(int urgent_pages) {
  return {.background_pages = 16,
          .lull = std::chrono::milliseconds(300),
          .lull_pages = 1,
          .urgent_pages = urgent_pages,
          .inline_pages = 1 << 30};
}

// Commits of ~10 KiB back to back for `how_long`.
void WriteFor(SqliteConnection& conn, std::chrono::milliseconds how_long) {
  const auto end = std::chrono::steady_clock::now() + how_long;
  while (std::chrono::steady_clock::now() < end) WriteKib(conn, 10);
}

TEST(WalCheckpointer, WaitsForALullInTheCommitsBeforeCheckpointing) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenWriter(path);
  auto c = WalCheckpointer::Attach(path, *writer, LullOptions(1 << 30));
  ASSERT_TRUE(c.ok());
  WriteFor(*writer, std::chrono::milliseconds(1500));  // a burst: due all along, never quiet
  EXPECT_EQ((*c)->stats().background, 0u) << "checkpointed in the middle of the burst";
  EXPECT_GT(std::filesystem::file_size(path + "-wal"), 16u * 4096);
  // The burst ends: the checkpoint runs in the quiet after it, and the next
  // commit starts the WAL over from its beginning.
  EXPECT_TRUE(WaitFor([&] { return (*c)->stats().background > 0; }));
  EXPECT_EQ((*c)->stats().urgent, 0u);
  EXPECT_EQ((*c)->stats().failures, 0u);
  const auto wal_size = std::filesystem::file_size(path + "-wal");
  WriteKib(*writer, 10);
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), wal_size) << "the WAL grew: not reused";
}

TEST(WalCheckpointer, ABurstPastTheUrgentSizeIsCheckpointedWithoutALull) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenWriter(path);
  auto c = WalCheckpointer::Attach(path, *writer, LullOptions(400));
  ASSERT_TRUE(c.ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((*c)->stats().urgent == 0 && std::chrono::steady_clock::now() < deadline)
    WriteFor(*writer, std::chrono::milliseconds(50));  // never a lull
  EXPECT_GT((*c)->stats().urgent, 0u);
  EXPECT_EQ((*c)->stats().inline_runs, 0u);
  EXPECT_EQ((*c)->stats().failures, 0u);
  // (The WAL's length stays bounded by inline_pages only: a writer that never
  // pauses keeps a PASSIVE pass from catching up, so the file cannot restart.)
}

TEST(WalCheckpointer, WriterCheckpointsItselfWhenTheWalPassesTheInlineLimit) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenWriter(path);
  // The background threshold is out of reach: only the writer's inline
  // backstop can checkpoint.
  auto c =
      WalCheckpointer::Attach(path, *writer, {.background_pages = 1 << 30, .inline_pages = 200});
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 100; ++i) WriteKib(*writer, 100);
  EXPECT_GT((*c)->stats().inline_runs, 0u);
  EXPECT_EQ((*c)->stats().background, 0u);
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 4u << 20);
}

TEST(WalCheckpointer, StopRunsALastCheckpointAndRestoresAutoCheckpoint) {
  TempDir dir;
  const std::string path = dir.File("db.sqlite");
  auto writer = OpenWriter(path);
  auto c = WalCheckpointer::Attach(path, *writer,
                                   {.background_pages = 1 << 30, .inline_pages = 1 << 30});
  ASSERT_TRUE(c.ok());
  WriteKib(*writer, 50);
  (*c)->Stop();
  EXPECT_EQ((*c)->stats().background, 1u);  // the last one, at Stop
  (*c)->Stop();                             // idempotent
  c->reset();
  // The writer works on after the checkpointer is gone (hook detached).
  WriteKib(*writer, 10);
}

}  // namespace
}  // namespace spacecrab
