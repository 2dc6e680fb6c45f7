// Thin RAII layer over the SQLite C API: one connection, cached prepared
// statements, and the one place SQLite result codes become a Status.
//
// Thread-safety: a SqliteConnection (and every Statement borrowed from it)
// must be used by one thread at a time; SqliteStore hands connections out
// from a pool to guarantee that.
// Ownership: the connection owns its sqlite3* and every cached statement; a
// Statement is a borrowed handle that resets its statement when it goes away,
// so it must not outlive the connection.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "core/time.h"

namespace spacecrab {

// SQLite result code -> Status. `context` says what was being done; the
// message carries sqlite3_errmsg (which never contains bound values).
//   BUSY/LOCKED/IOERR/FULL/CANTOPEN -> kUnavailable
//   CONSTRAINT_UNIQUE/PRIMARYKEY   -> kAlreadyExists
//   CONSTRAINT_FOREIGNKEY          -> kFailedPrecondition
//   CORRUPT/NOTADB                 -> kDataLoss
//   anything else                  -> kInternal
Status SqliteStatus(sqlite3* db, int rc, std::string_view context);

struct SqliteStmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
struct SqliteDbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// A borrowed prepared statement. Binding is 1-based, as in SQLite. Bind
// failures (out of range, out of memory) are remembered and reported by the
// next Step/Run, so call sites stay linear.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, Timestamp t) { return Bind(index, ToUnixMillis(t)); }
  Statement& Bind(int index, const std::optional<Timestamp>& t);
  Statement& BindNull(int index);
  // Empty string -> NULL (for optional references and nullable unique keys).
  Statement& BindTextOrNull(int index, std::string_view text);

  // Binds the arguments to parameters 1..N in order.
  template <typename... Args>
  Statement& BindAll(const Args&... args) {
    int i = 0;
    (Bind(++i, args), ...);
    return *this;
  }

  // Advances one row: true when a row is available, false when done.
  Expected<bool> Step();
  // Steps to completion, ignoring any rows.
  Status Run();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const;
  Timestamp Time(int col) const { return FromUnixMillis(Int(col)); }
  std::optional<Timestamp> OptionalTime(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
  int bind_index_ = 0;
};

struct ConnectionOptions {
  std::chrono::milliseconds busy_timeout{5000};
  bool read_only = false;  // query_only: a bug that writes through a reader fails loudly
};

class SqliteConnection {
 public:
  // Opens (creating if needed) and applies the per-connection pragmas:
  // foreign_keys=ON, synchronous=NORMAL, busy_timeout, and WAL mode
  // (journal_mode is persistent, so setting it on every open is harmless).
  static Expected<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                          const ConnectionOptions& options);
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();

  // Runs one or more statements without results (DDL, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  // A statement prepared once per connection and reused afterwards.
  Expected<Statement> Prepare(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }
  sqlite3* raw() const { return db_.get(); }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  // Declared first so cached statements are finalized before the close.
  std::unique_ptr<sqlite3, SqliteDbDeleter> db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, SqliteStmtDeleter>> cache_;
};

// One transaction on a connection; rolls back unless Commit() succeeded.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteConnection& conn) : conn_(conn) {}
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();

  // BEGIN IMMEDIATE takes the write lock up front, so a transaction never
  // fails half-way with SQLITE_BUSY when upgrading from read to write.
  Status BeginWrite();
  // BEGIN DEFERRED: a consistent snapshot for several reads.
  Status BeginRead();
  Status Commit();

 private:
  SqliteConnection& conn_;
  bool open_ = false;
};

}  // namespace spacecrab
