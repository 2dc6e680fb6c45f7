// MmdbGeoIp: country, ASN and AS organisation from MaxMind DB (.mmdb) files,
// read with libmaxminddb (memory-mapped, nothing loaded into the heap).
//
// Several files may be given (a country database and an ASN database are
// usually separate); each lookup asks them in order and keeps the first value
// found for each field. Understood layouts:
//   - MaxMind GeoIP2/GeoLite2 and DB-IP: country.iso_code (else
//     registered_country.iso_code), autonomous_system_number,
//     autonomous_system_organization;
//   - IPinfo: country_code, asn ("AS15169"), as_name.
// Missing fields simply stay empty.
//
// Failure: Open/Reload fail with a Status naming the file when it is missing
// or not a MaxMind DB; Reload keeps the old databases on failure. A lookup
// error inside a damaged file yields empty fields, never a crash.
// Thread-safety: Lookup() may run concurrently with itself and Reload()
// (libmaxminddb lookups only read the mapping; an old mapping is unmapped
// when the last reader of it is done).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "enrich/data_file.h"
#include "enrich/ip_address.h"
#include "enrich/range_table.h"

namespace spacecrab::enrich {

struct MmdbResult {
  std::string country;  // "US"
  uint32_t asn = 0;     // 0: unknown
  std::string as_org;   // "AMAZON-02"
};

class MmdbGeoIp final {
 public:
  // Opens nothing: Lookup() answers empty until a Reload() succeeds.
  explicit MmdbGeoIp(std::vector<std::string> paths);
  // Constructs and opens; fails like Reload(). REQUIRES: at least one path.
  static Expected<std::unique_ptr<MmdbGeoIp>> Open(std::vector<std::string> paths);

  MmdbGeoIp(const MmdbGeoIp&) = delete;
  MmdbGeoIp& operator=(const MmdbGeoIp&) = delete;
  ~MmdbGeoIp();

  MmdbResult Lookup(const IpAddress& ip) const;
  // Re-opens every file; on any failure the old databases stay in use.
  Status Reload();
  // True when a file changed since the last Reload() attempt.
  bool ChangedOnDisk() const { return files_.Changed(); }
  bool loaded() const { return dbs_.Get() != nullptr; }
  // "GeoLite2-Country (ipv6), GeoLite2-ASN (ipv6)" for start-up logs.
  std::string Describe() const;

 private:
  struct Databases;

  WatchedFiles files_;
  std::mutex reload_mu_;
  Snapshot<Databases> dbs_;
};

}  // namespace spacecrab::enrich
