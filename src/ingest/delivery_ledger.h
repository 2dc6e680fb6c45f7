// DeliveryLedger: which log files of one S3 prefix or directory are done, so
// a restarted source neither skips nor (needlessly) re-reads them — including
// files delivered late.
//
// Files are ordered by (delivery time, name): for S3 the time in the key
// ("..._20240501T1205Z_x.json.gz", the delivery date, so a late file can sort
// *before* files already read), for directories the modification time.
// Everything at or below the floor is done; above it, the names are listed.
// The floor trails the newest delivery time seen by `lateness`, so a file
// that arrives up to `lateness` after newer ones is still picked up. A file
// later than that is missed by polling (the one-shot `ingest` finds it).
//
// Not thread-safe. Serialises to a small JSON checkpoint (Store::PutCheckpoint).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace spacecrab::ingest {

class DeliveryLedger {
 public:
  explicit DeliveryLedger(int64_t lateness_ms) : lateness_ms_(lateness_ms) {}

  // An empty `json` gives an empty ledger; kDataLoss if unreadable.
  static Expected<DeliveryLedger> Parse(std::string_view json, int64_t lateness_ms);
  std::string Serialize() const;

  bool IsDone(int64_t time_ms, std::string_view name) const;
  void MarkDone(int64_t time_ms, std::string name);

  // Names at or below this are done: a safe S3 ListObjectsV2 start-after
  // (for S3 the name order within one prefix is the time order).
  const std::string& floor_name() const { return floor_.second; }
  int64_t floor_time() const { return floor_.first; }
  size_t pending_size() const { return done_.size(); }

 private:
  void Compact();

  int64_t lateness_ms_;
  int64_t max_time_ = INT64_MIN;
  std::pair<int64_t, std::string> floor_{INT64_MIN, ""};
  std::set<std::pair<int64_t, std::string>> done_;  // above the floor
};

// The delivery time in a CloudTrail key or file name
// ("ACCT_CloudTrail_REGION_20240501T1205Z_UNIQUE.json.gz"), in Unix ms, or
// nullopt if the name does not carry one.
std::optional<int64_t> DeliveryTimeFromName(std::string_view name);

}  // namespace spacecrab::ingest
