// StoreTokenView: the reconciler's view of aws tokens, read from the Store.
//
// Header-only adapter over the Store interface (store/store.h), so sc_iam
// needs no link dependency on a store implementation.
// Thread-safety and failure: as the Store's.
#pragma once

#include "provider/iam/iam_reconciler.h"
#include "provider/key_pool_store.h"
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

// The store's tokens plus the warm pools' keys (provider/warm_pool.h): a
// pooled key is a live key the reconciler must keep (deny policy checked,
// its intent closed, its user not "untracked"). Pooled keys appear as active
// tokens with the id "pooled". The pool is read once, on first need: a view
// lives for one reconcile.
class PoolAwareTokenView final : public IamTokenView {
 public:
  PoolAwareTokenView(Store& store, KeyPoolStore* pool) : tokens_(store), pool_(pool) {}

  Expected<std::optional<IamTokenRef>> FindByAccessKeyId(
      const std::string& access_key_id) override {
    SC_ASSIGN_OR_RETURN(auto found, tokens_.FindByAccessKeyId(access_key_id));
    if (found || !pool_) return found;
    SC_ASSIGN_OR_RETURN(const std::vector<PooledKey>* pooled, Pooled());
    for (const PooledKey& k : *pooled)
      if (k.access_key_id == access_key_id && k.kind == TokenKind::kAws) return Ref(k);
    return std::optional<IamTokenRef>();
  }

  Status ForEachAwsToken(const std::function<void(const IamTokenRef&)>& fn) override {
    SC_RETURN_IF_ERROR(tokens_.ForEachAwsToken(fn));
    if (!pool_) return Status::Ok();
    SC_ASSIGN_OR_RETURN(const std::vector<PooledKey>* pooled, Pooled());
    for (const PooledKey& k : *pooled)
      if (k.kind == TokenKind::kAws) fn(*Ref(k));
    return Status::Ok();
  }

 private:
  Expected<const std::vector<PooledKey>*> Pooled() {
    if (!pooled_) {
      SC_ASSIGN_OR_RETURN(auto all, pool_->List(""));
      pooled_ = std::move(all);
    }
    return &*pooled_;
  }
  static std::optional<IamTokenRef> Ref(const PooledKey& k) {
    return IamTokenRef{"pooled", k.access_key_id, k.account_id, k.user_name,
                       TokenStatus::kActive};
  }
  StoreTokenView tokens_;
  KeyPoolStore* pool_;
  std::optional<std::vector<PooledKey>> pooled_;
};

}  // namespace spacecrab
