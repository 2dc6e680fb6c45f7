#include "core/key_matcher.h"

#include <algorithm>

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

size_t KeyIndex::FilterWords(size_t keys) {
  // ~64 bits per entry: ~1.5% false positives for the key filter.
  size_t words = 1024;
  while (words < keys && words < (size_t{1} << 20)) words *= 2;
  return words;
}

void KeyIndex::RebuildFilters() {
  const size_t words = FilterWords(size_);
  key_bits_.assign(words, 0);
  name_bits_.assign(words, 0);
  ForEachKey([this](const IndexedKey& k) {
    SetBit(key_bits_, KeyFilterHash(k.access_key_id));
    if (!k.user_name.empty()) SetBit(name_bits_, FilterHash(k.user_name));
  });
}

void KeyIndex::ForEachKey(const std::function<void(const IndexedKey&)>& fn) const {
  for (const auto& [id, k] : overlay_.by_key) fn(k);
  for (const auto& [id, k] : base_->by_key)
    if (overlay_.by_key.find(id) == overlay_.by_key.end()) fn(k);
}

const std::string* KeyIndex::PreferredKeyOf(std::string_view user_key) const {
  if (auto it = overlay_.by_user.find(user_key); it != overlay_.by_user.end()) return &it->second;
  if (auto it = base_->by_user.find(user_key); it != base_->by_user.end()) return &it->second;
  return nullptr;
}

void KeyIndex::Upsert(std::span<const IndexedKey> keys) {
  for (const IndexedKey& k : keys) UpsertOne(k);
  if (overlay_.by_key.size() > std::max<size_t>(1024, base_->by_key.size() / 4)) Compact();
  if (key_bits_.size() != FilterWords(size_)) return RebuildFilters();
  for (const IndexedKey& k : keys) {
    if (k.access_key_id.empty()) continue;
    SetBit(key_bits_, KeyFilterHash(k.access_key_id));
    if (!k.user_name.empty()) SetBit(name_bits_, FilterHash(k.user_name));
  }
}

void KeyIndex::UpsertOne(const IndexedKey& k) {
  if (k.access_key_id.empty()) return;
  // A key's user never changes; only status (and metadata) do.
  const bool is_new = FindKey(k.access_key_id) == nullptr;
  overlay_.by_key.insert_or_assign(k.access_key_id, k);
  if (is_new) {
    ++size_;
    if (!k.user_name.empty()) ++overlay_.user_names[k.user_name];
  }
  if (k.user_name.empty() || k.account_id.empty()) return;
  const std::string user_key = UserKey(k.account_id, k.user_name);
  const std::string* current = PreferredKeyOf(user_key);
  if (current == nullptr) {
    overlay_.by_user.insert_or_assign(user_key, k.access_key_id);
  } else if (*current == k.access_key_id) {
    // Same key changed status: another token of the same user may now be preferred.
    std::string best = *current;
    ForEachKey([&](const IndexedKey& other) {
      if (other.account_id == k.account_id && other.user_name == k.user_name &&
          Preferred(other, *FindKey(best)))
        best = other.access_key_id;
    });
    overlay_.by_user.insert_or_assign(user_key, std::move(best));
  } else if (Preferred(k, *FindKey(*current))) {
    overlay_.by_user.insert_or_assign(user_key, k.access_key_id);
  }
}

void KeyIndex::Compact() {
  if (base_->by_key.empty()) {  // the first load: the overlay becomes the base as it is
    base_ = std::make_shared<const Tables>(std::move(overlay_));
    overlay_ = Tables{};
    return;
  }
  auto next = std::make_shared<Tables>(*base_);
  for (auto& [id, k] : overlay_.by_key) next->by_key.insert_or_assign(id, std::move(k));
  for (auto& [user, id] : overlay_.by_user) next->by_user.insert_or_assign(user, std::move(id));
  for (const auto& [name, n] : overlay_.user_names) next->user_names[name] += n;
  base_ = std::move(next);
  overlay_ = Tables{};
}

const IndexedKey* KeyIndex::FindKey(std::string_view access_key_id) const {
  if (auto it = overlay_.by_key.find(access_key_id); it != overlay_.by_key.end()) return &it->second;
  auto it = base_->by_key.find(access_key_id);
  return it == base_->by_key.end() ? nullptr : &it->second;
}

const IndexedKey* KeyIndex::FindUser(std::string_view account_id,
                                     std::string_view user_name) const {
  if (account_id.empty() || user_name.empty()) return nullptr;
  const std::string* key = PreferredKeyOf(UserKey(account_id, user_name));
  return key == nullptr ? nullptr : FindKey(*key);
}

bool KeyIndex::HasUserName(std::string_view user_name) const {
  return overlay_.user_names.find(user_name) != overlay_.user_names.end() ||
         base_->user_names.find(user_name) != base_->user_names.end();
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
