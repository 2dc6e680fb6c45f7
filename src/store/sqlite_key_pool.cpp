#include "store/sqlite_key_pool.h"

#include "store/sqlite_db.h"

namespace spacecrab {
namespace {

constexpr const char* kPoolColumns =
    "access_key_id, kind, account_id, user_name, arn, region, endpoint_url, sealed_secret, "
    "token_secret, minted_at";

Expected<PooledKey> ReadPooled(const Statement& s) {
  PooledKey k;
  k.access_key_id = s.Text(0);
  const std::string kind = s.Text(1);
  auto parsed = ParseTokenKind(kind);
  if (!parsed) return DataLoss("pooled key " + k.access_key_id + ": unknown kind '" + kind + "'");
  k.kind = *parsed;
  k.account_id = s.Text(2);
  k.user_name = s.Text(3);
  k.arn = s.Text(4);
  k.region = s.Text(5);
  k.endpoint_url = s.Text(6);
  k.sealed_secret = s.Text(7);
  k.token_secret = s.Text(8);
  k.minted_at = s.Time(9);
  return k;
}

}  // namespace

SqliteKeyPool::SqliteKeyPool(std::shared_ptr<SqliteStore> db) : db_(std::move(db)) {}

SqliteKeyPool::~SqliteKeyPool() = default;

Status SqliteKeyPool::Put(const PooledKey& key) {
  if (key.access_key_id.empty()) return InvalidArgument("a pooled key needs an access key id");
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("INSERT INTO key_pool (") +
                                                  kPoolColumns +
                                                  ") VALUES (?,?,?,?,?,?,?,?,?,?)"));
    s.BindAll(key.access_key_id, ToString(key.kind), key.account_id, key.user_name, key.arn,
              key.region, key.endpoint_url, key.sealed_secret, key.token_secret, key.minted_at);
    const Status st = s.Run();
    if (st.code() == StatusCode::kAlreadyExists)
      return AlreadyExists("pooled key " + key.access_key_id + " exists");
    return st;
  });
}

Status SqliteKeyPool::Remove(const std::string& access_key_id) {
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare("DELETE FROM key_pool WHERE access_key_id = ?"));
    s.BindAll(access_key_id);
    return s.Run();
  });
}

Status SqliteKeyPool::RemoveMany(const std::vector<std::string>& access_key_ids) {
  if (access_key_ids.empty()) return Status::Ok();
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    for (const std::string& id : access_key_ids) {
      SC_ASSIGN_OR_RETURN(Statement s,
                          conn.Prepare("DELETE FROM key_pool WHERE access_key_id = ?"));
      s.BindAll(id);
      SC_RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  });
}

Expected<std::vector<PooledKey>> SqliteKeyPool::List(const std::string& account_id) {
  std::vector<PooledKey> out;
  const Status done = db_->WithReader([&](SqliteConnection& conn) -> Status {
    std::string sql = std::string("SELECT ") + kPoolColumns + " FROM key_pool";
    if (!account_id.empty()) sql += " WHERE account_id = ?";
    sql += " ORDER BY minted_at, rowid";
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(sql));
    if (!account_id.empty()) s.BindAll(account_id);
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Ok();
      SC_ASSIGN_OR_RETURN(PooledKey k, ReadPooled(s));
      out.push_back(std::move(k));
    }
  });
  if (!done.ok()) return done;
  return out;
}

}  // namespace spacecrab
