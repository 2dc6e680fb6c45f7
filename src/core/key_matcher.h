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
// Thread-safety: a published KeyIndex is never changed and may be read from
// any number of threads. KeyMatcher publishes a new KeyIndex on every change
// (copy-on-write) and hands readers a shared_ptr snapshot, so readers never
// block writers for longer than a pointer copy and never see a half update.
//
// Cost of a change: a KeyIndex is a short list of immutable segments shared
// with earlier snapshots (flat hash tables over their entries, newest segment
// first on lookup). A change adds one segment built from the changed keys
// alone; a segment is merged with the one before it once it reaches half that
// one's size, so there are O(log n) segments and each key is copied O(log n)
// times in all. A new snapshot therefore costs O(changes) plus a pointer per
// segment: following thousands of handouts a second no longer copies the keys
// changed since the last fold every time, nor every key at each fold. The
// pre-filter bitmaps are shared too: bits are only ever set (no key leaves the
// index), so an older snapshot seeing a newer key's bit only gets a false
// positive, which its lookup answers; they are rebuilt only when they grow.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

class KeyIndex {
 public:
  KeyIndex() = default;
  explicit KeyIndex(std::span<const IndexedKey> keys) { Upsert(keys); }

  // Adds or replaces entries (by access key id; within one call the last
  // entry for a key wins). Not thread-safe: only used while building a
  // snapshot that no reader can see yet.
  void Upsert(std::span<const IndexedKey> keys);

  // nullptr if absent. The entry lives as long as this index.
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
    return filter_ != nullptr && filter_->Test(filter_->keys, KeyFilterHash(access_key_id));
  }
  bool MayHaveUserName(std::string_view user_name) const {
    return filter_ != nullptr && filter_->Test(filter_->names, FilterHash(user_name));
  }

  std::optional<KeyMatch> Match(const CloudTrailRecord& record) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // How many segments a lookup may probe (tests and benchmarks).
  size_t segment_count() const { return segments_.size(); }

 private:
  class Segment;  // immutable once built; see key_matcher.cpp

  // Bit sets shared by every snapshot of one size; bits are only ever set.
  struct Filter {
    explicit Filter(size_t words);
    size_t words;
    std::unique_ptr<std::atomic<uint64_t>[]> keys;
    std::unique_ptr<std::atomic<uint64_t>[]> names;
    bool Test(const std::unique_ptr<std::atomic<uint64_t>[]>& bits, uint64_t h) const {
      const uint64_t i = h & (uint64_t(words) * 64 - 1);
      return (bits[i >> 6].load(std::memory_order_relaxed) >> (i & 63)) & 1;
    }
    void Set(const std::unique_ptr<std::atomic<uint64_t>[]>& bits, uint64_t h) const {
      const uint64_t i = h & (uint64_t(words) * 64 - 1);
      bits[i >> 6].fetch_or(uint64_t{1} << (i & 63), std::memory_order_relaxed);
    }
    void Add(const IndexedKey& k) const;
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
  static size_t FilterWords(size_t keys);

  std::vector<std::shared_ptr<const Segment>> segments_;  // oldest first
  size_t size_ = 0;
  std::shared_ptr<const Filter> filter_;
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
