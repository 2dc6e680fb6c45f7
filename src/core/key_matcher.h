// KeyMatcher: decides whether a CloudTrail record is a use of one of our keys.
//
// The rule (DESIGN "Match on the caller, not on mentions"): a record is a use
// of a token when userIdentity.accessKeyId is a key we issued, or — when
// accessKeyId is empty or not one of ours (an ASIA session key the attacker
// got from sts:GetSessionToken with our key) — when userIdentity.type is
// "IAMUser" and its (accountId, userName) (or the account and name its ARN
// carries) belong to a token. A key id that appears anywhere else in the record (requestParameters,
// responseElements: e.g. our own CreateAccessKey) is never a use, because only
// userIdentity is consulted.
//
// The index holds every key ever issued, whatever its status: revoked, expired
// and deleted tokens stay matchable (the match says the token was retired).
//
// Thread-safety: KeyIndex is immutable once built and may be read from any
// number of threads. KeyMatcher publishes a new KeyIndex on every change
// (copy-on-write) and hands readers a shared_ptr snapshot, so readers never
// block writers for longer than a pointer copy and never see a half update.
//
// Cost of a change: a KeyIndex is a large base shared by every snapshot plus
// a small overlay of the keys changed since; a new snapshot copies the overlay
// and the filter bitmaps (8 bytes a key), not the tables. The overlay is folded
// into a new base when it reaches a quarter of the base (amortised O(1) per
// change), so following thousands of handouts a second does not copy every
// key ever issued each time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cloudtrail_record.h"
#include "core/honey_token.h"

namespace spacecrab {

// What the matcher needs to know about one issued key.
struct IndexedKey {
  std::string access_key_id;
  std::string token_id;
  std::string account_id;
  std::string user_name;
  TokenKind kind = TokenKind::kDecoy;
  TokenStatus status = TokenStatus::kActive;
};

enum class MatchBasis { kAccessKeyId, kIamUser };

struct KeyMatch {
  std::string token_id;
  std::string access_key_id;  // the token's key id (also for kIamUser matches)
  TokenKind kind = TokenKind::kDecoy;
  TokenStatus status = TokenStatus::kActive;
  MatchBasis basis = MatchBasis::kAccessKeyId;
};

// Transparent hashing so lookups take string_view without allocating.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class KeyIndex {
 public:
  KeyIndex() = default;
  explicit KeyIndex(std::span<const IndexedKey> keys) { Upsert(keys); }

  // Adds or replaces entries (by access key id). Not thread-safe: only used
  // while building a snapshot that no reader can see yet.
  void Upsert(std::span<const IndexedKey> keys);

  // nullptr if absent.
  const IndexedKey* FindKey(std::string_view access_key_id) const;
  // The token of IAM user (account, name); when several tokens share a user
  // (a rotated key on the same user), the active one, else the newest.
  const IndexedKey* FindUser(std::string_view account_id, std::string_view user_name) const;
  // True if any token, in any account, has this user name (pre-filter use).
  bool HasUserName(std::string_view user_name) const;

  // Fast negative checks for the pre-filter: false means "certainly not
  // indexed"; true means "look it up". A bitmap sized to the index (about 1%
  // false positives), so the common case costs one cache-resident bit test
  // instead of a hash-table probe.
  bool MayHaveKey(std::string_view access_key_id) const {
    return TestBit(key_bits_, KeyFilterHash(access_key_id));
  }
  bool MayHaveUserName(std::string_view user_name) const {
    return TestBit(name_bits_, FilterHash(user_name));
  }

  std::optional<KeyMatch> Match(const CloudTrailRecord& record) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Tables {
    std::unordered_map<std::string, IndexedKey, StringHash, std::equal_to<>> by_key;
    // "account/name" -> access key id of the preferred token for that user.
    std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> by_user;
    std::unordered_map<std::string, int, StringHash, std::equal_to<>> user_names;  // name -> tokens
  };

  static uint64_t FilterHash(std::string_view s) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h ^ (h >> 29);
  }
  // Key ids are 20 characters whose last 16 are random: two 8-byte loads.
  static uint64_t KeyFilterHash(std::string_view k) {
    if (k.size() != 20) return FilterHash(k);
    uint64_t a, b;
    std::memcpy(&a, k.data() + 4, 8);
    std::memcpy(&b, k.data() + 12, 8);
    const uint64_t h = (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL);
    return h ^ (h >> 31);
  }
  static bool TestBit(const std::vector<uint64_t>& bits, uint64_t h) {
    if (bits.empty()) return false;
    const uint64_t i = h & (uint64_t(bits.size()) * 64 - 1);
    return (bits[i >> 6] >> (i & 63)) & 1;
  }
  static void SetBit(std::vector<uint64_t>& bits, uint64_t h) {
    const uint64_t i = h & (uint64_t(bits.size()) * 64 - 1);
    bits[i >> 6] |= uint64_t{1} << (i & 63);
  }
  static size_t FilterWords(size_t keys);

  // The preferred key id recorded for "account/name", overlay first.
  const std::string* PreferredKeyOf(std::string_view user_key) const;
  // Calls fn(entry) for every current entry (overlay entries replace the base's).
  void ForEachKey(const std::function<void(const IndexedKey&)>& fn) const;
  void UpsertOne(const IndexedKey& k);
  void Compact();         // folds the overlay into a new base
  void RebuildFilters();  // from every entry, sized to the index

  std::shared_ptr<const Tables> base_ = std::make_shared<const Tables>();
  Tables overlay_;  // changed since base_; its entries win
  size_t size_ = 0;
  std::vector<uint64_t> key_bits_;  // power-of-two bit count
  std::vector<uint64_t> name_bits_;
};

class KeyMatcher {
 public:
  KeyMatcher() : index_(std::make_shared<const KeyIndex>()) {}
  KeyMatcher(const KeyMatcher&) = delete;
  KeyMatcher& operator=(const KeyMatcher&) = delete;

  // The current index; stays valid (and unchanged) for as long as it is held.
  std::shared_ptr<const KeyIndex> Snapshot() const;

  // Replaces the whole index (start-up load).
  void Reset(std::span<const IndexedKey> keys);
  // Adds or updates keys (token created, revoked, deleted...) without restart.
  void Apply(std::span<const IndexedKey> changes);

  std::optional<KeyMatch> Match(const CloudTrailRecord& record) const {
    return Snapshot()->Match(record);
  }

 private:
  mutable std::mutex mu_;  // guards index_ (the pointer, not the pointee)
  std::mutex write_mu_;    // serialises writers so copy-on-write never loses an update
  std::shared_ptr<const KeyIndex> index_;
};

}  // namespace spacecrab
