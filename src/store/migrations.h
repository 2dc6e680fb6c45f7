// Versioned schema migrations for the SQLite store.
//
// Each migration has a version (1, 2, ...) and runs at most once, in its own
// transaction, recorded in `schema_migrations`. To change the schema, append a
// new migration to the list in migrations.cpp; never edit a released one.
//
// Failure: a database whose recorded version is newer than this binary knows
// is refused (kFailedPrecondition) rather than used with a schema we do not
// understand.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"
#include "store/sqlite_db.h"

namespace spacecrab {

struct SqliteMigration {
  int64_t version;
  std::string_view name;
  std::string_view sql;
};

// Every migration, in version order.
std::span<const SqliteMigration> SqliteMigrations();

// Applies the pending migrations of `migrations` to `conn`. Idempotent.
// REQUIRES: no other writer uses `conn` meanwhile; versions strictly increase.
Status ApplyMigrations(SqliteConnection& conn, std::span<const SqliteMigration> migrations,
                       Timestamp now);

// Highest applied version (0 for a fresh database).
Expected<int64_t> SchemaVersion(SqliteConnection& conn);

}  // namespace spacecrab
