// SqliteStore: API keys (hashes only, never secrets) and the audit log.
#include <algorithm>
#include <limits>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"

namespace spacecrab {
namespace {

constexpr const char* kApiKeyColumns =
    "id, name, scope, prefix, secret_hash, created_at, last_used_at, revoked_at";

Expected<ApiKey> ReadApiKey(const Statement& s) {
  ApiKey k;
  k.id = s.Text(0);
  k.name = s.Text(1);
  auto scope = ParseApiScope(s.Text(2));
  if (!scope) return DataLoss("api key " + k.id + " has an unknown scope");
  k.scope = *scope;
  k.prefix = s.Text(3);
  k.secret_hash = s.Text(4);
  k.created_at = s.Time(5);
  k.last_used_at = s.OptionalTime(6);
  k.revoked_at = s.OptionalTime(7);
  return k;
}

}  // namespace

Status SqliteStore::InsertApiKey(const ApiKey& key) {
  if (key.id.empty() || key.secret_hash.empty()) {
    return InvalidArgument("api key needs an id and a secret hash");
  }
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn.Prepare(std::string("INSERT INTO api_keys (") + kApiKeyColumns +
                                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    s.BindAll(key.id, key.name, ToString(key.scope), key.prefix, key.secret_hash, key.created_at,
              key.last_used_at, key.revoked_at);
    Status st = s.Run();
    if (st.code() == StatusCode::kAlreadyExists) {
      // Never echo the hash: it identifies a credential.
      return AlreadyExists("api key " + key.id + " (or its secret) already exists");
    }
    return st;
  });
}

Expected<ApiKey> SqliteStore::FindApiKeyByHash(const std::string& secret_hash) {
  std::optional<ApiKey> out;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("SELECT ") + kApiKeyColumns +
                                                  " FROM api_keys WHERE secret_hash = ?"));
    s.Bind(1, secret_hash);
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NotFound("no such api key");
    SC_ASSIGN_OR_RETURN(out, ReadApiKey(s));
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return std::move(*out);
}

Expected<std::vector<ApiKey>> SqliteStore::ListApiKeys() {
  std::vector<ApiKey> out;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("SELECT ") + kApiKeyColumns +
                                                  " FROM api_keys ORDER BY id"));
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Ok();
      SC_ASSIGN_OR_RETURN(ApiKey k, ReadApiKey(s));
      out.push_back(std::move(k));
    }
  });
  if (!done.ok()) return done;
  return out;
}

Status SqliteStore::RevokeApiKey(const std::string& id, Timestamp at) {
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    // Revoking twice keeps the first revocation time.
    SC_ASSIGN_OR_RETURN(
        Statement s,
        conn.Prepare("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?"));
    s.BindAll(at, id);
    SC_RETURN_IF_ERROR(s.Run());
    if (conn.Changes() == 0) return NotFound("api key " + id + " does not exist");
    return Status::Ok();
  });
}

Status SqliteStore::TouchApiKey(const std::string& id, Timestamp at) {
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    // MAX: concurrent requests may finish out of order; last_used_at never goes back.
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn.Prepare("UPDATE api_keys SET last_used_at = "
                                     "MAX(COALESCE(last_used_at, ?1), ?1) WHERE id = ?2"));
    s.BindAll(at, id);
    SC_RETURN_IF_ERROR(s.Run());
    if (conn.Changes() == 0) return NotFound("api key " + id + " does not exist");
    return Status::Ok();
  });
}

Expected<int64_t> SqliteStore::CountApiKeys() {
  int64_t count = 0;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT COUNT(*) FROM api_keys"));
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) count = s.Int(0);
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return count;
}

// ---- audit -----------------------------------------------------------------------

Status SqliteStore::AppendAudit(const AuditEntry& entry) {
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(
        Statement s, conn.Prepare("INSERT INTO audit_log (at, actor, action, object_id, source_ip, "
                                  "detail_json) VALUES (?, ?, ?, ?, ?, ?)"));
    s.BindAll(entry.at, entry.actor, entry.action, entry.object_id, entry.source_ip,
              entry.detail_json.empty() ? std::string("{}") : entry.detail_json);
    return s.Run();
  });
}

Expected<std::vector<AuditEntry>> SqliteStore::ListAudit(int limit, int64_t before_id) {
  limit = std::clamp(limit, 1, 1000);
  std::vector<AuditEntry> out;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    // Newest first; before_id <= 0 starts from the newest entry.
    SC_ASSIGN_OR_RETURN(
        Statement s, conn.Prepare("SELECT id, at, actor, action, object_id, source_ip, detail_json "
                                  "FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?"));
    s.BindAll(before_id <= 0 ? std::numeric_limits<int64_t>::max() : before_id, int64_t{limit});
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Ok();
      out.push_back(
          AuditEntry{s.Int(0), s.Time(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)});
    }
  });
  if (!done.ok()) return done;
  return out;
}

}  // namespace spacecrab
