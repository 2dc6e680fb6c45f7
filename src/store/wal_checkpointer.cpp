#include "store/wal_checkpointer.h"

#include <spdlog/spdlog.h>

#include "core/background_thread.h"
#include "store/sqlite_db.h"

namespace spacecrab {

Expected<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Attach(const std::string& path,
                                                                   SqliteConnection& writer,
                                                                   WalCheckpointOptions options) {
  SC_ASSIGN_OR_RETURN(auto own,
                      SqliteConnection::Open(path, {std::chrono::milliseconds(0), false}));
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer, std::move(own), options));
  // Replaces the auto-checkpoint hook (sqlite3_wal_autocheckpoint is one too).
  sqlite3_wal_hook(writer.raw(), &WalCheckpointer::OnCommit, c.get());
  c->thread_ = std::thread([p = c.get()] { p->Loop(); });
  return c;
}

WalCheckpointer::WalCheckpointer(SqliteConnection& writer, std::unique_ptr<SqliteConnection> own,
                                 WalCheckpointOptions options)
    : writer_(writer), own_(std::move(own)), options_(options) {}

WalCheckpointer::~WalCheckpointer() { Stop(); }

void WalCheckpointer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_wal_autocheckpoint(writer_.raw(), 1000);  // SQLite's default
}

WalCheckpointStats WalCheckpointer::stats() const {
  return {background_.load(), urgent_.load(), inline_.load(), failures_.load()};
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char*, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  c->wal_pages_.store(pages, std::memory_order_relaxed);
  if (pages >= c->options_.inline_pages) {
    c->Checkpoint(db, c->inline_);
  } else if (pages >= c->options_.background_pages) {
    bool was_wanted;
    {
      std::lock_guard lock(c->mu_);
      was_wanted = c->wanted_;
      c->wanted_ = true;
    }
    if (!was_wanted) c->cv_.notify_one();  // the thread is watching for a lull already
  }
  return SQLITE_OK;  // a failed checkpoint never fails the commit that triggered it
}

void WalCheckpointer::Checkpoint(sqlite3* db, std::atomic<uint64_t>& counter) {
  // One at a time: an inline checkpoint waits for a background pass to end
  // (SQLite would answer BUSY and the WAL would keep growing) — that wait is
  // the backpressure on a writer that outruns the thread.
  std::lock_guard run(run_mu_);
  int log = 0, done = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (rc == SQLITE_OK) {
    counter.fetch_add(1, std::memory_order_relaxed);
  } else if (rc != SQLITE_BUSY) {  // BUSY: another checkpoint is running; it does the work
    failures_.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("database checkpoint failed: {}", sqlite3_errmsg(db));
  }
}

bool WalCheckpointer::AwaitLull(std::unique_lock<std::mutex>& lock) {
  int before = wal_pages_.load(std::memory_order_relaxed);
  while (true) {
    if (before >= options_.urgent_pages) {
      urgent_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    if (cv_.wait_for(lock, options_.lull, [this] { return stopping_; })) return false;
    const int now = wal_pages_.load(std::memory_order_relaxed);
    // Smaller: a checkpoint (inline, or the WAL restarted) happened meanwhile.
    if (now < before || now - before < options_.lull_pages) return true;
    before = now;
  }
}

void WalCheckpointer::Loop() {
  MarkBackgroundThread("wal-checkpoint");
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return wanted_ || stopping_; });
    const bool last = stopping_ || !AwaitLull(lock);
    wanted_ = false;
    lock.unlock();
    Checkpoint(own_->raw(), background_);
    lock.lock();
    if (last) return;
  }
}

}  // namespace spacecrab
