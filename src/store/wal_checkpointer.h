// WalCheckpointer: moves SQLite's WAL checkpoints off the commit path, and
// out of bursts of commits.
//
// With SQLite's default auto-checkpoint, the transaction whose commit takes
// the WAL past 1,000 pages copies the WAL back into the database file and
// fsyncs it before its caller gets an answer. Under a stream of token
// handouts that is one request in every few hundred waiting for an fsync
// (tens of milliseconds on a busy disk) — the tail of the handout latency.
//
// Here the writer connection's commit hook only records the WAL's size and
// signals; a background thread runs PASSIVE checkpoints on its own connection
// (they never block the writer or readers; the writer keeps appending while
// frames are copied). Past `background_pages` a checkpoint is due, and the
// thread waits for a lull to run it: a `lull` in which the WAL grew by fewer
// than `lull_pages` (handouts come in bursts — a CI fleet provisioning — and
// a checkpoint's reads, writes and fsync in the middle of one land on the
// requests' latency, while in the gap after it they cost nobody). A burst
// that goes on past `urgent_pages` gets its checkpoint anyway. If the thread
// falls behind — the WAL passes `inline_pages` — the committing writer
// checkpoints inline as SQLite would have (after any background pass in
// progress), so the WAL stays near that size. Checkpoints that fail (disk
// full, I/O error) are logged and retried on the next signal; committed data
// is safe in the WAL either way.
//
// Thread-safety: Attach once, before the writer is used; the hook runs on the
// writer's thread under the store's write mutex; Stop() and the destructor
// from any one thread. Ownership: does not own the writer connection, which
// must outlive Stop() (detach happens there).
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"

namespace spacecrab {

class SqliteConnection;

// A checkpoint copies each page once however often it was rewritten since the
// last one, so a larger WAL between checkpoints copies (and reads back) fewer
// pages per commit: at 5,000 handouts/s a 16 MiB threshold checkpointed twice
// a second, mostly the same index pages. At that rate the WAL grows ~70 MiB a
// second, so a burst of 10,000 handouts fits below `urgent_pages`.
struct WalCheckpointOptions {
  int background_pages = 16000;         // a checkpoint is due at this WAL size (~64 MiB)...
  std::chrono::milliseconds lull{100};  // ...and runs once the WAL grew by fewer than
  int lull_pages = 256;                 // `lull_pages` (~1 MiB) in `lull`,
  int urgent_pages = 48000;             // or at this size (~192 MiB) whatever the pace;
  int inline_pages = 64000;             // the writer checkpoints itself at this size (~256 MiB)
};

struct WalCheckpointStats {
  uint64_t background = 0;   // checkpoints run by the thread
  uint64_t urgent = 0;       // of those, run without a lull (the WAL passed urgent_pages)
  uint64_t inline_runs = 0;  // checkpoints the writer had to run itself
  uint64_t failures = 0;
};

class WalCheckpointer {
 public:
  // Opens the checkpoint connection on `path` and installs the hook on
  // `writer`. kUnavailable if the connection cannot be opened.
  static Expected<std::unique_ptr<WalCheckpointer>> Attach(const std::string& path,
                                                           SqliteConnection& writer,
                                                           WalCheckpointOptions options = {});
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Restores SQLite's own auto-checkpoint on the writer, runs a last
  // checkpoint and joins the thread. Idempotent.
  void Stop();
  WalCheckpointStats stats() const;

 private:
  WalCheckpointer(SqliteConnection& writer, std::unique_ptr<SqliteConnection> own,
                  WalCheckpointOptions options);
  static int OnCommit(void* self, sqlite3* db, const char* schema, int pages);
  void Loop();
  // Waits (mu_ held through `lock`) until the WAL's growth pauses or it
  // passes urgent_pages; false if stopping.
  bool AwaitLull(std::unique_lock<std::mutex>& lock);
  void Checkpoint(sqlite3* db, std::atomic<uint64_t>& counter);

  SqliteConnection& writer_;
  std::unique_ptr<SqliteConnection> own_;  // used by the thread only
  const WalCheckpointOptions options_;

  std::mutex run_mu_;  // held while a checkpoint runs
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;            // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
  std::atomic<int> wal_pages_{0};  // the WAL's size after the last commit
  std::thread thread_;

  std::atomic<uint64_t> background_{0};
  std::atomic<uint64_t> urgent_{0};
  std::atomic<uint64_t> inline_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace spacecrab
