#include "store/sqlite_db.h"

#include <mutex>
#include <string>

#include "store/wal_batching_vfs.h"

namespace spacecrab {

Status SqliteStatus(sqlite3* db, int rc, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string msg(context);
  msg += ": ";
  // sqlite3_errmsg describes the connection's most recent error; when the
  // code we were handed is not that one (e.g. a remembered bind failure),
  // fall back to the generic text for the code.
  const bool db_matches = db != nullptr && sqlite3_extended_errcode(db) == rc;
  msg += db_matches ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return Unavailable(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(std::move(msg));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExists(std::move(msg));
      }
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return FailedPrecondition(std::move(msg));
      return InvalidArgument(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

// ---- Statement ---------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_rc_(other.bind_rc_), bind_index_(other.bind_index_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    // Return the cached statement to a clean state for its next borrower.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries are safe to pass.
  const int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<Timestamp>& t) {
  return t ? Bind(index, ToUnixMillis(*t)) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
  return *this;
}

Statement& Statement::BindTextOrNull(int index, std::string_view text) {
  return text.empty() ? BindNull(index) : Bind(index, text);
}

Expected<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    return SqliteStatus(
        nullptr, bind_rc_,
        "binding parameter " + std::to_string(bind_index_) + " of " + sqlite3_sql(stmt_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(db_, sqlite3_extended_errcode(db_), "executing statement");
}

Status Statement::Run() {
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<Timestamp> Statement::OptionalTime(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Time(col);
}

// ---- SqliteConnection ----------------------------------------------------------

namespace {

// Before SQLite's first use: no process-wide memory statistics. They are kept
// under one global mutex that every SQLite allocation of every connection
// takes (many threads' reads and writes contending on it); nothing here reads
// them. Fails harmlessly (SQLITE_MISUSE) if SQLite was already initialised.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Expected<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, const ConnectionOptions& options) {
  ConfigureSqliteOnce();
  sqlite3* raw = nullptr;
  // NOMUTEX: the pool guarantees one thread per connection at a time.
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, WalBatchingVfsName());
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(raw));
  if (rc != SQLITE_OK) {
    return SqliteStatus(raw, rc, "opening database " + path);
  }
  sqlite3_extended_result_codes(raw, 1);
  // busy_timeout first: switching to WAL itself may wait for another process.
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  std::string pragmas =
      "PRAGMA foreign_keys=ON;"
      "PRAGMA synchronous=NORMAL;"
      "PRAGMA temp_store=MEMORY;"
      "PRAGMA cache_size=-16384;";  // 16 MiB per connection
  // journal_mode=WAL is persistent in the file; the writer sets it, readers inherit it.
  if (path != ":memory:" && !options.read_only) pragmas += "PRAGMA journal_mode=WAL;";
  if (options.read_only) pragmas += "PRAGMA query_only=ON;";
  Status st = conn->Exec(pragmas);
  if (!st.ok()) return Status(st.code(), "configuring database " + path + ": " + st.message());
  return conn;
}

SqliteConnection::~SqliteConnection() = default;

Status SqliteConnection::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // the same text is available from sqlite3_errmsg
  if (rc != SQLITE_OK) {
    return SqliteStatus(db_.get(), sqlite3_extended_errcode(db_.get()), "executing SQL");
  }
  return Status::Ok();
}

Expected<Statement> SqliteConnection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return SqliteStatus(db_.get(), sqlite3_extended_errcode(db_.get()), "preparing statement");
    }
    it = cache_.emplace(sql, std::unique_ptr<sqlite3_stmt, SqliteStmtDeleter>(stmt)).first;
  }
  return Statement(db_.get(), it->second.get());
}

// ---- SqliteTransaction ---------------------------------------------------------

SqliteTransaction::~SqliteTransaction() {
  if (open_) (void)conn_.Exec("ROLLBACK");
}

Status SqliteTransaction::BeginWrite() {
  SC_RETURN_IF_ERROR(conn_.Exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status::Ok();
}

Status SqliteTransaction::BeginRead() {
  SC_RETURN_IF_ERROR(conn_.Exec("BEGIN"));
  open_ = true;
  return Status::Ok();
}

Status SqliteTransaction::Commit() {
  SC_RETURN_IF_ERROR(conn_.Exec("COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace spacecrab
