// SqliteStore: connections, transactions, migrations and checkpoints. The
// token, event and API key/audit methods live in sqlite_*_store.cpp.
#include "store/sqlite_store.h"

#include "core/clock.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"

namespace spacecrab {

Expected<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.path.empty()) return InvalidArgument("sqlite store: empty database path");
  SC_ASSIGN_OR_RETURN(auto writer,
                      SqliteConnection::Open(options.path, {options.busy_timeout, false}));
  // Touch the schema so a file that is not a database fails here, not later.
  SC_RETURN_IF_ERROR(writer->Exec("SELECT COUNT(*) FROM sqlite_schema"));
  std::unique_ptr<SqliteStore> store(new SqliteStore(options, std::move(writer)));
  if (!store->in_memory_) {
    SC_ASSIGN_OR_RETURN(store->checkpointer_,
                        WalCheckpointer::Attach(options.path, *store->writer_));
  }
  return store;
}

SqliteStore::SqliteStore(SqliteStoreOptions options, std::unique_ptr<SqliteConnection> writer)
    : options_(std::move(options)),
      in_memory_(options_.path == ":memory:"),
      writer_(std::move(writer)) {}

// Connections close in member order after this; no statement outlives them.
// (No "PRAGMA optimize" here on purpose: planner statistics would change the
// query plans the token listing relies on; see sqlite_token_query.h.)
SqliteStore::~SqliteStore() = default;

Status SqliteStore::WithWriteTransaction(const ConnectionFn& fn) {
  std::lock_guard lock(write_mu_);
  SqliteTransaction txn(*writer_);
  SC_RETURN_IF_ERROR(txn.BeginWrite());
  SC_RETURN_IF_ERROR(fn(*writer_));
  return txn.Commit();
}

Status SqliteStore::WithReader(const ConnectionFn& fn) {
  if (in_memory_) {
    std::lock_guard lock(write_mu_);
    return fn(*writer_);
  }
  SC_ASSIGN_OR_RETURN(auto conn, AcquireReader());
  Status st = fn(*conn);
  ReleaseReader(std::move(conn));
  return st;
}

Expected<std::unique_ptr<SqliteConnection>> SqliteStore::AcquireReader() {
  {
    std::unique_lock lock(pool_mu_);
    const int max_readers = options_.max_readers < 1 ? 1 : options_.max_readers;
    pool_cv_.wait(lock, [&] { return !idle_readers_.empty() || open_readers_ < max_readers; });
    if (!idle_readers_.empty()) {
      auto conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return conn;
    }
    ++open_readers_;  // reserve the slot, then open without holding the lock
  }
  auto conn = SqliteConnection::Open(options_.path, {options_.busy_timeout, true});
  if (!conn.ok()) {
    std::lock_guard lock(pool_mu_);
    --open_readers_;
    pool_cv_.notify_one();
  }
  return conn;
}

void SqliteStore::ReleaseReader(std::unique_ptr<SqliteConnection> conn) {
  std::lock_guard lock(pool_mu_);
  idle_readers_.push_back(std::move(conn));
  pool_cv_.notify_one();
}

Status SqliteStore::Migrate() {
  std::lock_guard lock(write_mu_);
  return ApplyMigrations(*writer_, SqliteMigrations(), SystemClock().Now());
}

Expected<int64_t> SqliteStore::SchemaVersion() {
  std::lock_guard lock(write_mu_);
  return spacecrab::SchemaVersion(*writer_);
}

Status SqliteStore::Ping() {
  return WithReader([](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT COUNT(*) FROM schema_migrations"));
    return stmt.Run();
  });
}

// ---- ingest checkpoints ----------------------------------------------------------

Expected<std::optional<Checkpoint>> SqliteStore::GetCheckpoint(const std::string& source) {
  std::optional<Checkpoint> result;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("SELECT position, updated_at FROM ingest_checkpoints WHERE source = ?"));
    stmt.Bind(1, source);
    SC_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (row) result = Checkpoint{source, stmt.Text(0), stmt.Time(1)};
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return result;
}

Status SqliteStore::PutCheckpoint(const Checkpoint& checkpoint) {
  if (checkpoint.source.empty()) return InvalidArgument("checkpoint source is empty");
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("INSERT INTO ingest_checkpoints (source, position, updated_at) "
                     "VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE SET "
                     "position = excluded.position, updated_at = excluded.updated_at"));
    stmt.BindAll(checkpoint.source, checkpoint.position, checkpoint.updated_at);
    return stmt.Run();
  });
}

}  // namespace spacecrab
