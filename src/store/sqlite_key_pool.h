// SqliteKeyPool: the warm pool's keys (provider/key_pool_store.h) in
// SqliteStore's database, table `key_pool` (migration 4), so keys minted
// ahead of demand survive a restart.
//
// Put and Remove are one statement each on SqliteStore's single writer; List
// reads through a pooled reader (index on account, minted_at).
// Thread-safety: every method may be called from any thread.
// Ownership: shares ownership of the SqliteStore.
// Failure: kAlreadyExists (Put of a pooled key), kDataLoss for a stored kind
// this build cannot read, otherwise as SqliteStatus maps SQLite errors.
#pragma once

#include <memory>

#include "provider/key_pool_store.h"
#include "store/sqlite_store.h"

namespace spacecrab {

class SqliteKeyPool final : public KeyPoolStore {
 public:
  // REQUIRES: `db` is migrated (OpenStore / OpenStoreBundle do that).
  explicit SqliteKeyPool(std::shared_ptr<SqliteStore> db);
  SqliteKeyPool(const SqliteKeyPool&) = delete;
  SqliteKeyPool& operator=(const SqliteKeyPool&) = delete;
  ~SqliteKeyPool() override;

  Status Put(const PooledKey& key) override;
  Status Remove(const std::string& access_key_id) override;
  Status RemoveMany(const std::vector<std::string>& access_key_ids) override;
  Expected<std::vector<PooledKey>> List(const std::string& account_id) override;

 private:
  std::shared_ptr<SqliteStore> db_;
};

}  // namespace spacecrab
