// SqliteIamIntentLog: the IAM provider's write-ahead intent log
// (provider/iam/iam_intent_log.h) in SqliteStore's database, table
// `iam_intents` (migration 3), so an intent written before an IAM call
// survives the crash it exists for.
//
// Each call is one statement on SqliteStore's single writer (Begin, Update)
// or a pooled reader (ListOpen, which walks the partial index of open
// intents — the log keeps done/rolled-back rows for the record, so the open
// ones are a small slice of it).
//
// Thread-safety: every method may be called from any thread.
// Ownership: shares ownership of the SqliteStore.
// Failure: kAlreadyExists (Begin of a taken id), kNotFound (Update of an
// unknown id), kDataLoss for a stored kind/state this build cannot read,
// otherwise as SqliteStatus maps SQLite errors (busy/IO -> kUnavailable).
#pragma once

#include <memory>

#include "provider/iam/iam_intent_log.h"
#include "store/sqlite_store.h"

namespace spacecrab {

class SqliteIamIntentLog final : public IamIntentLog {
 public:
  // REQUIRES: `db` is migrated (OpenStore / OpenStoreBundle do that).
  explicit SqliteIamIntentLog(std::shared_ptr<SqliteStore> db);
  SqliteIamIntentLog(const SqliteIamIntentLog&) = delete;
  SqliteIamIntentLog& operator=(const SqliteIamIntentLog&) = delete;
  ~SqliteIamIntentLog() override;

  Status Begin(const IamIntent& intent) override;
  Status Update(const IamIntent& intent) override;
  // Oldest first; intents started in the same millisecond in Begin order.
  Expected<std::vector<IamIntent>> ListOpen() override;

 private:
  std::shared_ptr<SqliteStore> db_;
};

}  // namespace spacecrab
