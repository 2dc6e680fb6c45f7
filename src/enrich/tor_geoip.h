// TorGeoIp: country of an IPv4 or IPv6 address from the GeoIP files the Tor
// project publishes and Debian ships in `tor-geoipdb` (/usr/share/tor/geoip,
// /usr/share/tor/geoip6; converted from the IPFire Location database).
//
// Formats, one range per line, '#' starts a comment:
//   geoip:  "INTIPLOW,INTIPHIGH,CC"   e.g. "134744064,134744319,US"
//   geoip6: "IPV6LOW,IPV6HIGH,CC"     e.g. "2001:4860::,2001:4860:ffff:...:ffff,US"
// "??" means the range is known but its country is not; it reads as no country.
// Lines must not overlap; ranges are looked up by binary search.
//
// Failure: a missing, unreadable or malformed file fails Open/Reload with a
// Status naming the file and line. Reload keeps the old tables on failure.
// Either path may be empty: that family then has no country data.
// Thread-safety: Country() may run concurrently with itself and with Reload().
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "enrich/data_file.h"
#include "enrich/ip_address.h"
#include "enrich/range_table.h"

namespace spacecrab::enrich {

using CountryCode = std::array<char, 2>;  // "US"; {0,0} for unknown
using GeoIpV4Table = RangeTable<uint32_t, CountryCode>;
using GeoIpV6Table = RangeTable<Ip128, CountryCode>;

// Parse one file's text. `file_name` is used in error messages only.
Expected<GeoIpV4Table> ParseTorGeoIpV4(std::string_view text, std::string_view file_name);
Expected<GeoIpV6Table> ParseTorGeoIpV6(std::string_view text, std::string_view file_name);

struct TorGeoIpOptions {
  std::string v4_path;  // empty: no IPv4 country data
  std::string v6_path;  // empty: no IPv6 country data
};

class TorGeoIp final {
 public:
  // Loads nothing: Country() answers empty until a Reload() succeeds.
  explicit TorGeoIp(TorGeoIpOptions options);
  // Constructs and loads; fails like Reload().
  static Expected<std::unique_ptr<TorGeoIp>> Open(TorGeoIpOptions options);

  TorGeoIp(const TorGeoIp&) = delete;
  TorGeoIp& operator=(const TorGeoIp&) = delete;

  // "US", or empty when the address is in no range (private, reserved) or in
  // a "??" range.
  std::string Country(const IpAddress& ip) const;

  // Re-reads both files; on any failure nothing changes and the error names
  // the file and line.
  Status Reload();
  // True when a file changed since the last Reload() attempt (or none was made).
  bool ChangedOnDisk() const { return files_.Changed(); }
  bool loaded() const { return tables_.Get() != nullptr; }

  size_t v4_ranges() const;
  size_t v6_ranges() const;

 private:
  struct Tables {
    GeoIpV4Table v4;
    GeoIpV6Table v6;
  };
  Expected<std::shared_ptr<const Tables>> Load() const;

  const TorGeoIpOptions options_;
  WatchedFiles files_;
  std::mutex reload_mu_;  // one reload at a time; readers never take it
  Snapshot<Tables> tables_;
};

}  // namespace spacecrab::enrich
