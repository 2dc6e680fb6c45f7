#include "core/key_matcher.h"

namespace spacecrab {
namespace {

std::string UserKey(std::string_view account_id, std::string_view user_name) {
  std::string k;
  k.reserve(account_id.size() + 1 + user_name.size());
  k.append(account_id).push_back('/');
  k.append(user_name);
  return k;
}

// Whether `candidate` should answer for its user instead of `current`.
bool Preferred(const IndexedKey& candidate, const IndexedKey& current) {
  const bool cand_active = candidate.status == TokenStatus::kActive;
  const bool cur_active = current.status == TokenStatus::kActive;
  if (cand_active != cur_active) return cand_active;
  return candidate.token_id > current.token_id;  // ids sort by creation time
}

}  // namespace

void KeyIndex::RebuildFilters() {
  // ~64 bits per entry: ~1.5% false positives for the key filter.
  size_t words = 1024;
  while (words * 64 < by_key_.size() * 64 && words < (size_t{1} << 20)) words *= 2;
  key_bits_.assign(words, 0);
  name_bits_.assign(words, 0);
  for (const auto& [id, k] : by_key_) SetBit(key_bits_, KeyFilterHash(id));
  for (const auto& [name, n] : user_names_) SetBit(name_bits_, FilterHash(name));
}

void KeyIndex::Upsert(std::span<const IndexedKey> keys) {
  for (const IndexedKey& k : keys) {
    if (k.access_key_id.empty()) continue;
    auto [it, inserted] = by_key_.try_emplace(k.access_key_id, k);
    if (!inserted) {
      // A key's user never changes; only status (and metadata) do. Recompute
      // the user mapping below from the updated entry.
      it->second = k;
    } else if (!k.user_name.empty()) {
      ++user_names_[k.user_name];
    }
    if (k.user_name.empty() || k.account_id.empty()) continue;
    const std::string user_key = UserKey(k.account_id, k.user_name);
    auto u = by_user_.find(user_key);
    if (u == by_user_.end()) {
      by_user_.emplace(user_key, k.access_key_id);
    } else if (u->second == k.access_key_id) {
      // Same key changed status: another token of the same user may now be preferred.
      for (const auto& [id, other] : by_key_) {
        if (other.account_id == k.account_id && other.user_name == k.user_name &&
            Preferred(other, by_key_.at(u->second)))
          u->second = id;
      }
    } else if (Preferred(k, by_key_.at(u->second))) {
      u->second = k.access_key_id;
    }
  }
  RebuildFilters();
}

const IndexedKey* KeyIndex::FindKey(std::string_view access_key_id) const {
  auto it = by_key_.find(access_key_id);
  return it == by_key_.end() ? nullptr : &it->second;
}

const IndexedKey* KeyIndex::FindUser(std::string_view account_id,
                                     std::string_view user_name) const {
  if (account_id.empty() || user_name.empty()) return nullptr;
  auto it = by_user_.find(UserKey(account_id, user_name));
  return it == by_user_.end() ? nullptr : FindKey(it->second);
}

bool KeyIndex::HasUserName(std::string_view user_name) const {
  return user_names_.find(user_name) != user_names_.end();
}

std::optional<KeyMatch> KeyIndex::Match(const CloudTrailRecord& record) const {
  const CloudTrailUserIdentity& who = record.user_identity;
  const IndexedKey* hit = nullptr;
  MatchBasis basis = MatchBasis::kAccessKeyId;
  if (!who.access_key_id.empty()) hit = FindKey(who.access_key_id);
  // An unknown key on one of our IAM users is still that user's use: a
  // deny-all policy does not stop sts:GetSessionToken, so a careful attacker
  // can trade our AKIA key for an ASIA session key and call AWS with that.
  if (hit == nullptr && who.type == "IAMUser") {
    std::string_view account = who.account_id;
    if (account.empty()) account = AccountIdFromArn(who.arn);
    std::string_view name = who.user_name;
    if (name.empty()) name = UserNameFromArn(who.arn);
    hit = FindUser(account, name);
    basis = MatchBasis::kIamUser;
  }
  if (hit == nullptr) return std::nullopt;
  return KeyMatch{hit->token_id, hit->access_key_id, hit->kind, hit->status, basis};
}

std::shared_ptr<const KeyIndex> KeyMatcher::Snapshot() const {
  std::lock_guard lock(mu_);
  return index_;
}

void KeyMatcher::Reset(std::span<const IndexedKey> keys) {
  auto fresh = std::make_shared<const KeyIndex>(keys);
  std::lock_guard write(write_mu_);
  std::lock_guard lock(mu_);
  index_ = std::move(fresh);
}

void KeyMatcher::Apply(std::span<const IndexedKey> changes) {
  if (changes.empty()) return;
  std::lock_guard write(write_mu_);
  auto next = std::make_shared<KeyIndex>(*Snapshot());
  next->Upsert(changes);
  std::lock_guard lock(mu_);
  index_ = std::move(next);
}

}  // namespace spacecrab
