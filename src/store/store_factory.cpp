#include "store/store_factory.h"

#include <filesystem>
#include <system_error>

#include "store/sqlite_alert_store.h"
#include "store/sqlite_iam_intent_log.h"
#include "store/sqlite_key_pool.h"
#include "store/sqlite_store.h"

namespace spacecrab {
namespace {

Expected<std::unique_ptr<SqliteStore>> OpenSqlite(const std::string& path) {
  if (path.empty())
    return InvalidArgument("store url sqlite: needs a path, e.g. sqlite:data/spacecrab.db");
  if (path != ":memory:") {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return Unavailable("cannot create directory " + parent.string() +
                           " for the store: " + ec.message());
      }
    }
  }
  SqliteStoreOptions options;
  options.path = path;
  SC_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(options));
  SC_RETURN_IF_ERROR(store->Migrate());
  return store;
}

// The url's scheme decides; anything but sqlite: is refused here.
Expected<std::string> SqlitePath(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) return url.substr(kSqlite.size());
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return InvalidArgument("PostgreSQL store is not built yet");
  }
  // Do not echo the url: a database url may carry a password.
  const auto colon = url.find(':');
  return InvalidArgument("unsupported store url scheme '" +
                         (colon == std::string::npos ? std::string() : url.substr(0, colon)) +
                         "' (expected sqlite:PATH)");
}

}  // namespace

Expected<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  SC_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, OpenSqlite(path));
  return std::unique_ptr<Store>(std::move(store));
}

Expected<StoreBundle> OpenStoreBundle(const std::string& url) {
  SC_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  SC_ASSIGN_OR_RETURN(std::shared_ptr<SqliteStore> db, OpenSqlite(path));
  StoreBundle bundle;
  bundle.alerts = std::make_unique<SqliteAlertStore>(db);
  bundle.iam_intents = std::make_unique<SqliteIamIntentLog>(db);
  bundle.key_pool = std::make_unique<SqliteKeyPool>(db);
  bundle.store = std::move(db);
  return bundle;
}

}  // namespace spacecrab
