// OpenStore: picks the Store implementation from the `[store] url` setting.
//
//   sqlite:PATH          embedded SQLite (parent directory created if missing);
//                        sqlite::memory: gives a private in-memory store (tests)
//   postgresql://...     not built yet: InvalidArgument
//
// The returned store is migrated and ready. Failure: InvalidArgument for an
// unknown or unsupported url, otherwise the store's own open/migrate errors.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace spacecrab {

Expected<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace spacecrab
