#include "store/migrations.h"

#include <string>

namespace spacecrab {
namespace {

// Times are INTEGER unix milliseconds; statuses and kinds are the lower-case
// words of the JSON API, so the database reads naturally in the sqlite3 shell.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE tokens (
  id             TEXT PRIMARY KEY,
  kind           TEXT NOT NULL CHECK (kind IN ('aws', 'decoy')),
  status         TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'expired', 'deleted')),
  access_key_id  TEXT UNIQUE,          -- NULL only while a key is not yet attached
  account_id     TEXT NOT NULL,
  user_name      TEXT NOT NULL,
  arn            TEXT NOT NULL,
  location       TEXT NOT NULL,
  owner          TEXT NOT NULL,
  notes          TEXT NOT NULL,
  tags           TEXT NOT NULL DEFAULT '{}',   -- JSON object, read with the row
  created_at     INTEGER NOT NULL,
  issued_at      INTEGER NOT NULL,
  planted_at     INTEGER,
  expires_at     INTEGER,
  first_used_at  INTEGER,
  last_used_at   INTEGER,
  event_count    INTEGER NOT NULL DEFAULT 0,
  retired_at     INTEGER,
  rotated_from   TEXT NOT NULL DEFAULT '',
  replaced_by    TEXT NOT NULL DEFAULT '',
  sealed_secret  TEXT NOT NULL DEFAULT '',
  change_seq     INTEGER NOT NULL
);
-- List filters keep id order inside each index so paging stays an index walk.
CREATE INDEX tokens_status_id ON tokens (status, id);
CREATE INDEX tokens_kind_id ON tokens (kind, id);
CREATE INDEX tokens_owner_id ON tokens (owner, id);
CREATE INDEX tokens_location_id ON tokens (location, id);  -- covering for the density probe
CREATE INDEX tokens_expires_at ON tokens (expires_at) WHERE expires_at IS NOT NULL;
CREATE UNIQUE INDEX tokens_change_seq ON tokens (change_seq);

-- The same tags as tokens.tags, one row each, so "tokens with tag k=v" is an
-- index walk that already yields token ids in order (no sort before LIMIT).
CREATE TABLE token_tags (
  token_id  TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (token_id, key)
) WITHOUT ROWID;
CREATE INDEX token_tags_key_value ON token_tags (key, value, token_id);
CREATE INDEX token_tags_key ON token_tags (key, token_id);

CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  scope         TEXT NOT NULL CHECK (scope IN ('read', 'deploy', 'admin')),
  prefix        TEXT NOT NULL,
  secret_hash   TEXT NOT NULL UNIQUE,  -- SHA-256 of the secret; the secret is never stored
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
);

CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_id    TEXT NOT NULL,
  source_ip    TEXT NOT NULL,
  detail_json  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_object ON audit_log (object_id);

CREATE TABLE incidents (
  id               TEXT PRIMARY KEY,
  token_id         TEXT NOT NULL REFERENCES tokens (id),
  status           TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  source_ip        TEXT NOT NULL,
  first_seen       INTEGER NOT NULL,
  last_seen        INTEGER NOT NULL,
  event_count      INTEGER NOT NULL DEFAULT 0,
  actions          TEXT NOT NULL DEFAULT '[]',  -- JSON array of "service:Action"
  actions_truncated INTEGER NOT NULL DEFAULT 0,
  services         TEXT NOT NULL DEFAULT '[]',  -- JSON array of short service names
  severity         TEXT NOT NULL DEFAULT '',
  profile          TEXT NOT NULL DEFAULT '',
  trigger_kind     TEXT NOT NULL DEFAULT '',    -- core IncidentTrigger
  retired_token    INTEGER NOT NULL DEFAULT 0,
  allowlisted      INTEGER NOT NULL DEFAULT 0,
  allowlist_reason TEXT NOT NULL DEFAULT '',
  paged            INTEGER NOT NULL DEFAULT 0,
  last_event_id    TEXT NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  acknowledged_at  INTEGER,
  acknowledged_by  TEXT,
  resolved_at      INTEGER,
  resolved_by      TEXT
);
CREATE INDEX incidents_grouping ON incidents (token_id, source_ip, status, last_seen);
CREATE INDEX incidents_status_id ON incidents (status, id);

CREATE TABLE events (
  id               TEXT PRIMARY KEY,     -- CloudTrail eventID
  seq              INTEGER NOT NULL UNIQUE,  -- received order, the paging cursor
  token_id         TEXT NOT NULL REFERENCES tokens (id),
  access_key_id    TEXT NOT NULL,
  event_time       INTEGER NOT NULL,
  event_source     TEXT NOT NULL,
  event_name       TEXT NOT NULL,
  aws_region       TEXT NOT NULL,
  source_ip        TEXT NOT NULL,
  user_agent       TEXT NOT NULL,
  error_code       TEXT NOT NULL,
  request_id       TEXT NOT NULL,
  incident_id      TEXT REFERENCES incidents (id) DEFERRABLE INITIALLY DEFERRED,
  origin           TEXT NOT NULL,
  enrichment_json  TEXT NOT NULL DEFAULT '{}',
  raw_json         TEXT NOT NULL DEFAULT '',
  received_at      INTEGER NOT NULL
);
CREATE INDEX events_token_seq ON events (token_id, seq);
CREATE INDEX events_incident_seq ON events (incident_id, seq) WHERE incident_id IS NOT NULL;
CREATE INDEX events_time ON events (event_time);

CREATE TABLE alert_outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id      TEXT NOT NULL REFERENCES incidents (id),
  sink             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  payload          TEXT NOT NULL,        -- JSON
  state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER
);
CREATE INDEX alert_outbox_due ON alert_outbox (state, next_attempt_at);
CREATE INDEX alert_outbox_incident ON alert_outbox (incident_id);

CREATE TABLE ingest_checkpoints (
  source      TEXT PRIMARY KEY,
  position    TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE quarantine (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  source  TEXT NOT NULL,
  reason  TEXT NOT NULL,
  at      INTEGER NOT NULL
);
)sql";

// The outbox as the dispatcher reads it (SqliteAlertStore): ClaimDue walks one
// sink's pending rows in id order and asks, per row, whether an older row of
// the same incident is still pending. Both are walks of partial indexes that
// stay as small as the backlog however many sent rows pile up. The index on
// (state, next_attempt_at) served no query and cost a write on every lease.
constexpr std::string_view kAlertQueues = R"sql(
DROP INDEX alert_outbox_due;
CREATE INDEX alert_outbox_pending ON alert_outbox (sink, id) WHERE state = 'pending';
CREATE INDEX alert_outbox_pending_incident ON alert_outbox (sink, incident_id, id)
  WHERE state = 'pending';
-- Events no incident has taken yet, in received order (the incident backlog).
CREATE INDEX IF NOT EXISTS events_unassigned ON events (seq) WHERE incident_id IS NULL;
-- One token's incidents, newest first (GET /incidents?token_id=).
CREATE INDEX incidents_token_id ON incidents (token_id, id);
)sql";

// What the IAM provider is about to do, written before the first IAM call
// (SqliteIamIntentLog; provider/iam/iam_intent_log.h). The reconciler only
// ever reads the open ones, so only those are indexed.
constexpr std::string_view kIamIntents = R"sql(
CREATE TABLE iam_intents (
  id                   TEXT PRIMARY KEY,
  kind                 TEXT NOT NULL CHECK (kind IN ('mint', 'rotate', 'delete')),
  state                TEXT NOT NULL
                         CHECK (state IN ('pending', 'key_created', 'done', 'rolled_back')),
  account_id           TEXT NOT NULL,
  user_name            TEXT NOT NULL,
  path                 TEXT NOT NULL,
  access_key_id        TEXT NOT NULL,
  other_access_key_id  TEXT NOT NULL,
  started_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  note                 TEXT NOT NULL
);
CREATE INDEX iam_intents_open ON iam_intents (started_at)
  WHERE state IN ('pending', 'key_created');
)sql";

// Keys minted ahead of demand by a warm pool (provider/warm_pool.h), secrets
// sealed; a row leaves when its key's token is stored.
constexpr std::string_view kKeyPool = R"sql(
CREATE TABLE key_pool (
  access_key_id  TEXT PRIMARY KEY,
  kind           TEXT NOT NULL CHECK (kind IN ('aws', 'decoy')),
  account_id     TEXT NOT NULL,
  user_name      TEXT NOT NULL,
  arn            TEXT NOT NULL,
  region         TEXT NOT NULL,
  endpoint_url   TEXT NOT NULL,
  sealed_secret  TEXT NOT NULL,
  token_secret   TEXT NOT NULL,
  minted_at      INTEGER NOT NULL
);
CREATE INDEX key_pool_account ON key_pool (account_id, minted_at);
)sql";

constexpr SqliteMigration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "alert queue indexes", kAlertQueues},
    {3, "iam intents", kIamIntents},
    {4, "key pool", kKeyPool},
};

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  applied_at INTEGER NOT NULL)";

}  // namespace

std::span<const SqliteMigration> SqliteMigrations() { return kMigrations; }

Expected<int64_t> SchemaVersion(SqliteConnection& conn) {
  SC_RETURN_IF_ERROR(conn.Exec(kCreateMigrationsTable));
  SC_ASSIGN_OR_RETURN(Statement stmt,
                      conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  SC_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : int64_t{0};
}

Status ApplyMigrations(SqliteConnection& conn, std::span<const SqliteMigration> migrations,
                       Timestamp now) {
  SC_ASSIGN_OR_RETURN(int64_t current, SchemaVersion(conn));
  const int64_t latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return FailedPrecondition("database schema version " + std::to_string(current) +
                              " is newer than this build supports (" + std::to_string(latest) +
                              "); upgrade the binary");
  }
  for (const SqliteMigration& m : migrations) {
    if (m.version <= current) continue;
    SqliteTransaction txn(conn);
    SC_RETURN_IF_ERROR(txn.BeginWrite());
    // Another process may have applied it between our check and BEGIN IMMEDIATE.
    bool already = false;
    {
      SC_ASSIGN_OR_RETURN(Statement check,
                          conn.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
      check.Bind(1, m.version);
      SC_ASSIGN_OR_RETURN(already, check.Step());
    }
    if (already) continue;
    Status st = conn.Exec(m.sql);
    if (!st.ok()) {
      return Status(st.code(), "migration " + std::to_string(m.version) + " (" +
                                   std::string(m.name) + "): " + st.message());
    }
    {
      SC_ASSIGN_OR_RETURN(
          Statement record,
          conn.Prepare(
              "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"));
      record.BindAll(m.version, m.name, now);
      SC_RETURN_IF_ERROR(record.Run());
    }
    SC_RETURN_IF_ERROR(txn.Commit());
  }
  return Status::Ok();
}

}  // namespace spacecrab
