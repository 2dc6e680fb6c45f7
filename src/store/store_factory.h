// OpenStore / OpenStoreBundle: pick the storage implementation from the
// `[store] url` setting.
//
//   sqlite:PATH          embedded SQLite (parent directory created if missing);
//                        sqlite::memory: gives a private in-memory store (tests)
//   postgresql://...     not built yet: InvalidArgument
//
// What is returned is migrated and ready. Failure: InvalidArgument for an
// unknown or unsupported url (the url itself is never echoed: it may carry a
// password), otherwise the store's own open/migrate errors.
#pragma once

#include <memory>
#include <string>

#include "alert/alert_store.h"
#include "core/status.h"
#include "provider/iam/iam_intent_log.h"
#include "provider/key_pool_store.h"
#include "store/store.h"

namespace spacecrab {

// The Store alone (tokens, API keys, audit, events, checkpoints).
Expected<std::unique_ptr<Store>> OpenStore(const std::string& url);

// Every persistent interface spacecrab has, over ONE database: for SQLite
// they share one writer connection and reader pool, which is what makes
// AlertStore::CommitIncidents one transaction with the events that
// Store::RecordEvents wrote.
//
// Ownership: `alerts` and `iam_intents` each share ownership of the database
// with `store`, so the members may be destroyed (or moved out) in any order.
// Thread-safety: each member is safe to call from any thread.
struct StoreBundle {
  std::shared_ptr<Store> store;
  std::unique_ptr<alert::AlertStore> alerts;    // incidents + alert outbox
  std::unique_ptr<IamIntentLog> iam_intents;    // IAM provider's write-ahead log
  std::unique_ptr<KeyPoolStore> key_pool;       // warm pools' pre-minted keys (sealed)
};

Expected<StoreBundle> OpenStoreBundle(const std::string& url);

}  // namespace spacecrab
