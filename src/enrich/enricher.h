// Enricher: one call per event, at detection time, answering "where did this
// come from?" from offline data only — country and ASN (MaxMind .mmdb, else
// Tor's GeoIP files), Tor exit relay, cloud provider network, AWS-internal
// source, and the tool named by the user agent.
//
// Construction from [enrich] config (EnricherOptionsFromConfig):
//   - a file that is explicitly configured and missing or corrupt fails
//     Create() with a Status naming the file (and line);
//   - Tor's GeoIP files at Debian's default paths are optional: when absent
//     or unreadable the enricher starts without them, logs a warning (also
//     returned by warnings()) and leaves country empty — never a crash.
// Reload() re-reads every source, ReloadIfChanged() only those whose files
// changed (for a periodic timer or SIGHUP). A source that fails to reload
// keeps its previous data; the returned Status says which file failed.
//
// Thread-safety: Enrich() may run on any number of threads at once, also
// while Reload()/ReloadIfChanged() run (each source swaps its data whole),
// and also while it loads a Tor GeoIP file on first use (once).
// Ownership: the Enricher owns its data; Enrichment results are plain values.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "enrich/enrichment.h"

namespace spacecrab::enrich {

class CloudRanges;
class MmdbGeoIp;
class TorExitList;
class TorGeoIp;

struct EnricherOptions {
  std::string tor_exit_list;                // empty: no Tor exit data
  std::vector<std::string> geoip_db;        // .mmdb files, asked in order
  std::string tor_geoip_v4;                 // empty: none
  std::string tor_geoip_v6;                 // empty: none
  bool tor_geoip_optional = false;          // absent/broken Tor GeoIP files degrade instead of failing
  // With tor_geoip_optional: read each Tor GeoIP file when the first address
  // of its family is enriched rather than in Create() (for one-shot runs,
  // `spacecrab ingest`, that may enrich nothing or no IPv6 address). A file
  // that is absent or broken then is logged, not listed in warnings().
  bool load_tor_geoip_on_first_use = false;
  std::vector<std::string> cloud_ranges;    // ip-ranges.json (and GCP/Azure) files
};

// Debian's tor-geoipdb paths, the config defaults.
inline constexpr std::string_view kDebianTorGeoIpV4 = "/usr/share/tor/geoip";
inline constexpr std::string_view kDebianTorGeoIpV6 = "/usr/share/tor/geoip6";

// [enrich] config to options: geoip_db and cloud_ranges may name several files
// separated by commas ("GeoLite2-Country.mmdb,GeoLite2-ASN.mmdb"); the Tor
// GeoIP files are optional exactly when each is Debian's default path or
// empty (switched off).
EnricherOptions EnricherOptionsFromConfig(const EnrichConfig& config);

class Enricher;

// Enricher::Create(EnricherOptionsFromConfig(config)) for `serve` and
// `ingest`: errors start with "[enrich] " and name the file; on success one
// info line says what was loaded (Describe()).
Expected<std::unique_ptr<Enricher>> EnricherFromConfig(const EnrichConfig& config);
// The same from options (EnricherOptionsFromConfig, then adjusted).
Expected<std::unique_ptr<Enricher>> EnricherFromOptions(const EnricherOptions& options);

class Enricher final {
 public:
  static Expected<std::unique_ptr<Enricher>> Create(const EnricherOptions& options);
  ~Enricher();
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;

  // `source_ip` is CloudTrail's sourceIPAddress (an address, "AWS Internal"
  // or a service name); `user_agent` its userAgent. Never fails: what is not
  // known stays empty.
  Enrichment Enrich(std::string_view source_ip, std::string_view user_agent) const;

  Status Reload();
  Status ReloadIfChanged();

  // Degradations noticed by Create(), one sentence each (also logged).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // "country: tor geoip (385602 IPv4 ranges, ...); tor exits: 1203; ..." for start-up logs.
  std::string Describe() const;

 private:
  Enricher() = default;
  Status ReloadSources(bool only_changed);
  // The Tor GeoIP source for one family, loaded first if it is loaded on first use.
  const TorGeoIp* TorGeoFor(bool v4) const;

  bool tor_geoip_optional_ = false;
  bool tor_geoip_on_first_use_ = false;
  mutable std::once_flag tor_geo_v4_once_, tor_geo_v6_once_;
  std::unique_ptr<MmdbGeoIp> mmdb_;
  std::unique_ptr<TorGeoIp> tor_geo_v4_;
  std::unique_ptr<TorGeoIp> tor_geo_v6_;
  std::unique_ptr<TorExitList> tor_exits_;
  std::unique_ptr<CloudRanges> cloud_;
  std::vector<std::string> warnings_;
};

}  // namespace spacecrab::enrich
