#include "alert/sqlite_alert_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace spacecrab::alert {
namespace {

// The proposed migration 2 (README.md), applied only when missing.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE incidents ADD COLUMN services          TEXT    NOT NULL DEFAULT '[]';
ALTER TABLE incidents ADD COLUMN actions_truncated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN trigger_kind      TEXT    NOT NULL DEFAULT 'first_use';
ALTER TABLE incidents ADD COLUMN retired_token     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN allowlisted       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN allowlist_reason  TEXT    NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN paged             INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN last_event_id     TEXT    NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS alert_outbox_sink_queue ON alert_outbox (sink, incident_id, state, id);
CREATE INDEX IF NOT EXISTS events_unassigned ON events (seq) WHERE incident_id IS NULL;
)sql";

constexpr const char* kIncidentColumns =
    "id, token_id, status, source_ip, first_seen, last_seen, event_count, actions, severity, "
    "profile, created_at, updated_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, "
    "services, actions_truncated, trigger_kind, retired_token, allowlisted, allowlist_reason, "
    "paged, last_event_id";

constexpr const char* kOutboxColumns =
    "id, incident_id, sink, kind, payload, state, attempts, created_at, next_attempt_at, "
    "last_error, sent_at";

std::string JsonList(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::vector<std::string> ParseList(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

Incident ReadIncident(const Statement& s) {
  Incident i;
  i.id = s.Text(0);
  i.token_id = s.Text(1);
  i.status = ParseIncidentStatus(s.Text(2)).value_or(IncidentStatus::kOpen);
  i.source_ip = s.Text(3);
  i.first_seen = s.Time(4);
  i.last_seen = s.Time(5);
  i.event_count = s.Int(6);
  i.actions = ParseList(s.Text(7));
  i.severity = ParseIncidentSeverity(s.Text(8)).value_or(IncidentSeverity::kCritical);
  i.profile = ParseIncidentProfile(s.Text(9)).value_or(IncidentProfile::kSingleProbe);
  i.created_at = s.Time(10);
  i.updated_at = s.Time(11);
  i.acknowledged_at = s.OptionalTime(12);
  i.acknowledged_by = s.IsNull(13) ? "" : s.Text(13);
  i.resolved_at = s.OptionalTime(14);
  i.resolved_by = s.IsNull(15) ? "" : s.Text(15);
  i.services = ParseList(s.Text(16));
  i.actions_truncated = s.Int(17) != 0;
  i.trigger = ParseIncidentTrigger(s.Text(18)).value_or(IncidentTrigger::kFirstUse);
  i.retired_token = s.Int(19) != 0;
  i.allowlisted = s.Int(20) != 0;
  i.allowlist_reason = s.Text(21);
  i.paged = s.Int(22) != 0;
  i.last_event_id = s.Text(23);
  return i;
}

OutboxRow ReadRow(const Statement& s) {
  OutboxRow r;
  r.id = s.Int(0);
  r.incident_id = s.Text(1);
  r.sink = s.Text(2);
  r.kind = ParseAlertKind(s.Text(3)).value_or(AlertKind::kTrigger);
  r.payload = s.Text(4);
  std::string state = s.Text(5);
  r.state = state == "sent"   ? OutboxState::kSent
            : state == "dead" ? OutboxState::kDead
                              : OutboxState::kPending;
  r.attempts = static_cast<int>(s.Int(6));
  r.created_at = s.Time(7);
  r.next_attempt_at = s.Time(8);
  r.last_error = s.Text(9);
  r.sent_at = s.OptionalTime(10);
  return r;
}

Status WriteIncident(SqliteConnection& c, const Incident& i) {
  SC_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare(std::string("INSERT INTO incidents (") + kIncidentColumns +
                ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,"
                "?20,?21,?22,?23,?24) ON CONFLICT(id) DO UPDATE SET status=excluded.status, "
                "first_seen=excluded.first_seen, last_seen=excluded.last_seen, "
                "event_count=excluded.event_count, actions=excluded.actions, "
                "severity=excluded.severity, profile=excluded.profile, "
                "updated_at=excluded.updated_at, acknowledged_at=excluded.acknowledged_at, "
                "acknowledged_by=excluded.acknowledged_by, resolved_at=excluded.resolved_at, "
                "resolved_by=excluded.resolved_by, services=excluded.services, "
                "actions_truncated=excluded.actions_truncated, "
                "trigger_kind=excluded.trigger_kind, retired_token=excluded.retired_token, "
                "allowlisted=excluded.allowlisted, allowlist_reason=excluded.allowlist_reason, "
                "paged=excluded.paged, last_event_id=excluded.last_event_id"));
  s.Bind(1, i.id).Bind(2, i.token_id).Bind(3, ToString(i.status)).Bind(4, i.source_ip);
  s.Bind(5, i.first_seen).Bind(6, i.last_seen).Bind(7, i.event_count);
  s.Bind(8, JsonList(i.actions)).Bind(9, ToString(i.severity)).Bind(10, ToString(i.profile));
  s.Bind(11, i.created_at).Bind(12, i.updated_at).Bind(13, i.acknowledged_at);
  s.BindTextOrNull(14, i.acknowledged_by).Bind(15, i.resolved_at).BindTextOrNull(16, i.resolved_by);
  s.Bind(17, JsonList(i.services)).Bind(18, int64_t(i.actions_truncated));
  s.Bind(19, ToString(i.trigger)).Bind(20, int64_t(i.retired_token));
  s.Bind(21, int64_t(i.allowlisted)).Bind(22, i.allowlist_reason).Bind(23, int64_t(i.paged));
  s.Bind(24, i.last_event_id);
  return s.Run();
}

Status Lease(SqliteConnection& c, int64_t id, Timestamp until) {
  SC_ASSIGN_OR_RETURN(Statement s,
                      c.Prepare("UPDATE alert_outbox SET next_attempt_at = ?2 WHERE id = ?1"));
  return s.Bind(1, id).Bind(2, until).Run();
}

}  // namespace

SqliteAlertStore::SqliteAlertStore(std::unique_ptr<SqliteConnection> conn, Store* tokens)
    : conn_(std::move(conn)), tokens_(tokens) {}

SqliteAlertStore::~SqliteAlertStore() = default;

Expected<std::unique_ptr<SqliteAlertStore>> SqliteAlertStore::Open(
    const SqliteAlertStoreOptions& o) {
  if (!o.tokens) return InvalidArgument("SqliteAlertStore needs the token store");
  SC_ASSIGN_OR_RETURN(auto conn, SqliteConnection::Open(o.path, ConnectionOptions{}));
  std::unique_ptr<SqliteAlertStore> store(new SqliteAlertStore(std::move(conn), o.tokens));
  SC_RETURN_IF_ERROR(store->EnsureSchema());
  return store;
}

Status SqliteAlertStore::EnsureSchema() {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(Statement s, conn_->Prepare("SELECT count(*) FROM pragma_table_info("
                                                  "'incidents') WHERE name = 'trigger_kind'"));
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  if (row && s.Int(0) > 0) return Status::Ok();
  SqliteTransaction tx(*conn_);
  SC_RETURN_IF_ERROR(tx.BeginWrite());
  SC_RETURN_IF_ERROR(conn_->Exec(kSchemaV2));
  return tx.Commit();
}

Expected<std::optional<Incident>> SqliteAlertStore::FindOpenIncident(const std::string& token_id,
                                                                     const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(Statement s,
                      conn_->Prepare(std::string("SELECT ") + kIncidentColumns +
                                     " FROM incidents WHERE token_id = ?1 AND source_ip = ?2 AND "
                                     "status <> 'resolved' ORDER BY last_seen DESC LIMIT 1"));
  s.Bind(1, token_id).Bind(2, ip);
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Incident>();
  return std::optional<Incident>(ReadIncident(s));
}

Expected<Incident> SqliteAlertStore::GetIncident(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(Statement s, conn_->Prepare(std::string("SELECT ") + kIncidentColumns +
                                                  " FROM incidents WHERE id = ?1"));
  s.Bind(1, id);
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("incident " + id + " does not exist");
  return ReadIncident(s);
}

Expected<IncidentPage> SqliteAlertStore::ListIncidents(const IncidentFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  const int limit = std::clamp(f.limit, 1, 1000);
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn_->Prepare(std::string("SELECT ") + kIncidentColumns +
                     " FROM incidents WHERE (?1 = '' OR id < ?1) AND (?2 = '' OR status = ?2) "
                     "AND (?3 = '' OR token_id = ?3) ORDER BY id DESC LIMIT ?4"));
  s.Bind(1, f.after_id).Bind(2, f.status ? std::string(ToString(*f.status)) : std::string());
  s.Bind(3, f.token_id).Bind(4, int64_t(limit + 1));
  IncidentPage page;
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = page.items.back().id;
      break;
    }
    page.items.push_back(ReadIncident(s));
  }
  return page;
}

Status SqliteAlertStore::CommitIncidents(std::span<const IncidentCommit> commits) {
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(*conn_);
  SC_RETURN_IF_ERROR(tx.BeginWrite());
  for (const auto& c : commits) {
    SC_RETURN_IF_ERROR(WriteIncident(*conn_, c.incident));
    for (const auto& e : c.event_ids) {
      SC_ASSIGN_OR_RETURN(Statement s,
                          conn_->Prepare("UPDATE events SET incident_id = ?1 WHERE id = ?2"));
      SC_RETURN_IF_ERROR(s.Bind(1, c.incident.id).Bind(2, e).Run());
    }
    for (const auto& r : c.outbox) {
      SC_ASSIGN_OR_RETURN(
          Statement s,
          conn_->Prepare("INSERT INTO alert_outbox (incident_id, sink, kind, payload, state, "
                         "attempts, next_attempt_at, last_error, created_at) "
                         "VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, '', ?6)"));
      s.Bind(1, c.incident.id).Bind(2, r.sink).Bind(3, ToString(r.kind)).Bind(4, r.payload);
      SC_RETURN_IF_ERROR(s.Bind(5, r.next_attempt_at).Bind(6, r.created_at).Run());
    }
  }
  return tx.Commit();
}

Expected<HoneyToken> SqliteAlertStore::GetToken(const std::string& token_id) {
  return tokens_->GetToken(token_id);
}

Expected<std::vector<Event>> SqliteAlertStore::ListUnassignedEvents(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn_->Prepare("SELECT id, token_id, access_key_id, event_time, event_source, event_name, "
                     "aws_region, source_ip, user_agent, error_code, request_id, origin, "
                     "enrichment_json, received_at FROM events WHERE incident_id IS NULL "
                     "ORDER BY seq LIMIT ?1"));
  s.Bind(1, int64_t(std::max(1, limit)));
  std::vector<Event> out;
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Event e;
    e.id = s.Text(0);
    e.token_id = s.Text(1);
    e.access_key_id = s.Text(2);
    e.event_time = s.Time(3);
    e.event_source = s.Text(4);
    e.event_name = s.Text(5);
    e.aws_region = s.Text(6);
    e.source_ip = s.Text(7);
    e.user_agent = s.Text(8);
    e.error_code = s.Text(9);
    e.request_id = s.Text(10);
    e.origin = s.Text(11);
    e.enrichment_json = s.Text(12);
    e.received_at = s.Time(13);
    out.push_back(std::move(e));
  }
  return out;
}

Expected<std::vector<OutboxRow>> SqliteAlertStore::ClaimDue(const std::string& sink, Timestamp now,
                                                            std::chrono::milliseconds lease,
                                                            int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(*conn_);
  SC_RETURN_IF_ERROR(tx.BeginWrite());
  std::vector<OutboxRow> rows;
  {
    SC_ASSIGN_OR_RETURN(
        Statement s,
        conn_->Prepare(std::string("SELECT ") + kOutboxColumns +
                       " FROM alert_outbox o WHERE o.sink = ?1 AND o.state = 'pending' AND "
                       "o.next_attempt_at <= ?2 AND NOT EXISTS (SELECT 1 FROM alert_outbox p "
                       "WHERE p.sink = o.sink AND p.incident_id = o.incident_id AND "
                       "p.state = 'pending' AND p.id < o.id) ORDER BY o.id LIMIT ?3"));
    s.Bind(1, sink).Bind(2, now).Bind(3, int64_t(std::max(1, limit)));
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      rows.push_back(ReadRow(s));
    }
  }
  for (auto& r : rows) {
    r.next_attempt_at = now + lease;
    SC_RETURN_IF_ERROR(Lease(*conn_, r.id, r.next_attempt_at));
  }
  SC_RETURN_IF_ERROR(tx.Commit());
  return rows;
}

Expected<OutboxRow> SqliteAlertStore::CoalesceUpdates(const OutboxRow& head, Timestamp now,
                                                      std::chrono::milliseconds lease) {
  if (head.kind != AlertKind::kUpdate) return head;
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(*conn_);
  SC_RETURN_IF_ERROR(tx.BeginWrite());
  std::vector<int64_t> run;
  {
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn_->Prepare("SELECT id, kind FROM alert_outbox WHERE sink = ?1 AND "
                                       "incident_id = ?2 AND state = 'pending' AND id > ?3 "
                                       "ORDER BY id"));
    s.Bind(1, head.sink).Bind(2, head.incident_id).Bind(3, head.id);
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row || s.Text(1) != "update") break;
      run.push_back(s.Int(0));
    }
  }
  if (run.empty()) return head;
  const int64_t newest = run.back();
  run.pop_back();
  run.push_back(head.id);
  for (int64_t id : run) {
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn_->Prepare("UPDATE alert_outbox SET state = 'sent', sent_at = ?2, "
                                       "last_error = ?3 WHERE id = ?1"));
    SC_RETURN_IF_ERROR(
        s.Bind(1, id).Bind(2, now).Bind(3, "superseded by #" + std::to_string(newest)).Run());
  }
  SC_RETURN_IF_ERROR(Lease(*conn_, newest, now + lease));
  OutboxRow out;
  {
    SC_ASSIGN_OR_RETURN(Statement s, conn_->Prepare(std::string("SELECT ") + kOutboxColumns +
                                                    " FROM alert_outbox WHERE id = ?1"));
    s.Bind(1, newest);
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Internal("outbox row vanished during coalescing");
    out = ReadRow(s);
  }
  SC_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Status SqliteAlertStore::MarkSent(int64_t id, Timestamp at) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(Statement s, conn_->Prepare("UPDATE alert_outbox SET state = 'sent', "
                                                  "sent_at = ?2, last_error = '' WHERE id = ?1"));
  return s.Bind(1, id).Bind(2, at).Run();
}

Status SqliteAlertStore::MarkRetry(int64_t id, Timestamp next, const std::string& error,
                                   bool attempted) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn_->Prepare("UPDATE alert_outbox SET state = 'pending', next_attempt_at = ?2, "
                     "last_error = CASE WHEN ?3 = '' THEN last_error ELSE ?3 END, "
                     "attempts = attempts + ?4 WHERE id = ?1"));
  return s.Bind(1, id).Bind(2, next).Bind(3, error).Bind(4, int64_t(attempted ? 1 : 0)).Run();
}

Status SqliteAlertStore::MarkDead(int64_t id, Timestamp at, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(Statement s,
                      conn_->Prepare("UPDATE alert_outbox SET state = 'dead', sent_at = ?2, "
                                     "attempts = attempts + 1, last_error = ?3 WHERE id = ?1"));
  return s.Bind(1, id).Bind(2, at).Bind(3, error).Run();
}

Expected<std::vector<OutboxRow>> SqliteAlertStore::ListOutbox(const OutboxFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn_->Prepare(std::string("SELECT ") + kOutboxColumns +
                     " FROM alert_outbox WHERE id > ?1 AND (?2 = '' OR state = ?2) AND "
                     "(?3 = '' OR sink = ?3) AND (?4 = '' OR incident_id = ?4) ORDER BY id "
                     "LIMIT ?5"));
  s.Bind(1, f.after_id).Bind(2, f.state ? std::string(ToString(*f.state)) : std::string());
  s.Bind(3, f.sink).Bind(4, f.incident_id).Bind(5, int64_t(std::clamp(f.limit, 1, 100000)));
  std::vector<OutboxRow> out;
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadRow(s));
  }
  return out;
}

Expected<int64_t> SqliteAlertStore::RequeueDead(const OutboxFilter& f, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn_->Prepare("UPDATE alert_outbox SET state = 'pending', next_attempt_at = ?1, "
                     "attempts = 0 WHERE state = 'dead' AND (?2 = '' OR sink = ?2) AND "
                     "(?3 = '' OR incident_id = ?3)"));
  SC_RETURN_IF_ERROR(s.Bind(1, now).Bind(2, f.sink).Bind(3, f.incident_id).Run());
  return conn_->Changes();
}

}  // namespace spacecrab::alert
