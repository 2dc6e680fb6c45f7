// SqliteAlertStore: incidents, the commit of a batch, and the incident backlog.
// The outbox half lives in sqlite_alert_outbox.cpp.
#include "store/sqlite_alert_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite_db.h"
#include "store/sqlite_event_rows.h"

namespace spacecrab {
namespace {

constexpr int kMaxIncidentPage = 1000;

// Column order is the bind order of BindIncident and the read order of ReadIncident.
constexpr const char* kIncidentColumns =
    "id, token_id, status, source_ip, first_seen, last_seen, event_count, actions, "
    "actions_truncated, services, severity, profile, trigger_kind, retired_token, allowlisted, "
    "allowlist_reason, paged, last_event_id, created_at, updated_at, acknowledged_at, "
    "acknowledged_by, resolved_at, resolved_by";

// Every column but id: an incident commit replaces the whole row, as the
// in-memory store does (an upsert, not REPLACE, which would delete the row
// that events and outbox rows reference).
constexpr const char* kIncidentUpsert =
    "INSERT INTO incidents (id, token_id, status, source_ip, first_seen, last_seen, event_count, "
    "actions, actions_truncated, services, severity, profile, trigger_kind, retired_token, "
    "allowlisted, allowlist_reason, paged, last_event_id, created_at, updated_at, "
    "acknowledged_at, acknowledged_by, resolved_at, resolved_by) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
    "token_id = excluded.token_id, status = excluded.status, source_ip = excluded.source_ip, "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
    "event_count = excluded.event_count, actions = excluded.actions, "
    "actions_truncated = excluded.actions_truncated, services = excluded.services, "
    "severity = excluded.severity, profile = excluded.profile, "
    "trigger_kind = excluded.trigger_kind, retired_token = excluded.retired_token, "
    "allowlisted = excluded.allowlisted, allowlist_reason = excluded.allowlist_reason, "
    "paged = excluded.paged, last_event_id = excluded.last_event_id, "
    "created_at = excluded.created_at, updated_at = excluded.updated_at, "
    "acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by, "
    "resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by";

std::string JsonList(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

Expected<std::vector<std::string>> ParseJsonList(const std::string& text, const char* what,
                                                 const std::string& id) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& item : j) {
      if (!item.is_string()) break;
      out.push_back(item.get<std::string>());
    }
    if (out.size() == j.size()) return out;
  }
  return DataLoss(std::string("incident ") + id + ": stored " + what + " is not a list of strings");
}

template <typename T>
Expected<T> ParseWord(std::optional<T> parsed, const char* what, const std::string& id,
                      const std::string& word) {
  if (parsed) return *parsed;
  return DataLoss(std::string("incident ") + id + ": unknown " + what + " '" + word + "'");
}

Expected<Incident> ReadIncident(const Statement& s) {
  Incident i;
  i.id = s.Text(0);
  i.token_id = s.Text(1);
  const std::string status = s.Text(2);
  SC_ASSIGN_OR_RETURN(i.status, ParseWord(ParseIncidentStatus(status), "status", i.id, status));
  i.source_ip = s.Text(3);
  i.first_seen = s.Time(4);
  i.last_seen = s.Time(5);
  i.event_count = s.Int(6);
  SC_ASSIGN_OR_RETURN(i.actions, ParseJsonList(s.Text(7), "actions", i.id));
  i.actions_truncated = s.Int(8) != 0;
  SC_ASSIGN_OR_RETURN(i.services, ParseJsonList(s.Text(9), "services", i.id));
  const std::string severity = s.Text(10);
  SC_ASSIGN_OR_RETURN(i.severity,
                      ParseWord(ParseIncidentSeverity(severity), "severity", i.id, severity));
  const std::string profile = s.Text(11);
  SC_ASSIGN_OR_RETURN(i.profile, ParseWord(ParseIncidentProfile(profile), "profile", i.id, profile));
  const std::string trigger = s.Text(12);
  SC_ASSIGN_OR_RETURN(i.trigger, ParseWord(ParseIncidentTrigger(trigger), "trigger", i.id, trigger));
  i.retired_token = s.Int(13) != 0;
  i.allowlisted = s.Int(14) != 0;
  i.allowlist_reason = s.Text(15);
  i.paged = s.Int(16) != 0;
  i.last_event_id = s.Text(17);
  i.created_at = s.Time(18);
  i.updated_at = s.Time(19);
  i.acknowledged_at = s.OptionalTime(20);
  i.acknowledged_by = s.Text(21);  // NULL reads as ""
  i.resolved_at = s.OptionalTime(22);
  i.resolved_by = s.Text(23);
  return i;
}

void BindIncident(Statement& s, const Incident& i) {
  s.BindAll(i.id, i.token_id, std::string(ToString(i.status)), i.source_ip, i.first_seen,
            i.last_seen, i.event_count, JsonList(i.actions), int64_t{i.actions_truncated},
            JsonList(i.services), std::string(ToString(i.severity)),
            std::string(ToString(i.profile)), std::string(ToString(i.trigger)),
            int64_t{i.retired_token}, int64_t{i.allowlisted}, i.allowlist_reason,
            int64_t{i.paged}, i.last_event_id, i.created_at, i.updated_at);
  s.Bind(21, i.acknowledged_at)
      .BindTextOrNull(22, i.acknowledged_by)
      .Bind(23, i.resolved_at)
      .BindTextOrNull(24, i.resolved_by);
}

// Reads every row of `s` as an incident into `out`, at most `limit` of them;
// true when there was one more.
Expected<bool> ReadIncidents(Statement& s, size_t limit, std::vector<Incident>& out) {
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return false;
    if (out.size() == limit) return true;
    SC_ASSIGN_OR_RETURN(Incident i, ReadIncident(s));
    out.push_back(std::move(i));
  }
}

Status CommitOne(SqliteConnection& conn, const alert::IncidentCommit& c) {
  if (c.incident.id.empty()) return InvalidArgument("an incident needs an id");
  {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(kIncidentUpsert));
    BindIncident(s, c.incident);
    const Status st = s.Run();
    if (!st.ok()) {
      return Status(st.code(), "incident " + c.incident.id + " of token " + c.incident.token_id +
                                   ": " + st.message());
    }
  }
  for (const std::string& event_id : c.event_ids) {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("UPDATE events SET incident_id = ? WHERE id = ?"));
    s.BindAll(c.incident.id, event_id);
    SC_RETURN_IF_ERROR(s.Run());
  }
  for (const alert::OutboxRow& r : c.outbox) {
    // id, incident_id, state and attempts are the store's; the rest is kept as queued.
    SC_ASSIGN_OR_RETURN(
        Statement s,
        conn.Prepare("INSERT INTO alert_outbox (incident_id, sink, kind, payload, state, attempts, "
                     "next_attempt_at, last_error, created_at, sent_at) "
                     "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)"));
    s.BindAll(c.incident.id, r.sink, std::string(ToString(r.kind)), r.payload, r.next_attempt_at,
              r.last_error, r.created_at, r.sent_at);
    const Status st = s.Run();
    if (!st.ok()) {
      return Status(st.code(), "outbox row for incident " + c.incident.id + ", sink " + r.sink +
                                   ": " + st.message());
    }
  }
  return Status::Ok();
}

}  // namespace

SqliteAlertStore::SqliteAlertStore(std::shared_ptr<SqliteStore> db) : db_(std::move(db)) {}

SqliteAlertStore::~SqliteAlertStore() = default;

Expected<std::optional<Incident>> SqliteAlertStore::FindOpenIncident(
    const std::string& token_id, const std::string& source_ip) {
  std::optional<Incident> found;
  // status IN (...) rather than <> 'resolved' keeps all three columns of
  // incidents_grouping usable; ties on last_seen go to the smaller id.
  const Status done = db_->WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(
        Statement s, conn.Prepare(std::string("SELECT ") + kIncidentColumns +
                                  " FROM incidents WHERE token_id = ? AND source_ip = ? AND "
                                  "status IN ('open', 'acknowledged') "
                                  "ORDER BY last_seen DESC, id LIMIT 1"));
    s.BindAll(token_id, source_ip);
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    SC_ASSIGN_OR_RETURN(Incident i, ReadIncident(s));
    found = std::move(i);
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return found;
}

Expected<Incident> SqliteAlertStore::GetIncident(const std::string& id) {
  std::optional<Incident> found;
  const Status done = db_->WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("SELECT ") + kIncidentColumns +
                                                  " FROM incidents WHERE id = ?"));
    s.Bind(1, id);
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NotFound("incident " + id + " does not exist");
    SC_ASSIGN_OR_RETURN(Incident i, ReadIncident(s));
    found = std::move(i);
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return std::move(*found);
}

Expected<alert::IncidentPage> SqliteAlertStore::ListIncidents(const alert::IncidentFilter& f) {
  const int limit = std::clamp(f.limit, 1, kMaxIncidentPage);
  std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE 1 = 1";
  if (!f.after_id.empty()) sql += " AND id < ?";
  if (f.status) sql += " AND status = ?";
  if (!f.token_id.empty()) sql += " AND token_id = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  alert::IncidentPage page;
  const Status done = db_->WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(sql));
    int n = 0;
    if (!f.after_id.empty()) s.Bind(++n, f.after_id);
    if (f.status) s.Bind(++n, ToString(*f.status));
    if (!f.token_id.empty()) s.Bind(++n, f.token_id);
    s.Bind(++n, int64_t{limit} + 1);
    SC_ASSIGN_OR_RETURN(bool more, ReadIncidents(s, static_cast<size_t>(limit), page.items));
    if (more) page.next_cursor = page.items.back().id;
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return page;
}

Status SqliteAlertStore::CommitIncidents(std::span<const alert::IncidentCommit> commits) {
  if (commits.empty()) return Status::Ok();
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    for (const alert::IncidentCommit& c : commits) SC_RETURN_IF_ERROR(CommitOne(conn, c));
    return Status::Ok();
  });
}

Expected<HoneyToken> SqliteAlertStore::GetToken(const std::string& token_id) {
  return db_->GetToken(token_id);
}

Expected<std::vector<Event>> SqliteAlertStore::ListUnassignedEvents(int limit) {
  std::vector<Event> out;
  if (limit <= 0) return out;  // a negative LIMIT means "no limit" to SQLite
  const Status done = db_->WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn.Prepare(std::string("SELECT ") + kSqliteEventColumns +
                                     " FROM events WHERE incident_id IS NULL ORDER BY seq LIMIT ?"));
    s.Bind(1, int64_t{limit});
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Ok();
      out.push_back(ReadSqliteEvent(s));
    }
  });
  if (!done.ok()) return done;
  return out;
}

}  // namespace spacecrab
