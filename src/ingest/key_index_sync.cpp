#include "ingest/key_index_sync.h"

#include <vector>

#include "store/store.h"

namespace spacecrab::ingest {
namespace {

IndexedKey FromRef(const TokenKeyRef& r) {
  return IndexedKey{r.access_key_id, r.token_id, r.account_id, r.user_name, r.kind, r.status};
}

}  // namespace

Expected<size_t> KeyIndexSync::Load() {
  std::lock_guard lock(mu_);
  // Every row has a change number > 0, so "changed since 0" is a full load
  // that also yields the version to follow from.
  std::vector<IndexedKey> keys;
  SC_ASSIGN_OR_RETURN(int64_t version, store_->TokenKeysChangedSince(0, [&](const TokenKeyRef& r) {
                        keys.push_back(FromRef(r));
                      }));
  matcher_->Reset(keys);
  version_ = version;
  loaded_ = true;
  return keys.size();
}

Expected<size_t> KeyIndexSync::Refresh() {
  {
    std::lock_guard lock(mu_);
    if (loaded_) {
      std::vector<IndexedKey> changed;
      SC_ASSIGN_OR_RETURN(version_, store_->TokenKeysChangedSince(version_, [&](const TokenKeyRef& r) {
                            changed.push_back(FromRef(r));
                          }));
      matcher_->Apply(changed);
      return changed.size();
    }
  }
  return Load();
}

}  // namespace spacecrab::ingest
