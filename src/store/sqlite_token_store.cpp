// SqliteStore: tokens and the key index the matcher follows.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite_db.h"
#include "store/sqlite_store.h"
#include "store/sqlite_token_query.h"

namespace spacecrab {
namespace {

constexpr int kMaxPageSize = 1000;
// Rows per read while walking the key index, so the walk never pins a
// snapshot (or a connection) for long and callbacks run with none held.
constexpr int kKeyChunk = 5000;

std::string EncodeTags(const std::map<std::string, std::string>& tags) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : tags) j[k] = v;
  // replace: stored strings came through JSON already; never throw on odd bytes.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status DecodeTags(const std::string& text, std::map<std::string, std::string>& out) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return DataLoss("tokens.tags is not a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) return DataLoss("tokens.tags value is not a string");
    out.emplace(k, v.get<std::string>());
  }
  return Status::Ok();
}

Expected<HoneyToken> ReadToken(const Statement& s) {
  HoneyToken t;
  t.id = s.Text(0);
  auto kind = ParseTokenKind(s.Text(1));
  auto status = ParseTokenStatus(s.Text(2));
  if (!kind || !status) return DataLoss("token " + t.id + " has an unknown kind or status");
  t.kind = *kind;
  t.status = *status;
  t.access_key_id = s.Text(3);
  t.account_id = s.Text(4);
  t.user_name = s.Text(5);
  t.arn = s.Text(6);
  t.location = s.Text(7);
  t.owner = s.Text(8);
  t.notes = s.Text(9);
  SC_RETURN_IF_ERROR(DecodeTags(s.Text(10), t.tags));
  t.created_at = s.Time(11);
  t.issued_at = s.Time(12);
  t.planted_at = s.OptionalTime(13);
  t.expires_at = s.OptionalTime(14);
  t.first_used_at = s.OptionalTime(15);
  t.last_used_at = s.OptionalTime(16);
  t.event_count = s.Int(17);
  t.retired_at = s.OptionalTime(18);
  t.rotated_from = s.Text(19);
  t.replaced_by = s.Text(20);
  t.sealed_secret = s.Text(21);
  return t;
}

// Binds every column but id to parameters 1..21 in kTokenColumns order.
void BindTokenFields(Statement& s, const HoneyToken& t) {
  s.Bind(1, ToString(t.kind))
      .Bind(2, ToString(t.status))
      .BindTextOrNull(3, t.access_key_id)
      .Bind(4, t.account_id)
      .Bind(5, t.user_name)
      .Bind(6, t.arn)
      .Bind(7, t.location)
      .Bind(8, t.owner)
      .Bind(9, t.notes)
      .Bind(10, EncodeTags(t.tags))
      .Bind(11, t.created_at)
      .Bind(12, t.issued_at)
      .Bind(13, t.planted_at)
      .Bind(14, t.expires_at)
      .Bind(15, t.first_used_at)
      .Bind(16, t.last_used_at)
      .Bind(17, t.event_count)
      .Bind(18, t.retired_at)
      .Bind(19, t.rotated_from)
      .Bind(20, t.replaced_by)
      .Bind(21, t.sealed_secret);
}

// A clearer message than "UNIQUE constraint failed: tokens.access_key_id".
Status ExplainConflict(const Status& st, const HoneyToken& t) {
  if (st.code() != StatusCode::kAlreadyExists) return st;
  if (st.message().find("access_key_id") != std::string::npos) {
    return AccessKeyIdTaken(t.access_key_id);
  }
  return AlreadyExists("token " + t.id + " already exists");
}

// The next value of the token change counter (see TokenKeysChangedSince).
// REQUIRES: inside the write transaction that will use it.
Expected<int64_t> NextChangeSeq(SqliteConnection& conn) {
  SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("SELECT COALESCE(MAX(change_seq), 0) FROM tokens"));
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  return (row ? s.Int(0) : 0) + 1;
}

Status WriteTags(SqliteConnection& conn, const HoneyToken& t, bool replace) {
  if (replace) {
    SC_ASSIGN_OR_RETURN(Statement del, conn.Prepare("DELETE FROM token_tags WHERE token_id = ?"));
    del.Bind(1, t.id);
    SC_RETURN_IF_ERROR(del.Run());
  }
  for (const auto& [key, value] : t.tags) {
    SC_ASSIGN_OR_RETURN(
        Statement ins,
        conn.Prepare("INSERT INTO token_tags (token_id, key, value) VALUES (?, ?, ?)"));
    ins.BindAll(t.id, key, value);
    SC_RETURN_IF_ERROR(ins.Run());
  }
  return Status::Ok();
}

Status InsertToken(SqliteConnection& conn, const HoneyToken& t, int64_t seq) {
  if (t.id.empty()) return InvalidArgument("token id is empty");
  {
    SC_ASSIGN_OR_RETURN(
        Statement s,
        conn.Prepare(std::string("INSERT INTO tokens (kind, status, access_key_id, account_id, "
                                 "user_name, arn, location, owner, notes, tags, created_at, "
                                 "issued_at, planted_at, expires_at, first_used_at, "
                                 "last_used_at, event_count, retired_at, rotated_from, "
                                 "replaced_by, sealed_secret, id, change_seq) VALUES "
                                 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")));
    BindTokenFields(s, t);
    s.Bind(22, t.id).Bind(23, seq);
    Status st = s.Run();
    if (!st.ok()) return ExplainConflict(st, t);
  }
  return WriteTags(conn, t, /*replace=*/false);
}

Status UpdateTokenRow(SqliteConnection& conn, const HoneyToken& t, int64_t seq) {
  {
    SC_ASSIGN_OR_RETURN(
        Statement s,
        // Parameters ?15-?17 (first/last used, event count) are bound but not
        // used: RecordEvents owns those columns, and writing back a copy read
        // earlier would lose the uses recorded in between.
        conn.Prepare("UPDATE tokens SET kind = ?1, status = ?2, access_key_id = ?3, "
                     "account_id = ?4, user_name = ?5, arn = ?6, location = ?7, owner = ?8, "
                     "notes = ?9, tags = ?10, created_at = ?11, issued_at = ?12, "
                     "planted_at = ?13, expires_at = ?14, retired_at = ?18, "
                     "rotated_from = ?19, replaced_by = ?20, sealed_secret = ?21, "
                     "change_seq = ?22 WHERE id = ?23"));
    BindTokenFields(s, t);
    s.Bind(22, seq).Bind(23, t.id);
    Status st = s.Run();
    if (!st.ok()) return ExplainConflict(st, t);
  }
  if (conn.Changes() == 0) return NotFound("token " + t.id + " does not exist");
  return WriteTags(conn, t, /*replace=*/true);
}

Expected<HoneyToken> GetTokenWhere(SqliteConnection& conn, const char* column,
                                   const std::string& value) {
  SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("SELECT ") + kTokenColumns +
                                                " FROM tokens WHERE tokens." + column + " = ?"));
  s.Bind(1, value);
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound(std::string("no token with ") + column + " " + value);
  return ReadToken(s);
}

}  // namespace

Status SqliteStore::InsertTokens(std::span<const HoneyToken> tokens) {
  if (tokens.empty()) return Status::Ok();
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(int64_t seq, NextChangeSeq(conn));
    for (const HoneyToken& t : tokens) SC_RETURN_IF_ERROR(InsertToken(conn, t, seq++));
    return Status::Ok();
  });
}

namespace {

Status InsertAudit(SqliteConnection& conn, const AuditEntry& entry) {
  SC_ASSIGN_OR_RETURN(Statement s,
                      conn.Prepare("INSERT INTO audit_log (at, actor, action, object_id, "
                                   "source_ip, detail_json) VALUES (?, ?, ?, ?, ?, ?)"));
  s.BindAll(entry.at, entry.actor, entry.action, entry.object_id, entry.source_ip,
            entry.detail_json.empty() ? std::string("{}") : entry.detail_json);
  return s.Run();
}

}  // namespace

Status SqliteStore::InsertTokensAudited(std::span<const HoneyToken> tokens,
                                        const AuditEntry& audit) {
  PendingInsert me{tokens, &audit, Status::Ok(), {}};
  std::unique_lock lock(group_mu_);
  group_queue_.push_back(&me);
  if (group_writing_) {
    if (group_collecting_ && group_queue_.size() >= options_.group_commit_target)
      group_full_cv_.notify_one();
    lock.unlock();
    if (me.signal.Wait() == kCallDone) return me.result;
    lock.lock();  // kCallLeads: the last writer left us the queue (us first in it)
  }
  // Leader: write everything queued so far (our own call included) — under
  // load, after giving others a moment to join.
  group_writing_ = true;
  if (last_group_size_ > 1 && options_.group_commit_window.count() > 0 &&
      group_queue_.size() < options_.group_commit_target) {
    group_collecting_ = true;
    group_full_cv_.wait_for(lock, options_.group_commit_window, [this] {
      return group_queue_.size() >= options_.group_commit_target;
    });
    group_collecting_ = false;
  }
  last_group_size_ = group_queue_.size();
  std::vector<PendingInsert*> batch;
  batch.swap(group_queue_);
  lock.unlock();
  auto write = [this](std::span<PendingInsert* const> calls) {
    return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
      SC_ASSIGN_OR_RETURN(int64_t seq, NextChangeSeq(conn));
      for (const PendingInsert* call : calls) {
        for (const HoneyToken& t : call->tokens) SC_RETURN_IF_ERROR(InsertToken(conn, t, seq++));
        SC_RETURN_IF_ERROR(InsertAudit(conn, *call->audit));
      }
      return Status::Ok();
    });
  };
  Status together = write(batch);
  for (PendingInsert* call : batch) {
    call->result = together.ok() || batch.size() == 1
                       ? together
                       : write(std::span<PendingInsert* const>(&call, 1));
  }
  // Each waiter is woken once, by its own signal: no broadcast for all of
  // them to re-take the lock.
  PendingInsert* next = nullptr;
  lock.lock();
  if (group_queue_.empty()) {
    group_writing_ = false;
  } else {
    next = group_queue_.front();
  }
  lock.unlock();
  for (PendingInsert* call : batch) {
    if (call != &me) call->signal.Post(kCallDone);
  }
  if (next != nullptr) next->signal.Post(kCallLeads);
  return me.result;
}

Expected<HoneyToken> SqliteStore::GetToken(const std::string& id) {
  std::optional<HoneyToken> out;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(out, GetTokenWhere(conn, "id", id));
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return std::move(*out);
}

Expected<HoneyToken> SqliteStore::GetTokenByAccessKeyId(const std::string& access_key_id) {
  if (access_key_id.empty()) return NotFound("no token with an empty access key id");
  std::optional<HoneyToken> out;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(out, GetTokenWhere(conn, "access_key_id", access_key_id));
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return std::move(*out);
}

Expected<TokenPage> SqliteStore::ListTokens(const TokenFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, kMaxPageSize);
  TokenPage page;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(TokenQuery q, BuildTokenListQuery(conn, filter, limit));
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(q.sql));
    q.Bind(s);
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_cursor = page.items.back().id;
        break;
      }
      SC_ASSIGN_OR_RETURN(HoneyToken t, ReadToken(s));
      page.items.push_back(std::move(t));
    }
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return page;
}

Expected<int64_t> SqliteStore::CountTokens(const TokenFilter& filter) {
  const TokenQuery q = BuildTokenCountQuery(filter);
  int64_t count = 0;
  const Status done = WithReader([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(q.sql));
    q.Bind(s);
    SC_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) count = s.Int(0);
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return count;
}

Status SqliteStore::UpdateToken(const HoneyToken& token) {
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(int64_t seq, NextChangeSeq(conn));
    return UpdateTokenRow(conn, token, seq);
  });
}

Status SqliteStore::ReplaceToken(const HoneyToken& old_token, const HoneyToken& replacement) {
  if (old_token.id == replacement.id) {
    return InvalidArgument("a replacement token needs an id of its own");
  }
  return WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(int64_t seq, NextChangeSeq(conn));
    // Update first: a missing old token is NotFound, not a half-done rotation.
    SC_RETURN_IF_ERROR(UpdateTokenRow(conn, old_token, seq));
    return InsertToken(conn, replacement, seq + 1);
  });
}

Status SqliteStore::ForEachTokenKey(const std::function<void(const TokenKeyRef&)>& fn) {
  return VisitTokenKeys(0, fn).status();
}

Expected<int64_t> SqliteStore::TokenKeysChangedSince(
    int64_t version, const std::function<void(const TokenKeyRef&)>& fn) {
  return VisitTokenKeys(version, fn);
}

Expected<int64_t> SqliteStore::VisitTokenKeys(int64_t version,
                                              const std::function<void(const TokenKeyRef&)>& fn) {
  // Walks in change order. A row changed during the walk gets a higher
  // change_seq and so is visited (again) later: nothing is missed, and the
  // returned version covers everything visited.
  std::vector<TokenKeyRef> chunk;
  while (true) {
    chunk.clear();
    int64_t last = version;
    const Status done = WithReader([&](SqliteConnection& conn) -> Status {
      SC_ASSIGN_OR_RETURN(
          Statement s,
          conn.Prepare("SELECT access_key_id, id, account_id, user_name, kind, status, "
                       "change_seq FROM tokens WHERE change_seq > ? ORDER BY change_seq LIMIT ?"));
      s.BindAll(version, int64_t{kKeyChunk});
      while (true) {
        SC_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        TokenKeyRef ref{s.Text(0), s.Text(1), s.Text(2), s.Text(3)};
        auto kind = ParseTokenKind(s.Text(4));
        auto status = ParseTokenStatus(s.Text(5));
        if (!kind || !status)
          return DataLoss("token " + ref.token_id + " has an unknown kind or status");
        ref.kind = *kind;
        ref.status = *status;
        last = s.Int(6);
        chunk.push_back(std::move(ref));
      }
      return Status::Ok();
    });
    if (!done.ok()) return done;
    for (const TokenKeyRef& ref : chunk) fn(ref);
    version = last;
    if (static_cast<int>(chunk.size()) < kKeyChunk) return version;
  }
}

}  // namespace spacecrab
