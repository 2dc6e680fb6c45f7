// StoreTokenView: the reconciler's view of aws tokens, read from the Store.
//
// Header-only adapter over the Store interface (store/store.h), so sc_iam
// needs no link dependency on a store implementation.
// Thread-safety and failure: as the Store's.
#pragma once

#include "provider/iam/iam_reconciler.h"
#include "store/store.h"

namespace spacecrab {

class StoreTokenView final : public IamTokenView {
 public:
  explicit StoreTokenView(Store& store) : store_(store) {}

  Expected<std::optional<IamTokenRef>> FindByAccessKeyId(
      const std::string& access_key_id) override {
    auto t = store_.GetTokenByAccessKeyId(access_key_id);
    if (!t.ok()) {
      if (t.status().code() == StatusCode::kNotFound) return std::optional<IamTokenRef>();
      return t.status();
    }
    if (t->kind != TokenKind::kAws) return std::optional<IamTokenRef>();
    return std::optional<IamTokenRef>(
        IamTokenRef{t->id, t->access_key_id, t->account_id, t->user_name, t->status});
  }

  Status ForEachAwsToken(const std::function<void(const IamTokenRef&)>& fn) override {
    return store_.ForEachTokenKey([&](const TokenKeyRef& k) {
      if (k.kind == TokenKind::kAws)
        fn(IamTokenRef{k.token_id, k.access_key_id, k.account_id, k.user_name, k.status});
    });
  }

 private:
  Store& store_;
};

}  // namespace spacecrab
