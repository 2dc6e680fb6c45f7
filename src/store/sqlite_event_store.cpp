// SqliteStore: recorded uses of tokens (events), deduplicated by event id.
#include <algorithm>
#include <charconv>

#include "store/sqlite_db.h"
#include "store/sqlite_event_rows.h"
#include "store/sqlite_store.h"

namespace spacecrab {
namespace {

constexpr int kMaxPageSize = 1000;

constexpr const char* kEventColumns = kSqliteEventColumns;

Expected<int64_t> NextEventSeq(SqliteConnection& conn) {
  SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT COALESCE(MAX(seq), 0) FROM events"));
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  return (row ? s.Int(0) : 0) + 1;
}

// Inserts `e` unless its id is known; true when inserted.
Expected<bool> InsertEvent(SqliteConnection& conn, const Event& e, int64_t seq) {
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn.Prepare(std::string("INSERT INTO events (") + kEventColumns +
                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING"));
  s.BindAll(e.id, e.token_id, e.access_key_id, e.event_time, e.event_source, e.event_name,
            e.aws_region, e.source_ip, e.user_agent, e.error_code, e.request_id);
  s.BindTextOrNull(12, e.incident_id);
  s.Bind(13, e.origin)
      .Bind(14, e.enrichment_json.empty() ? std::string("{}") : e.enrichment_json)
      .Bind(15, e.raw_json)
      .Bind(16, e.received_at)
      .Bind(17, seq);
  Status st = s.Run();
  if (st.code() == StatusCode::kFailedPrecondition) {
    return FailedPrecondition("event " + e.id + " refers to unknown token " + e.token_id);
  }
  SC_RETURN_IF_ERROR(st);
  return conn.Changes() == 1;
}

Status CountUse(SqliteConnection& conn, const Event& e) {
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn.Prepare("UPDATE tokens SET event_count = event_count + 1, "
                   "first_used_at = MIN(COALESCE(first_used_at, ?1), ?1), "
                   "last_used_at = MAX(COALESCE(last_used_at, ?1), ?1) WHERE id = ?2"));
  s.BindAll(e.event_time, e.token_id);
  return s.Run();
}

// The cursor is the received sequence number; an event id is accepted too.
Expected<int64_t> CursorSeq(SqliteConnection& conn, const std::string& cursor) {
  int64_t seq = 0;
  const auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), seq);
  if (ec == std::errc() && end == cursor.data() + cursor.size()) return seq;
  SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT seq FROM events WHERE id = ?"));
  s.Bind(1, cursor);
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return InvalidArgument("unknown event cursor");
  return s.Int(0);
}

}  // namespace

Event ReadSqliteEvent(const Statement& s) {
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
  e.incident_id = s.Text(11);  // NULL reads as ""
  e.origin = s.Text(12);
  e.enrichment_json = s.Text(13);
  e.raw_json = s.Text(14);
  e.received_at = s.Time(15);
  return e;
}

Expected<std::vector<bool>> SqliteStore::RecordEvents(std::span<const Event> events) {
  for (const Event& e : events) {
    if (e.id.empty() || e.token_id.empty()) {
      return InvalidArgument("an event needs an id and a token id");
    }
  }
  std::vector<bool> fresh;
  if (events.empty()) return fresh;
  const Status done = WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    fresh.clear();
    SC_ASSIGN_OR_RETURN(int64_t seq, NextEventSeq(conn));
    for (const Event& e : events) {
      SC_ASSIGN_OR_RETURN(bool inserted, InsertEvent(conn, e, seq));
      if (inserted) {
        ++seq;
        SC_RETURN_IF_ERROR(CountUse(conn, e));
      }
      fresh.push_back(inserted);
    }
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return fresh;
}

Expected<Event> SqliteStore::GetEvent(const std::string& id) {
  std::optional<Event> out;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("SELECT ") + kEventColumns +
                                                  " FROM events WHERE id = ?"));
    s.Bind(1, id);
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NotFound("event " + id + " does not exist");
    out = ReadSqliteEvent(s);
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return std::move(*out);
}

Expected<EventPage> SqliteStore::ListEvents(const EventFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, kMaxPageSize);
  std::string sql = std::string("SELECT ") + kEventColumns + " FROM events WHERE seq > ?";
  if (!filter.token_id.empty()) sql += " AND token_id = ?";
  if (!filter.incident_id.empty()) sql += " AND incident_id = ?";
  if (filter.since) sql += " AND event_time >= ?";
  if (filter.until) sql += " AND event_time < ?";
  sql += " ORDER BY seq LIMIT ?";
  EventPage page;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    int64_t after = 0;
    if (!filter.after_id.empty()) {
      SC_ASSIGN_OR_RETURN(after, CursorSeq(conn, filter.after_id));
    }
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(sql));
    int i = 0;
    s.Bind(++i, after);
    if (!filter.token_id.empty()) s.Bind(++i, filter.token_id);
    if (!filter.incident_id.empty()) s.Bind(++i, filter.incident_id);
    if (filter.since) s.Bind(++i, *filter.since);
    if (filter.until) s.Bind(++i, *filter.until);
    s.Bind(++i, int64_t{limit} + 1);
    int64_t last_seq = 0;
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_cursor = std::to_string(last_seq);
        break;
      }
      page.items.push_back(ReadSqliteEvent(s));
      last_seq = s.Int(16);
    }
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return page;
}

}  // namespace spacecrab
