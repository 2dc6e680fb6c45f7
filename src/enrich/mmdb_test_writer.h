// A minimal MaxMind DB (.mmdb) writer, for tests and benchmarks only: real
// databases are large and licensed, and none ships in Debian. Follows the
// MaxMind DB File Format Specification 2.0 — binary search tree (24, 28 or
// 32-bit records), 16-byte separator, data section, "\xAB\xCD\xEFMaxMind.com"
// metadata — closely enough for libmaxminddb to open and search it.
//
// Values are given as JSON: objects become maps, strings UTF-8 strings,
// unsigned numbers uint32 (uint64 when larger), negative numbers int32,
// floating point doubles, booleans booleans, arrays arrays.
// Not supported (not needed by the readers under test): pointers/deduplication
// in the data section, inserting a network after a more specific one.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace spacecrab::enrich::testing {

struct MmdbTestNetwork {
  std::string cidr;     // "198.51.100.0/24" or "2001:db8::/32"
  nlohmann::json data;  // the record for every address inside
};

struct MmdbTestOptions {
  std::string database_type = "Test-Country-ASN";
  int ip_version = 6;   // 6: IPv4 networks live under ::/96, as in MaxMind's files
  int record_size = 24; // 24 | 28 | 32
};

// The file's bytes. Networks are inserted shortest prefix first.
Expected<std::string> BuildTestMmdb(const std::vector<MmdbTestNetwork>& networks, const MmdbTestOptions& options = {});
Status WriteTestMmdb(const std::string& path, const std::vector<MmdbTestNetwork>& networks,
                     const MmdbTestOptions& options = {});

}  // namespace spacecrab::enrich::testing
