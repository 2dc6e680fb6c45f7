#include "core/key_matcher.h"

#include <algorithm>
#include <bit>

namespace spacecrab {
namespace {

// Whether `candidate` should answer for its user instead of `current`.
bool Preferred(const IndexedKey& candidate, const IndexedKey& current) {
  const bool cand_active = candidate.status == TokenStatus::kActive;
  const bool cur_active = current.status == TokenStatus::kActive;
  if (cand_active != cur_active) return cand_active;
  return candidate.token_id > current.token_id;  // ids sort by creation time
}

}  // namespace

// A set of entries, unique by access key id, with three flat open-addressing
// tables over them: by key id, by (account, user name) — the entries of one
// user chained through next_of_user_ — and by user name alone. A slot holds
// the entry's index + 1 in its low half and the top half of its hash in the
// high half, so a probe compares strings only on a likely match; 0 is empty.
// Never changed once built, so any number of snapshots share it.
class KeyIndex::Segment {
 public:
  // From candidates in priority order: the first entry for a key id wins.
  explicit Segment(std::vector<IndexedKey> candidates) {
    const size_t slots = std::bit_ceil(std::max<size_t>(16, candidates.size() * 2));
    key_slots_.assign(slots, 0);
    user_slots_.assign(slots, 0);
    name_slots_.assign(slots, 0);
    entries_.reserve(candidates.size());
    next_of_user_.reserve(candidates.size());
    for (IndexedKey& k : candidates) {
      const uint64_t key_hash = KeyHash(k.access_key_id);
      uint64_t& slot = key_slots_[KeySlot(k.access_key_id, key_hash)];
      if (slot != 0) continue;  // an earlier candidate had this key
      entries_.push_back(std::move(k));
      next_of_user_.push_back(0);
      const auto at = static_cast<uint32_t>(entries_.size());
      slot = Slot(key_hash, at);
      const IndexedKey& e = entries_.back();
      if (e.user_name.empty()) continue;
      const uint64_t name_hash = NameHash(e.user_name);
      if (uint64_t& n = name_slots_[NameSlot(e.user_name, name_hash)]; n == 0)
        n = Slot(name_hash, at);
      if (e.account_id.empty()) continue;
      const uint64_t user_hash = UserHash(e.account_id, name_hash);
      uint64_t& u = user_slots_[UserSlot(e.account_id, e.user_name, user_hash)];
      if (u != 0) next_of_user_.back() = uint32_t(u);  // prepend to the user's chain
      u = Slot(user_hash, at);
    }
  }

  // The newer segment's entries, then the older one's (the constructor drops
  // those the newer one replaces).
  static std::shared_ptr<const Segment> Merge(const Segment& older, const Segment& newer) {
    std::vector<IndexedKey> all;
    all.reserve(older.size() + newer.size());
    all.insert(all.end(), newer.entries_.begin(), newer.entries_.end());
    all.insert(all.end(), older.entries_.begin(), older.entries_.end());
    return std::make_shared<const Segment>(std::move(all));
  }

  size_t size() const { return entries_.size(); }
  const std::vector<IndexedKey>& entries() const { return entries_; }

  const IndexedKey* Find(std::string_view key) const {
    const auto at = uint32_t(key_slots_[KeySlot(key, KeyHash(key))]);
    return at == 0 ? nullptr : &entries_[at - 1];
  }
  bool HasUserName(std::string_view name) const {
    return name_slots_[NameSlot(name, NameHash(name))] != 0;
  }
  template <class Fn>
  void ForEachOfUser(std::string_view account, std::string_view name, Fn&& fn) const {
    const uint64_t hash = UserHash(account, NameHash(name));
    for (auto at = uint32_t(user_slots_[UserSlot(account, name, hash)]); at != 0;
         at = next_of_user_[at - 1])
      fn(entries_[at - 1]);
  }

 private:
  // Hashes spread over all 64 bits: the low bits pick the slot, the high ones
  // are the tag (the filters use other mixes of the same inputs).
  static uint64_t Mix(uint64_t h) {
    h *= 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
  }
  static uint64_t KeyHash(std::string_view key) { return Mix(KeyFilterHash(key)); }
  static uint64_t NameHash(std::string_view name) { return Mix(FilterHash(name)); }
  static uint64_t UserHash(std::string_view account, uint64_t name_hash) {
    return Mix(name_hash ^ FilterHash(account));
  }
  static uint64_t Slot(uint64_t hash, uint32_t at) { return (hash & ~uint64_t{0xffffffff}) | at; }

  // The index of the slot holding the entry sought, or of the empty slot
  // where it would go.
  size_t KeySlot(std::string_view key, uint64_t hash) const {
    return Probe(key_slots_, hash, [&](const IndexedKey& e) { return e.access_key_id == key; });
  }
  size_t NameSlot(std::string_view name, uint64_t hash) const {
    return Probe(name_slots_, hash, [&](const IndexedKey& e) { return e.user_name == name; });
  }
  size_t UserSlot(std::string_view account, std::string_view name, uint64_t hash) const {
    return Probe(user_slots_, hash, [&](const IndexedKey& e) {
      return e.user_name == name && e.account_id == account;
    });
  }
  template <class Eq>
  size_t Probe(const std::vector<uint64_t>& slots, uint64_t hash, Eq&& eq) const {
    const size_t mask = slots.size() - 1;
    const uint64_t tag = hash & ~uint64_t{0xffffffff};
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const uint64_t s = slots[i];
      if (s == 0 || ((s & ~uint64_t{0xffffffff}) == tag && eq(entries_[uint32_t(s) - 1]))) return i;
    }
  }

  std::vector<IndexedKey> entries_;
  std::vector<uint32_t> next_of_user_;
  std::vector<uint64_t> key_slots_, user_slots_, name_slots_;  // at most half full
};

KeyIndex::Filter::Filter(size_t n)
    : words(n),
      keys(std::make_unique<std::atomic<uint64_t>[]>(n)),
      names(std::make_unique<std::atomic<uint64_t>[]>(n)) {
  for (size_t i = 0; i < n; ++i) {
    keys[i].store(0, std::memory_order_relaxed);
    names[i].store(0, std::memory_order_relaxed);
  }
}

void KeyIndex::Filter::Add(const IndexedKey& k) const {
  Set(keys, KeyFilterHash(k.access_key_id));
  if (!k.user_name.empty()) Set(names, FilterHash(k.user_name));
}

size_t KeyIndex::FilterWords(size_t keys) {
  // ~64 bits per entry: ~1.5% false positives for the key filter.
  size_t words = 1024;
  while (words < keys && words < (size_t{1} << 20)) words *= 2;
  return words;
}

void KeyIndex::Upsert(std::span<const IndexedKey> keys) {
  std::vector<IndexedKey> latest_first;
  latest_first.reserve(keys.size());
  for (auto k = keys.rbegin(); k != keys.rend(); ++k)
    if (!k->access_key_id.empty()) latest_first.push_back(*k);
  if (latest_first.empty()) return;
  auto added = std::make_shared<const Segment>(std::move(latest_first));
  for (const IndexedKey& k : added->entries())
    if (FindKey(k.access_key_id) == nullptr) ++size_;
  segments_.push_back(added);
  // Keep each segment at least twice the size of the next newer one.
  while (segments_.size() >= 2 &&
         segments_.back()->size() * 2 > segments_[segments_.size() - 2]->size()) {
    auto merged = Segment::Merge(*segments_[segments_.size() - 2], *segments_.back());
    segments_.pop_back();
    segments_.back() = std::move(merged);
  }
  if (filter_ != nullptr && filter_->words == FilterWords(size_)) {
    for (const IndexedKey& k : added->entries()) filter_->Add(k);
    return;
  }
  auto filter = std::make_shared<Filter>(FilterWords(size_));
  for (const auto& segment : segments_)
    for (const IndexedKey& k : segment->entries()) filter->Add(k);
  filter_ = std::move(filter);
}

const IndexedKey* KeyIndex::FindKey(std::string_view access_key_id) const {
  for (auto s = segments_.rbegin(); s != segments_.rend(); ++s)
    if (const IndexedKey* k = (*s)->Find(access_key_id)) return k;
  return nullptr;
}

const IndexedKey* KeyIndex::FindUser(std::string_view account_id,
                                     std::string_view user_name) const {
  if (account_id.empty() || user_name.empty()) return nullptr;
  const IndexedKey* best = nullptr;
  for (const auto& segment : segments_) {
    segment->ForEachOfUser(account_id, user_name, [&](const IndexedKey& k) {
      if (FindKey(k.access_key_id) != &k) return;  // a newer segment holds this key's state
      if (best == nullptr || Preferred(k, *best)) best = &k;
    });
  }
  return best;
}

bool KeyIndex::HasUserName(std::string_view user_name) const {
  return std::any_of(segments_.begin(), segments_.end(),
                     [&](const auto& s) { return s->HasUserName(user_name); });
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
