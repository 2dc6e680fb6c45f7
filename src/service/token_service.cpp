#include "service/token_service.h"

#include <spdlog/spdlog.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "provider/name_generator.h"
#include "service/validation.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

constexpr int kExpiryPageSize = 1000;

Status CheckPlacement(const std::string& location, const std::string& owner,
                      const std::string& notes) {
  SC_RETURN_IF_ERROR(ValidateText("location", location, kMaxLocationChars));
  SC_RETURN_IF_ERROR(ValidateText("owner", owner, kMaxOwnerChars));
  SC_RETURN_IF_ERROR(ValidateText("notes", notes, kMaxNotesChars, /*allow_newlines=*/true));
  return Status::Ok();
}

}  // namespace

Status ValidateTokenSpec(const TokenSpec& spec, Timestamp now) {
  if (spec.location.empty()) return InvalidArgument("location: is required");
  SC_RETURN_IF_ERROR(CheckPlacement(spec.location, spec.owner, spec.notes));
  SC_RETURN_IF_ERROR(ValidateTags(spec.tags));
  if (spec.expires_at && *spec.expires_at <= now)
    return InvalidArgument("expires_at: must be in the future");
  if (spec.expires_in && spec.expires_at)
    return InvalidArgument("expires_in: give expires_at or expires_in, not both");
  if (spec.expires_in && spec.expires_in->count() <= 0)
    return InvalidArgument("expires_in: must be positive");
  if (!spec.user_name.empty() && !IamNameGenerator::IsValidUserName(spec.user_name))
    return InvalidArgument("user_name: must be 1-64 characters of [A-Za-z0-9+=,.@_-]");
  return Status::Ok();
}

TokenService::TokenService(TokenServiceOptions options) : options_(std::move(options)) {}

Expected<Provider*> TokenService::ProviderFor(TokenKind kind) const {
  for (Provider* p : options_.providers)
    if (p->kind() == kind) return p;
  return FailedPrecondition("no provider for " + std::string(ToString(kind)) +
                            " tokens is configured");
}

std::mutex& TokenService::LockFor(const std::string& id) {
  return token_locks_[std::hash<std::string>{}(id) % token_locks_.size()];
}

AuditEntry TokenService::AuditEntryFor(const Actor& actor, std::string action,
                                       std::string object_id, std::string detail_json) {
  AuditEntry entry;
  entry.at = options_.clock->Now();
  entry.actor = actor.id;
  entry.action = std::move(action);
  entry.object_id = std::move(object_id);
  entry.source_ip = actor.source_ip;
  entry.detail_json = std::move(detail_json);
  return entry;
}

Status TokenService::Audit(const Actor& actor, std::string action, std::string object_id,
                           std::string detail_json) {
  const AuditEntry entry =
      AuditEntryFor(actor, std::move(action), std::move(object_id), std::move(detail_json));
  Status status = options_.store->AppendAudit(entry);
  // The change itself is committed; failing the call now would hide that (and,
  // for create/rotate, lose credentials that already exist). Say it loudly.
  if (!status.ok())
    spdlog::error("audit log append failed for {} {}: {}", entry.action, entry.object_id,
                  status.ToString());
  return status;
}

HoneyToken TokenService::NewToken(const MintedKey& key, Timestamp now) {
  std::array<uint8_t, kIdEntropyBytes> entropy{};
  options_.random->Fill(entropy);
  HoneyToken token;
  token.id = MakeId("tok", now, entropy);
  token.kind = key.kind;
  token.status = TokenStatus::kActive;
  token.access_key_id = key.access_key_id;
  token.account_id = key.account_id;
  token.user_name = key.user_name;
  token.arn = key.arn;
  token.created_at = now;
  token.issued_at = now;
  token.sealed_secret = key.sealed_secret;
  return token;
}

Expected<std::vector<IssuedToken>> TokenService::Create(const TokenSpec& spec, int count,
                                                        const Actor& actor) {
  const Timestamp now = options_.clock->Now();
  if (count < 1 || count > options_.max_batch)
    return InvalidArgument("count: must be between 1 and " + std::to_string(options_.max_batch));
  SC_RETURN_IF_ERROR(ValidateTokenSpec(spec, now));
  if (options_.providers.empty()) return FailedPrecondition("no token provider is configured");
  Provider* provider = options_.providers.front();
  if (spec.kind) {
    SC_ASSIGN_OR_RETURN(provider, ProviderFor(*spec.kind));
  }

  // A decoy key id carries 40 random bits beside the account, so among
  // hundreds of thousands of decoys a fresh id can repeat a stored one (the
  // store refuses it): such a batch is minted again. IAM key ids are unique
  // by AWS's word; a clash there is a real error.
  const int attempts = provider->kind() == TokenKind::kDecoy ? 3 : 1;
  for (int attempt = 1;; ++attempt) {
    auto issued = CreateOnce(provider, spec, count, actor, now);
    if (issued.ok() || attempt >= attempts || !IsAccessKeyIdTaken(issued.status()))
      return issued;
    spdlog::info("a new decoy key id repeated a stored one; minting the batch again");
  }
}

Expected<std::vector<IssuedToken>> TokenService::CreateOnce(Provider* provider,
                                                            const TokenSpec& spec, int count,
                                                            const Actor& actor, Timestamp now) {
  std::vector<IssuedToken> issued;
  std::vector<HoneyToken> rows;
  issued.reserve(size_t(count));
  rows.reserve(size_t(count));
  // Keys minted for a batch that then fails go back to the provider (a warm
  // pool keeps them; IAM leaves them to the reconciler, which deletes them).
  std::vector<MintedKey> minted;
  minted.reserve(size_t(count));
  auto abandon = [&] {
    for (const MintedKey& key : minted) provider->Abandon(key);
  };
  for (int i = 0; i < count; ++i) {
    auto next = provider->Mint(spec.user_name);
    if (!next.ok()) {
      abandon();
      return next.status();
    }
    MintedKey key = std::move(next).value();
    minted.push_back(key);
    HoneyToken token = NewToken(key, now);
    token.location = spec.location;
    token.owner = spec.owner;
    token.notes = spec.notes;
    token.tags = spec.tags;
    token.planted_at = spec.planted_at;
    token.expires_at =
        spec.expires_in ? std::optional<Timestamp>(now + *spec.expires_in) : spec.expires_at;
    rows.push_back(token);
    issued.push_back({std::move(token), std::move(key.credentials)});
  }
  json detail = {{"count", count},
                 {"kind", ToString(provider->kind())},
                 {"location", spec.location},
                 {"owner", spec.owner}};
  json ids = json::array(), key_ids = json::array();
  for (const HoneyToken& t : rows) {
    ids.push_back(t.id);
    key_ids.push_back(t.access_key_id);
  }
  detail["ids"] = std::move(ids);
  detail["access_key_ids"] = std::move(key_ids);
  const AuditEntry audit = AuditEntryFor(actor, "token.create", rows.front().id, detail.dump());
  // The tokens and their audit entry commit together (grouped with other
  // handouts in flight: see Store::InsertTokensAudited).
  if (Status inserted = options_.store->InsertTokensAudited(rows, audit); !inserted.ok()) {
    abandon();
    return inserted;
  }
  for (const HoneyToken& t : rows) (void)provider->ConfirmStored(t.access_key_id);
  NoteExpiry(rows.front().expires_at);
  return issued;
}

Expected<HoneyToken> TokenService::Get(const std::string& id) {
  return options_.store->GetToken(id);
}

Expected<TokenPage> TokenService::List(const TokenFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000)
    return InvalidArgument("limit: must be between 1 and 1000");
  return options_.store->ListTokens(filter);
}

Expected<HoneyToken> TokenService::Update(const std::string& id, const TokenPatch& patch,
                                          const Actor& actor) {
  const Timestamp now = options_.clock->Now();
  std::lock_guard lock(LockFor(id));
  SC_ASSIGN_OR_RETURN(HoneyToken token, options_.store->GetToken(id));
  if (token.status == TokenStatus::kDeleted)
    return FailedPrecondition("token " + id + " is deleted");
  json changed = json::array();
  if (patch.location) {
    if (patch.location->empty()) return InvalidArgument("location: must not be empty");
    token.location = *patch.location;
    changed.push_back("location");
  }
  if (patch.owner) {
    token.owner = *patch.owner;
    changed.push_back("owner");
  }
  if (patch.notes) {
    token.notes = *patch.notes;
    changed.push_back("notes");
  }
  SC_RETURN_IF_ERROR(CheckPlacement(token.location, token.owner, token.notes));
  if (patch.tags) {
    SC_RETURN_IF_ERROR(ValidateTags(*patch.tags));
    token.tags = *patch.tags;
    changed.push_back("tags");
  }
  if (patch.planted_at) {
    token.planted_at = *patch.planted_at;
    changed.push_back("planted_at");
  }
  if (patch.expires_at) {
    if (*patch.expires_at && **patch.expires_at <= now && token.status == TokenStatus::kActive)
      return InvalidArgument("expires_at: must be in the future");
    token.expires_at = *patch.expires_at;
    changed.push_back("expires_at");
  }
  if (changed.empty()) return token;
  SC_RETURN_IF_ERROR(options_.store->UpdateToken(token));
  NoteExpiry(token.expires_at);
  (void)Audit(actor, "token.update", id, json{{"fields", changed}}.dump());
  return token;
}

void TokenService::Retire(HoneyToken& token, TokenStatus status, Timestamp now) {
  token.status = status;
  if (!token.retired_at) token.retired_at = now;
}

Expected<HoneyToken> TokenService::Revoke(const std::string& id, const Actor& actor) {
  const Timestamp now = options_.clock->Now();
  std::lock_guard lock(LockFor(id));
  SC_ASSIGN_OR_RETURN(HoneyToken token, options_.store->GetToken(id));
  if (token.status == TokenStatus::kDeleted)
    return FailedPrecondition("token " + id + " is deleted");
  if (token.status != TokenStatus::kActive) return token;
  SC_ASSIGN_OR_RETURN(Provider * provider, ProviderFor(token.kind));
  // Provider first: if it fails, the store still (truthfully) says active.
  SC_RETURN_IF_ERROR(provider->Revoke(token));
  Retire(token, TokenStatus::kRevoked, now);
  SC_RETURN_IF_ERROR(options_.store->UpdateToken(token));
  (void)Audit(actor, "token.revoke", id, json{{"access_key_id", token.access_key_id}}.dump());
  return token;
}

Expected<HoneyToken> TokenService::Delete(const std::string& id, const Actor& actor) {
  const Timestamp now = options_.clock->Now();
  std::lock_guard lock(LockFor(id));
  SC_ASSIGN_OR_RETURN(HoneyToken token, options_.store->GetToken(id));
  if (token.status == TokenStatus::kDeleted) return token;
  SC_ASSIGN_OR_RETURN(Provider * provider, ProviderFor(token.kind));
  SC_RETURN_IF_ERROR(provider->Delete(token));
  const std::string previous(ToString(token.status));
  Retire(token, TokenStatus::kDeleted, now);
  SC_RETURN_IF_ERROR(options_.store->UpdateToken(token));
  (void)Audit(actor, "token.delete", id,
              json{{"access_key_id", token.access_key_id}, {"previous_status", previous}}.dump());
  return token;
}

Expected<IssuedToken> TokenService::Rotate(const std::string& id, const Actor& actor) {
  const Timestamp now = options_.clock->Now();
  std::lock_guard lock(LockFor(id));
  SC_ASSIGN_OR_RETURN(HoneyToken old, options_.store->GetToken(id));
  if (old.status == TokenStatus::kDeleted) return FailedPrecondition("token " + id + " is deleted");
  if (!old.replaced_by.empty())
    return FailedPrecondition("token " + id + " was already rotated; rotate " + old.replaced_by);
  SC_ASSIGN_OR_RETURN(Provider * provider, ProviderFor(old.kind));
  SC_ASSIGN_OR_RETURN(MintedKey key, provider->Rotate(old));
  HoneyToken fresh = NewToken(key, now);
  fresh.location = old.location;
  fresh.owner = old.owner;
  fresh.notes = old.notes;
  fresh.tags = old.tags;
  fresh.rotated_from = old.id;
  // The new key gets the lifetime the old one was issued with; it is planted
  // when the deployer says so (PATCH planted_at).
  if (old.expires_at) fresh.expires_at = now + (*old.expires_at - old.issued_at);

  const bool was_active = old.status == TokenStatus::kActive;
  const HoneyToken before = old;
  old.replaced_by = fresh.id;
  if (was_active) Retire(old, TokenStatus::kRevoked, now);
  SC_RETURN_IF_ERROR(options_.store->ReplaceToken(old, fresh));
  (void)provider->ConfirmStored(fresh.access_key_id);
  NoteExpiry(fresh.expires_at);
  if (was_active) {
    // The replacement is stored and must reach the caller, so a failure to
    // deactivate the old key is logged rather than returned; it stays a
    // matchable key either way.
    Status revoked = provider->Revoke(before);
    if (!revoked.ok())
      spdlog::error("rotate {}: revoking the old key failed: {}", id, revoked.ToString());
  }
  (void)Audit(actor, "token.rotate", id,
              json{{"replaced_by", fresh.id},
                   {"old_access_key_id", old.access_key_id},
                   {"new_access_key_id", fresh.access_key_id}}
                  .dump());
  return IssuedToken{std::move(fresh), std::move(key.credentials)};
}

void TokenService::NoteExpiry(const std::optional<Timestamp>& expires_at) {
  if (!expires_at) return;
  std::lock_guard lock(expiry_mu_);
  if (!earliest_expiry_ || *expires_at < *earliest_expiry_) earliest_expiry_ = expires_at;
  if (scanning_ && (!noted_during_scan_ || *expires_at < *noted_during_scan_))
    noted_during_scan_ = expires_at;
}

Expected<int> TokenService::ExpireDue(Timestamp now) {
  {
    std::lock_guard lock(expiry_mu_);
    const bool known_due = earliest_expiry_ && *earliest_expiry_ <= now;
    const bool full_scan_due =
        !last_full_scan_ || now - *last_full_scan_ >= options_.expiry_full_scan_interval;
    if (scanning_ || (!known_due && !full_scan_due)) return 0;
    scanning_ = true;
    noted_during_scan_.reset();
  }
  std::optional<Timestamp> next;  // earliest expiry still ahead (or to retry)
  auto keep_earliest = [&next](Timestamp t) {
    if (!next || t < *next) next = t;
  };
  Expected<int> result = ExpireScan(now, keep_earliest);
  std::lock_guard lock(expiry_mu_);
  scanning_ = false;
  if (!result.ok()) return result;  // keep the old hint: try again next time
  last_full_scan_ = now;
  earliest_expiry_ = next;
  if (noted_during_scan_) {
    if (!earliest_expiry_ || *noted_during_scan_ < *earliest_expiry_)
      earliest_expiry_ = noted_during_scan_;
  }
  return result;
}

Expected<int> TokenService::ExpireScan(Timestamp now, const std::function<void(Timestamp)>& keep) {
  // Collect first, then change, so the paging cursor never races our own updates.
  std::vector<std::string> due;
  TokenFilter filter;
  filter.status = TokenStatus::kActive;
  filter.limit = kExpiryPageSize;
  for (;;) {
    SC_ASSIGN_OR_RETURN(TokenPage page, options_.store->ListTokens(filter));
    for (const HoneyToken& t : page.items) {
      if (!t.expires_at) continue;
      if (*t.expires_at <= now)
        due.push_back(t.id);
      else
        keep(*t.expires_at);
    }
    if (page.next_cursor.empty()) break;
    filter.after_id = page.next_cursor;
  }
  const Actor system{"system:expiry", ""};
  int expired = 0;
  for (const std::string& id : due) {
    std::lock_guard lock(LockFor(id));
    auto token = options_.store->GetToken(id);
    if (!token.ok()) continue;
    if (token->status != TokenStatus::kActive || !token->expires_at) continue;  // changed since
    if (*token->expires_at > now) {
      keep(*token->expires_at);
      continue;
    }
    auto provider = ProviderFor(token->kind);
    if (!provider.ok()) {
      spdlog::warn("expiry of {}: {}", id, provider.status().ToString());
      continue;
    }
    Status revoked = (*provider)->Revoke(*token);
    if (!revoked.ok()) {
      spdlog::warn("expiry of {}: provider revoke failed, will retry: {}", id, revoked.ToString());
      keep(*token->expires_at);
      continue;
    }
    Retire(*token, TokenStatus::kExpired, now);
    SC_RETURN_IF_ERROR(options_.store->UpdateToken(*token));
    (void)Audit(system, "token.expire", id,
                json{{"access_key_id", token->access_key_id},
                     {"expires_at", FormatRfc3339(*token->expires_at)}}
                    .dump());
    ++expired;
  }
  return expired;
}

}  // namespace spacecrab
