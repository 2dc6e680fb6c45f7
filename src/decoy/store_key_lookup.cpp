#include "decoy/store_key_lookup.h"

#include <openssl/crypto.h>

#include "core/access_key.h"

namespace spacecrab::decoy {

StoreKeyLookup::StoreKeyLookup(StoreKeyLookupOptions options)
    : options_(options), clock_(options_.clock != nullptr ? options_.clock : &system_clock_) {}

StoreKeyLookup::~StoreKeyLookup() { Clear(); }

void StoreKeyLookup::Wipe(Entry& entry) {
  if (!entry.key.secret.empty()) OPENSSL_cleanse(entry.key.secret.data(), entry.key.secret.size());
}

void StoreKeyLookup::Clear() {
  std::lock_guard lock(mu_);
  for (auto& [id, entry] : cache_) Wipe(entry);
  cache_.clear();
}

uint64_t StoreKeyLookup::store_reads() const {
  std::lock_guard lock(mu_);
  return store_reads_;
}

Expected<DecoyKey> StoreKeyLookup::Load(const std::string& access_key_id) {
  Expected<HoneyToken> token = options_.store->GetTokenByAccessKeyId(access_key_id);
  if (!token.ok()) return token.status();
  DecoyKey key;
  key.token_id = token->id;
  key.access_key_id = token->access_key_id;
  key.account_id = token->account_id;
  key.user_name = token->user_name;
  key.arn = token->arn;
  key.status = token->status;
  if (token->kind == TokenKind::kDecoy && !token->sealed_secret.empty()) {
    Expected<std::string> secret =
        options_.secret_box->Open(token->sealed_secret, token->access_key_id);
    if (secret.ok()) key.secret = std::move(secret).value();
  }
  OPENSSL_cleanse(token->sealed_secret.data(), token->sealed_secret.size());
  return key;
}

Expected<DecoyKey> StoreKeyLookup::Find(std::string_view access_key_id) {
  if (!LooksLikeAccessKeyId(access_key_id)) return NotFound("not an access key id");
  const std::string id(access_key_id);
  const Timestamp now = clock_->Now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end()) {
      if (it->second.expires > now) {
        if (!it->second.found) return NotFound("no such access key");
        return it->second.key;
      }
      Wipe(it->second);
      cache_.erase(it);
    }
    ++store_reads_;
  }

  Expected<DecoyKey> loaded = Load(id);
  const bool not_found = !loaded.ok() && loaded.status().code() == StatusCode::kNotFound;
  if (!loaded.ok() && !not_found) return loaded.status();  // transient: not cached

  std::lock_guard lock(mu_);
  if (cache_.size() >= options_.max_entries) {
    for (auto it = cache_.begin(); it != cache_.end();) {
      if (it->second.expires <= now) {
        Wipe(it->second);
        it = cache_.erase(it);
      } else {
        ++it;
      }
    }
    if (cache_.size() >= options_.max_entries) {
      for (auto& [key_id, entry] : cache_) Wipe(entry);
      cache_.clear();
    }
  }
  Entry entry;
  entry.found = !not_found;
  entry.expires = now + (not_found ? options_.negative_ttl : options_.positive_ttl);
  if (entry.found) entry.key = loaded.value();
  cache_[id] = std::move(entry);
  if (not_found) return NotFound("no such access key");
  return loaded;
}

}  // namespace spacecrab::decoy
