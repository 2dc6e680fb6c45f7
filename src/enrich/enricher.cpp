#include "enrich/enricher.h"

#include <spdlog/spdlog.h>

#include "enrich/cloud_ranges.h"
#include "enrich/data_file.h"
#include "enrich/ip_address.h"
#include "enrich/mmdb_geoip.h"
#include "enrich/tor_exit_list.h"
#include "enrich/tor_geoip.h"

namespace spacecrab::enrich {
namespace {

std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = TrimSpace(list.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// CloudTrail writes a service principal instead of an address when an AWS
// service made the call on the caller's behalf.
bool IsAwsServiceSource(std::string_view s) {
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (s.size() <= kSuffix.size() || s.substr(s.size() - kSuffix.size()) != kSuffix) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return true;
}

// Collects reload failures into one Status: the first failure's code, every
// message.
class StatusList {
 public:
  void Add(const Status& s) {
    if (s.ok()) return;
    if (first_.ok()) first_ = s;
    if (!messages_.empty()) messages_ += "; ";
    messages_ += s.message();
  }
  Status Result() const { return first_.ok() ? Status::Ok() : Status(first_.code(), messages_); }

 private:
  Status first_;
  std::string messages_;
};

}  // namespace

EnricherOptions EnricherOptionsFromConfig(const EnrichConfig& config) {
  EnricherOptions o;
  o.tor_exit_list = std::string(TrimSpace(config.tor_exit_list));
  o.geoip_db = SplitList(config.geoip_db);
  o.tor_geoip_v4 = std::string(TrimSpace(config.geoip_v4));
  o.tor_geoip_v6 = std::string(TrimSpace(config.geoip_v6));
  // Optional only when nothing but Debian's defaults is asked for (one of the
  // two may be switched off with an empty path).
  const bool v4_default = o.tor_geoip_v4.empty() || o.tor_geoip_v4 == kDebianTorGeoIpV4;
  const bool v6_default = o.tor_geoip_v6.empty() || o.tor_geoip_v6 == kDebianTorGeoIpV6;
  o.tor_geoip_optional = v4_default && v6_default;
  o.cloud_ranges = SplitList(config.cloud_ranges);
  return o;
}

namespace {
// "country lookups for IPv4 addresses are off: ..." for a Tor GeoIP file that
// could not be loaded.
std::string TorGeoIpWarning(bool v4, const Status& s) {
  return "country lookups for " + std::string(v4 ? "IPv4" : "IPv6") + " addresses are off: " + s.message() +
         (s.code() == StatusCode::kNotFound ? " (install Debian's tor-geoipdb)" : "");
}
}  // namespace

Expected<std::unique_ptr<Enricher>> EnricherFromConfig(const EnrichConfig& config) {
  return EnricherFromOptions(EnricherOptionsFromConfig(config));
}

Expected<std::unique_ptr<Enricher>> EnricherFromOptions(const EnricherOptions& options) {
  auto e = Enricher::Create(options);
  if (!e.ok()) return Status(e.status().code(), "[enrich] " + e.status().message());
  spdlog::info("enrich: {}", (*e)->Describe());
  return e;
}

Enricher::~Enricher() = default;

Expected<std::unique_ptr<Enricher>> Enricher::Create(const EnricherOptions& options) {
  std::unique_ptr<Enricher> e(new Enricher());
  e->tor_geoip_optional_ = options.tor_geoip_optional;
  e->tor_geoip_on_first_use_ = options.tor_geoip_optional && options.load_tor_geoip_on_first_use;

  if (!options.geoip_db.empty()) {
    e->mmdb_ = std::make_unique<MmdbGeoIp>(options.geoip_db);
    SC_RETURN_IF_ERROR(e->mmdb_->Reload());
  }
  // IPv4 and IPv6 Tor GeoIP files load separately so a missing geoip6 does
  // not also cost the IPv4 countries.
  auto open_tor_geo = [&](const std::string& path, bool v4, std::unique_ptr<TorGeoIp>& out) -> Status {
    if (path.empty()) return Status::Ok();
    out = std::make_unique<TorGeoIp>(v4 ? TorGeoIpOptions{path, ""} : TorGeoIpOptions{"", path});
    if (e->tor_geoip_on_first_use_) return Status::Ok();  // TorGeoFor() loads it
    Status s = out->Reload();
    if (s.ok() || !options.tor_geoip_optional) return s;
    std::string warning = TorGeoIpWarning(v4, s);
    spdlog::warn("enrich: {}", warning);
    e->warnings_.push_back(std::move(warning));
    return Status::Ok();
  };
  SC_RETURN_IF_ERROR(open_tor_geo(options.tor_geoip_v4, true, e->tor_geo_v4_));
  SC_RETURN_IF_ERROR(open_tor_geo(options.tor_geoip_v6, false, e->tor_geo_v6_));

  if (!options.tor_exit_list.empty()) {
    e->tor_exits_ = std::make_unique<TorExitList>(options.tor_exit_list);
    SC_RETURN_IF_ERROR(e->tor_exits_->Reload());
  }
  if (!options.cloud_ranges.empty()) {
    e->cloud_ = std::make_unique<CloudRanges>(options.cloud_ranges);
    SC_RETURN_IF_ERROR(e->cloud_->Reload());
  }
  return e;
}

Enrichment Enricher::Enrich(std::string_view source_ip, std::string_view user_agent) const {
  Enrichment e;
  if (auto ip = ParseIp(source_ip)) {
    e.ip_version = ip->is_v4 ? 4 : 6;
    if (mmdb_) {
      MmdbResult r = mmdb_->Lookup(*ip);
      e.country = std::move(r.country);
      e.asn = r.asn;
      e.as_org = std::move(r.as_org);
    }
    if (e.country.empty()) {
      const TorGeoIp* geo = TorGeoFor(ip->is_v4);
      if (geo != nullptr) e.country = geo->Country(*ip);
    }
    if (tor_exits_) e.tor_exit = tor_exits_->Contains(*ip);
    if (cloud_) e.cloud = cloud_->Find(*ip);
  } else {
    const std::string_view source = TrimSpace(source_ip);
    if (source == "AWS Internal") {
      e.aws_internal = true;
    } else if (IsAwsServiceSource(source)) {
      e.aws_internal = true;
      e.aws_service = std::string(source);
    }
  }
  if (!TrimSpace(user_agent).empty()) {
    e.tool = ClassifyUserAgent(user_agent);
    if (e.tool->category == ToolCategory::kAwsInternal) e.aws_internal = true;
  }
  return e;
}

const TorGeoIp* Enricher::TorGeoFor(bool v4) const {
  TorGeoIp* geo = v4 ? tor_geo_v4_.get() : tor_geo_v6_.get();
  if (geo == nullptr || !tor_geoip_on_first_use_) return geo;
  std::call_once(v4 ? tor_geo_v4_once_ : tor_geo_v6_once_, [&] {
    if (geo->loaded()) return;  // a Reload() got there first
    if (Status s = geo->Reload(); !s.ok()) spdlog::warn("enrich: {}", TorGeoIpWarning(v4, s));
  });
  return geo;
}

Status Enricher::ReloadSources(bool only_changed) {
  StatusList errors;
  auto reload = [&](auto* source, bool optional) {
    if (source == nullptr) return;
    if (only_changed && !source->ChangedOnDisk()) return;
    Status s = source->Reload();
    // Debian's Tor GeoIP files may simply not be installed; that was said at start-up.
    if (optional && s.code() == StatusCode::kNotFound) return;
    errors.Add(s);
    if (s.ok()) return;
    spdlog::warn("enrich: reload failed, keeping the previous data: {}", s.message());
  };
  reload(mmdb_.get(), false);
  reload(tor_geo_v4_.get(), tor_geoip_optional_);
  reload(tor_geo_v6_.get(), tor_geoip_optional_);
  reload(tor_exits_.get(), false);
  reload(cloud_.get(), false);
  return errors.Result();
}

Status Enricher::Reload() { return ReloadSources(false); }
Status Enricher::ReloadIfChanged() { return ReloadSources(true); }

std::string Enricher::Describe() const {
  std::string out;
  auto part = [&](const std::string& s) {
    if (!out.empty()) out += "; ";
    out += s;
  };
  if (mmdb_) part("mmdb: " + (mmdb_->loaded() ? mmdb_->Describe() : std::string("not loaded")));
  auto tor_geo = [&](const TorGeoIp* geo, bool v4) {
    if (geo == nullptr) return;
    const std::string family = v4 ? "IPv4" : "IPv6";
    if (tor_geoip_on_first_use_ && !geo->loaded()) return part("tor geoip " + family + ": read on first use");
    part("tor geoip " + family + ": " + std::to_string(v4 ? geo->v4_ranges() : geo->v6_ranges()) + " ranges");
  };
  tor_geo(tor_geo_v4_.get(), true);
  tor_geo(tor_geo_v6_.get(), false);
  if (tor_exits_) part("tor exits: " + std::to_string(tor_exits_->size()));
  if (cloud_) part("cloud prefixes: " + std::to_string(cloud_->size()));
  part("user agents: built-in rules");
  return out;
}

}  // namespace spacecrab::enrich
