// TorExitList: is an address a Tor exit relay?
//
// Accepts both formats the Tor project publishes:
//   - the bulk exit list (check.torproject.org/torbulkexitlist): one address
//     per line;
//   - the exit-addresses document (check.torproject.org/exit-addresses):
//     "ExitNode FINGERPRINT" / "Published ..." / "LastStatus ..." lines and
//     "ExitAddress 1.2.3.4 2024-01-01 01:08:51" lines, of which only the
//     ExitAddress lines count.
// Blank lines and '#' comments are ignored; IPv4 and IPv6 both work. Any
// other line is an error naming the file and line: a truncated download or an
// HTML error page saved in its place must not silently empty the list.
//
// Thread-safety: Contains() may run concurrently with itself and Reload().
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "enrich/data_file.h"
#include "enrich/ip_address.h"
#include "enrich/range_table.h"

namespace spacecrab::enrich {

// Sorted, de-duplicated exit addresses.
struct TorExitSet {
  std::vector<uint32_t> v4;
  std::vector<Ip128> v6;
  bool Contains(const IpAddress& ip) const;
  size_t size() const { return v4.size() + v6.size(); }
};

Expected<TorExitSet> ParseTorExitList(std::string_view text, std::string_view file_name);

class TorExitList final {
 public:
  // Loads nothing: Contains() is false until a Reload() succeeds.
  explicit TorExitList(std::string path) : path_(path), files_({std::move(path)}) {}
  // Constructs and loads; fails like Reload().
  static Expected<std::unique_ptr<TorExitList>> Open(std::string path);

  TorExitList(const TorExitList&) = delete;
  TorExitList& operator=(const TorExitList&) = delete;

  bool Contains(const IpAddress& ip) const;
  // Re-reads the file; on failure the old list stays and the error is returned.
  Status Reload();
  // True when the file changed since the last Reload() attempt.
  bool ChangedOnDisk() const { return files_.Changed(); }
  bool loaded() const { return set_.Get() != nullptr; }
  size_t size() const;

 private:
  const std::string path_;
  WatchedFiles files_;
  std::mutex reload_mu_;
  Snapshot<TorExitSet> set_;
};

}  // namespace spacecrab::enrich
