#include "service/api_key_service.h"

#include <spdlog/spdlog.h>

#include <array>
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "crypto/hash.h"
#include "service/validation.h"

namespace spacecrab {
namespace {

constexpr std::string_view kUrlSafeAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

ApiKeyService::ApiKeyService(ApiKeyServiceOptions options) : options_(std::move(options)) {}

bool ApiKeyService::LooksLikeApiKey(std::string_view secret) {
  if (secret.size() != kApiKeySecretPrefix.size() + kApiKeySecretRandomChars) return false;
  if (secret.substr(0, kApiKeySecretPrefix.size()) != kApiKeySecretPrefix) return false;
  for (char c : secret.substr(kApiKeySecretPrefix.size()))
    if (kUrlSafeAlphabet.find(c) == std::string_view::npos) return false;
  return true;
}

Expected<CreatedApiKey> ApiKeyService::Create(const std::string& name, ApiScope scope,
                                              const Actor& actor) {
  if (name.empty()) return InvalidArgument("name: is required");
  SC_RETURN_IF_ERROR(ValidateText("name", name, kMaxApiKeyNameChars));
  const Timestamp now = options_.clock->Now();
  CreatedApiKey created;
  created.secret = std::string(kApiKeySecretPrefix) +
                   RandomChars(*options_.random, kApiKeySecretRandomChars, kUrlSafeAlphabet);
  std::array<uint8_t, kIdEntropyBytes> entropy{};
  options_.random->Fill(entropy);
  ApiKey& key = created.key;
  key.id = MakeId("key", now, entropy);
  key.name = name;
  key.scope = scope;
  key.prefix = created.secret.substr(0, 8);
  key.secret_hash = Sha256Hex(created.secret);
  key.created_at = now;
  SC_RETURN_IF_ERROR(options_.store->InsertApiKey(key));

  AuditEntry entry;
  entry.at = now;
  entry.actor = actor.id;
  entry.action = "apikey.create";
  entry.object_id = key.id;
  entry.source_ip = actor.source_ip;
  entry.detail_json =
      nlohmann::json{{"name", name}, {"scope", ToString(scope)}, {"prefix", key.prefix}}.dump();
  Status audited = options_.store->AppendAudit(entry);
  if (!audited.ok())
    spdlog::error("audit log append failed for apikey.create {}: {}", key.id, audited.ToString());
  return created;
}

Expected<ApiKey> ApiKeyService::Authenticate(std::string_view secret) {
  if (!LooksLikeApiKey(secret)) return Unauthenticated("invalid API key");
  auto key = Lookup(Sha256Hex(secret), options_.clock->Now());
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kNotFound) return Unauthenticated("invalid API key");
    return key.status();
  }
  if (key->revoked_at) return Unauthenticated("invalid API key");
  MaybeTouch(*key);
  return key;
}

Expected<ApiKey> ApiKeyService::Lookup(const std::string& hash, Timestamp now) {
  uint64_t generation = 0;
  if (options_.cache_ttl.count() > 0) {
    std::lock_guard lock(cache_mu_);
    generation = cache_generation_;
    auto it = cache_.find(hash);
    if (it != cache_.end() && now >= it->second.read_at &&
        now - it->second.read_at < options_.cache_ttl)
      return it->second.key;
  }
  auto key = options_.store->FindApiKeyByHash(hash);
  if (options_.cache_ttl.count() > 0) {
    // Only keys that exist are remembered: unknown secrets cannot grow this.
    // A revoke that ran while we read may have been read past: keep nothing.
    std::lock_guard lock(cache_mu_);
    if (generation != cache_generation_) {
      cache_.erase(hash);
    } else if (key.ok()) {
      cache_.insert_or_assign(hash, Cached{*key, now});
    } else if (key.status().code() == StatusCode::kNotFound) {
      cache_.erase(hash);
    }
  }
  return key;
}

void ApiKeyService::MaybeTouch(const ApiKey& key) {
  const Timestamp now = options_.clock->Now();
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = last_touch_.try_emplace(key.id, key.last_used_at.value_or(Timestamp{}));
    if (now - it->second < options_.touch_interval) return;
    it->second = now;
  }
  // Outside the lock: a slow store must not serialise every request.
  Status touched = options_.store->TouchApiKey(key.id, now);
  if (!touched.ok()) spdlog::warn("recording use of API key {}: {}", key.id, touched.ToString());
}

Expected<std::vector<ApiKey>> ApiKeyService::List() { return options_.store->ListApiKeys(); }

Expected<int64_t> ApiKeyService::Count() { return options_.store->CountApiKeys(); }

Expected<ApiKey> ApiKeyService::Revoke(const std::string& id, const Actor& actor) {
  std::lock_guard lock(mu_);
  SC_ASSIGN_OR_RETURN(std::vector<ApiKey> keys, options_.store->ListApiKeys());
  const ApiKey* target = nullptr;
  int active_admins = 0;
  for (const ApiKey& k : keys) {
    if (k.id == id) target = &k;
    if (k.scope == ApiScope::kAdmin && !k.revoked_at) ++active_admins;
  }
  if (target == nullptr) return NotFound("API key " + id + " does not exist");
  if (target->revoked_at) return *target;
  if (target->scope == ApiScope::kAdmin && active_admins <= 1)
    return FailedPrecondition("API key " + id +
                              " is the last active admin key; create another admin key first");
  const Timestamp now = options_.clock->Now();
  SC_RETURN_IF_ERROR(options_.store->RevokeApiKey(id, now));
  last_touch_.erase(id);
  {
    std::lock_guard cache_lock(cache_mu_);
    ++cache_generation_;
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.key.id == id; });
  }
  ApiKey revoked = *target;
  revoked.revoked_at = now;

  AuditEntry entry;
  entry.at = now;
  entry.actor = actor.id;
  entry.action = "apikey.revoke";
  entry.object_id = id;
  entry.source_ip = actor.source_ip;
  entry.detail_json =
      nlohmann::json{{"name", revoked.name}, {"scope", ToString(revoked.scope)}}.dump();
  Status audited = options_.store->AppendAudit(entry);
  if (!audited.ok())
    spdlog::error("audit log append failed for apikey.revoke {}: {}", id, audited.ToString());
  return revoked;
}

}  // namespace spacecrab
