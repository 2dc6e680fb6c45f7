// CloudRanges: is an address inside a published cloud provider network, and
// which service and region?
//
// Reads the range lists providers publish, recognised by their shape:
//   - AWS ip-ranges.json: "prefixes" [{ip_prefix, region, service}] and
//     "ipv6_prefixes" [{ipv6_prefix, region, service}];
//   - Google Cloud cloud.json: "prefixes" [{ipv4Prefix|ipv6Prefix, service, scope}];
//   - Azure ServiceTags_*.json: "values" [{name, properties{region,
//     systemService, addressPrefixes[]}}].
// Prefixes nest (AWS lists 18.236.0.0/15 under both AMAZON and EC2, and
// EC2_INSTANCE_CONNECT /29s inside EC2 /15s); the longest prefix holding an
// address wins, and for one prefix listed under several services the specific
// service beats the catch-all ("AMAZON", "AzureCloud").
//
// Failure: Open/Reload fail with a Status naming the file and, for a bad
// entry, its line and JSON path. Reload keeps the old data on failure.
// Thread-safety: Find() may run concurrently with itself and Reload().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/status.h"
#include "enrich/data_file.h"
#include "enrich/ip_address.h"
#include "enrich/range_table.h"

namespace spacecrab::enrich {

struct CloudMatch {
  std::string provider;  // "aws" | "gcp" | "azure"
  std::string service;   // "EC2", "CLOUDFRONT", "Google Cloud", "AzureStorage"
  std::string region;    // "us-west-2", "GLOBAL", "africa-south1", "eastus"
  std::string prefix;    // the matching network, "18.236.0.0/15"
};

// One or more range files merged into one longest-prefix table.
class CloudRangeTable {
 public:
  // Adds one file's content. `file_name` is for messages only.
  Status AddFile(std::string_view text, std::string_view file_name);
  // Builds the lookup structure; call once after the last AddFile.
  void Finish();

  std::optional<CloudMatch> Find(const IpAddress& ip) const;
  size_t size() const { return v4_.size() + v6_.size(); }

 private:
  struct Network {
    uint32_t provider;  // index into strings_
    uint32_t service;
    uint32_t region;
  };
  struct PendingPrefix {
    IpPrefix prefix;
    uint32_t network;  // index into networks_
  };
  uint32_t Intern(std::string_view s);
  void AddPrefix(const IpPrefix& prefix, std::string_view provider, std::string_view service,
                 std::string_view region);

  std::vector<std::string> strings_;
  std::map<std::string, uint32_t, std::less<>> string_index_;  // build time only
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> network_index_;  // build time only
  std::vector<Network> networks_;
  std::vector<PendingPrefix> pending_;
  PrefixTable<uint32_t, uint32_t> v4_;
  PrefixTable<Ip128, uint32_t> v6_;
};

class CloudRanges final {
 public:
  // Loads nothing: Find() answers nothing until a Reload() succeeds.
  explicit CloudRanges(std::vector<std::string> paths) : files_(std::move(paths)) {}
  // Constructs and loads; fails like Reload(). REQUIRES: at least one path.
  static Expected<std::unique_ptr<CloudRanges>> Open(std::vector<std::string> paths);

  CloudRanges(const CloudRanges&) = delete;
  CloudRanges& operator=(const CloudRanges&) = delete;

  std::optional<CloudMatch> Find(const IpAddress& ip) const;
  // Re-reads every file; on any failure the old table stays.
  Status Reload();
  // True when a file changed since the last Reload() attempt.
  bool ChangedOnDisk() const { return files_.Changed(); }
  bool loaded() const { return table_.Get() != nullptr; }
  size_t size() const;

 private:
  WatchedFiles files_;
  std::mutex reload_mu_;
  Snapshot<CloudRangeTable> table_;
};

}  // namespace spacecrab::enrich
