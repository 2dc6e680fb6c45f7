// SqliteAlertStore: the durable outbox — claiming with leases, coalescing,
// the outcome of a send, listing and dead-letter replay.
#include <algorithm>

#include "store/sqlite_alert_store.h"
#include "store/sqlite_db.h"

namespace spacecrab {
namespace {

using alert::OutboxRow;
using alert::OutboxState;

constexpr int kMaxOutboxPage = 100000;

constexpr const char* kOutboxColumns =
    "id, incident_id, sink, kind, payload, state, attempts, next_attempt_at, last_error, "
    "created_at, sent_at";

// The words of the CHECK constraint in migration 1. No default case: a new
// state must be added here (and to the constraint, by a migration).
std::string_view StateWord(OutboxState s) {
  switch (s) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kDead:
      return "dead";
  }
  return "pending";
}

std::optional<OutboxState> ParseState(std::string_view word) {
  for (OutboxState s : {OutboxState::kPending, OutboxState::kSent, OutboxState::kDead}) {
    if (StateWord(s) == word) return s;
  }
  return std::nullopt;
}

Expected<OutboxRow> ReadRow(const Statement& s) {
  OutboxRow r;
  r.id = s.Int(0);
  r.incident_id = s.Text(1);
  r.sink = s.Text(2);
  const std::string kind = s.Text(3);
  const std::optional<AlertKind> parsed_kind = ParseAlertKind(kind);
  if (!parsed_kind) {
    return DataLoss("outbox row " + std::to_string(r.id) + ": unknown kind '" + kind + "'");
  }
  r.kind = *parsed_kind;
  r.payload = s.Text(4);
  const std::string state = s.Text(5);
  const std::optional<OutboxState> parsed_state = ParseState(state);
  if (!parsed_state) {
    return DataLoss("outbox row " + std::to_string(r.id) + ": unknown state '" + state + "'");
  }
  r.state = *parsed_state;
  r.attempts = static_cast<int>(s.Int(6));
  r.next_attempt_at = s.Time(7);
  r.last_error = s.Text(8);
  r.created_at = s.Time(9);
  r.sent_at = s.OptionalTime(10);
  return r;
}

Expected<std::vector<OutboxRow>> ReadRows(Statement& s) {
  std::vector<OutboxRow> out;
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    SC_ASSIGN_OR_RETURN(OutboxRow r, ReadRow(s));
    out.push_back(std::move(r));
  }
}

Status Lease(SqliteConnection& conn, int64_t id, Timestamp until) {
  SC_ASSIGN_OR_RETURN(Statement s,
                      conn.Prepare("UPDATE alert_outbox SET next_attempt_at = ? WHERE id = ?"));
  s.BindAll(until, id);
  return s.Run();
}

// Runs an UPDATE of one row by id; kNotFound when no row has that id.
Status UpdateOne(SqliteConnection& conn, Statement& s, int64_t id) {
  SC_RETURN_IF_ERROR(s.Run());
  if (conn.Changes() == 0) return NotFound("outbox row " + std::to_string(id) + " does not exist");
  return Status::Ok();
}

}  // namespace

Expected<std::vector<OutboxRow>> SqliteAlertStore::ClaimDue(const std::string& sink, Timestamp now,
                                                            std::chrono::milliseconds lease,
                                                            int limit) {
  std::vector<OutboxRow> claimed;
  if (limit <= 0) return claimed;
  // Select and lease in one BEGIN IMMEDIATE transaction: no other claimer,
  // in this process or another, can see these rows as due until the lease
  // lapses. A row is eligible only as the oldest pending row of its
  // (sink, incident) — leased and backing-off rows still hold their place.
  const Status done = db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    claimed.clear();
    {
      SC_ASSIGN_OR_RETURN(
          Statement s,
          conn.Prepare(std::string("SELECT ") + kOutboxColumns +
                       " FROM alert_outbox o WHERE o.sink = ?1 AND o.state = 'pending' AND "
                       "o.next_attempt_at <= ?2 AND NOT EXISTS (SELECT 1 FROM alert_outbox p "
                       "WHERE p.sink = ?1 AND p.incident_id = o.incident_id AND "
                       "p.state = 'pending' AND p.id < o.id) ORDER BY o.id LIMIT ?3"));
      s.BindAll(sink, now, int64_t{limit});
      SC_ASSIGN_OR_RETURN(claimed, ReadRows(s));
    }
    for (OutboxRow& r : claimed) {
      r.next_attempt_at = now + lease;
      SC_RETURN_IF_ERROR(Lease(conn, r.id, r.next_attempt_at));
    }
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return claimed;
}

Expected<OutboxRow> SqliteAlertStore::CoalesceUpdates(const OutboxRow& head, Timestamp now,
                                                      std::chrono::milliseconds lease) {
  if (head.kind != AlertKind::kUpdate) return head;
  std::optional<OutboxRow> newest;
  const Status done = db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    newest.reset();
    std::vector<int64_t> run;  // pending updates after head, up to the next other kind
    {
      SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT id, kind FROM alert_outbox "
                                                    "WHERE sink = ? AND incident_id = ? AND "
                                                    "state = 'pending' AND id > ? ORDER BY id"));
      s.BindAll(head.sink, head.incident_id, head.id);
      while (true) {
        SC_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row || s.Text(1) != ToString(AlertKind::kUpdate)) break;
        run.push_back(s.Int(0));
      }
    }
    if (run.empty()) return Status::Ok();
    const int64_t last = run.back();
    run.back() = head.id;  // head and every update between it and `last`
    const std::string superseded = "superseded by #" + std::to_string(last);
    for (int64_t id : run) {
      SC_ASSIGN_OR_RETURN(Statement s,
                          conn.Prepare("UPDATE alert_outbox SET state = 'sent', sent_at = ?, "
                                       "last_error = ? WHERE id = ?"));
      s.BindAll(now, superseded, id);
      SC_RETURN_IF_ERROR(s.Run());
    }
    SC_RETURN_IF_ERROR(Lease(conn, last, now + lease));
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("SELECT ") + kOutboxColumns +
                                                  " FROM alert_outbox WHERE id = ?"));
    s.Bind(1, last);
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Internal("outbox row " + std::to_string(last) + " vanished while coalescing");
    SC_ASSIGN_OR_RETURN(OutboxRow r, ReadRow(s));
    newest = std::move(r);
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return newest ? std::move(*newest) : head;
}

Status SqliteAlertStore::MarkSent(int64_t id, Timestamp at) {
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn.Prepare("UPDATE alert_outbox SET state = 'sent', sent_at = ?, "
                                     "last_error = '' WHERE id = ?"));
    s.BindAll(at, id);
    return UpdateOne(conn, s, id);
  });
}

Status SqliteAlertStore::MarkRetry(int64_t id, Timestamp next_attempt_at, const std::string& error,
                                   bool attempted) {
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    // An empty error (a deferral) keeps the last real one for operators.
    SC_ASSIGN_OR_RETURN(
        Statement s,
        conn.Prepare("UPDATE alert_outbox SET state = 'pending', next_attempt_at = ?1, "
                     "last_error = CASE WHEN ?2 = '' THEN last_error ELSE ?2 END, "
                     "attempts = attempts + ?3 WHERE id = ?4"));
    s.BindAll(next_attempt_at, error, int64_t{attempted ? 1 : 0}, id);
    return UpdateOne(conn, s, id);
  });
}

Status SqliteAlertStore::MarkDead(int64_t id, Timestamp at, const std::string& error) {
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("UPDATE alert_outbox SET state = 'dead', "
                                                  "sent_at = ?, attempts = attempts + 1, "
                                                  "last_error = ? WHERE id = ?"));
    s.BindAll(at, error, id);
    return UpdateOne(conn, s, id);
  });
}

Expected<std::vector<OutboxRow>> SqliteAlertStore::ListOutbox(const alert::OutboxFilter& f) {
  const int limit = std::clamp(f.limit, 1, kMaxOutboxPage);
  std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM alert_outbox WHERE id > ?";
  if (f.state) sql += " AND state = ?";
  if (!f.sink.empty()) sql += " AND sink = ?";
  if (!f.incident_id.empty()) sql += " AND incident_id = ?";
  sql += " ORDER BY id LIMIT ?";
  std::vector<OutboxRow> rows;
  const Status done = db_->WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(sql));
    int n = 0;
    s.Bind(++n, f.after_id);
    if (f.state) s.Bind(++n, StateWord(*f.state));
    if (!f.sink.empty()) s.Bind(++n, f.sink);
    if (!f.incident_id.empty()) s.Bind(++n, f.incident_id);
    s.Bind(++n, int64_t{limit});
    SC_ASSIGN_OR_RETURN(rows, ReadRows(s));
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return rows;
}

Expected<int64_t> SqliteAlertStore::RequeueDead(const alert::OutboxFilter& f, Timestamp now) {
  std::string sql =
      "UPDATE alert_outbox SET state = 'pending', next_attempt_at = ?, attempts = 0 "
      "WHERE state = 'dead'";
  if (!f.sink.empty()) sql += " AND sink = ?";
  if (!f.incident_id.empty()) sql += " AND incident_id = ?";
  int64_t requeued = 0;
  const Status done = db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(sql));
    int n = 0;
    s.Bind(++n, now);
    if (!f.sink.empty()) s.Bind(++n, f.sink);
    if (!f.incident_id.empty()) s.Bind(++n, f.incident_id);
    SC_RETURN_IF_ERROR(s.Run());
    requeued = conn.Changes();
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return requeued;
}

Expected<int64_t> SqliteAlertStore::SupersedeUpdates(const std::string& incident_id,
                                                     Timestamp now) {
  int64_t superseded = 0;
  const Status done = db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn.Prepare("UPDATE alert_outbox SET state = 'sent', sent_at = ?, "
                                     "last_error = 'superseded by resolve' "
                                     "WHERE incident_id = ? AND kind = 'update' AND state = 'pending'"));
    s.Bind(1, now);
    s.Bind(2, incident_id);
    SC_RETURN_IF_ERROR(s.Run());
    superseded = conn.Changes();
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return superseded;
}

}  // namespace spacecrab
