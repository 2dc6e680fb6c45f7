// Lookup tables over address ranges, and the snapshot holder that lets a
// reload swap a whole table while readers keep using the old one.
//
// RangeTable: disjoint [first, last] ranges, binary search (Tor GeoIP files).
// PrefixTable: CIDR prefixes that may nest; the longest (most specific)
// prefix containing an address wins (cloud range lists).
//
// Thread-safety: tables are immutable after construction and safe for any
// number of concurrent readers. Snapshot<T> is safe for concurrent Get/Set.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace spacecrab::enrich {

template <typename Key, typename Value>
class RangeTable {
 public:
  struct Range {
    Key first{};
    Key last{};
    Value value{};
  };

  RangeTable() = default;
  // REQUIRES: sorted by `first`, first <= last, no two ranges overlap (the
  // loaders check this and report the offending line).
  explicit RangeTable(const std::vector<Range>& ranges) {
    firsts_.reserve(ranges.size());
    lasts_.reserve(ranges.size());
    values_.reserve(ranges.size());
    for (const Range& r : ranges) {
      firsts_.push_back(r.first);
      lasts_.push_back(r.last);
      values_.push_back(r.value);
    }
  }

  // The same from the three columns, taken over without copying.
  // REQUIRES: equal sizes, and what the constructor above requires.
  static RangeTable FromColumns(std::vector<Key> firsts, std::vector<Key> lasts, std::vector<Value> values) {
    RangeTable t;
    t.firsts_ = std::move(firsts);
    t.lasts_ = std::move(lasts);
    t.values_ = std::move(values);
    return t;
  }

  // The value of the range holding `key`, or null.
  const Value* Find(const Key& key) const {
    // Keys live in their own vector so the binary search touches only them.
    auto it = std::upper_bound(firsts_.begin(), firsts_.end(), key);
    if (it == firsts_.begin()) return nullptr;
    const size_t i = static_cast<size_t>(it - firsts_.begin()) - 1;
    if (key > lasts_[i]) return nullptr;
    return &values_[i];
  }

  size_t size() const { return firsts_.size(); }

 private:
  std::vector<Key> firsts_;
  std::vector<Key> lasts_;
  std::vector<Value> values_;
};

// Longest-prefix match without a trie: prefixes sorted by (first asc, last
// desc), each knowing its innermost enclosing prefix. The last prefix that
// starts at or before an address is the most specific one holding it, if any
// holds it; otherwise the answer is the nearest enclosing prefix that does.
// CIDR prefixes either nest or are disjoint, which is what makes this exact.
template <typename Key, typename Value>
class PrefixTable {
 public:
  struct Prefix {
    Key first{};
    Key last{};
    int length = 0;
    Value value{};
  };

  PrefixTable() = default;
  // Duplicate (first, last) pairs must have been merged by the caller.
  explicit PrefixTable(std::vector<Prefix> prefixes) : prefixes_(std::move(prefixes)) {
    std::sort(prefixes_.begin(), prefixes_.end(), [](const Prefix& a, const Prefix& b) {
      if (a.first != b.first) return a.first < b.first;
      return a.last > b.last;  // the enclosing prefix sorts before what it holds
    });
    firsts_.reserve(prefixes_.size());
    parents_.assign(prefixes_.size(), kNone);
    std::vector<uint32_t> open;  // chain of prefixes enclosing the current one
    for (uint32_t i = 0; i < prefixes_.size(); ++i) {
      firsts_.push_back(prefixes_[i].first);
      while (!open.empty() && prefixes_[open.back()].last < prefixes_[i].first) open.pop_back();
      if (!open.empty()) parents_[i] = open.back();
      open.push_back(i);
    }
  }

  // The most specific prefix holding `key`, or null.
  const Prefix* Find(const Key& key) const {
    auto it = std::upper_bound(firsts_.begin(), firsts_.end(), key);
    if (it == firsts_.begin()) return nullptr;
    uint32_t i = static_cast<uint32_t>(it - firsts_.begin()) - 1;
    while (i != kNone) {
      if (key <= prefixes_[i].last) return &prefixes_[i];
      i = parents_[i];
    }
    return nullptr;
  }

  size_t size() const { return prefixes_.size(); }

 private:
  static constexpr uint32_t kNone = 0xffffffffu;
  std::vector<Prefix> prefixes_;
  std::vector<Key> firsts_;
  std::vector<uint32_t> parents_;
};

// The current version of a loaded data set. Readers take a shared_ptr and
// keep the version they got for as long as they hold it; a reload publishes
// a new version without waiting for them.
template <typename T>
class Snapshot {
 public:
  std::shared_ptr<const T> Get() const { return current_.load(std::memory_order_acquire); }
  void Set(std::shared_ptr<const T> next) { current_.store(std::move(next), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const T>> current_;
};

}  // namespace spacecrab::enrich
