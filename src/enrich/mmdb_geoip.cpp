#include "enrich/mmdb_geoip.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace spacecrab::enrich {
namespace {

struct MmdbCloser {
  void operator()(MMDB_s* db) const {
    MMDB_close(db);
    delete db;
  }
};
using UniqueMmdb = std::unique_ptr<MMDB_s, MmdbCloser>;

// Field layouts, tried in order (NULL-terminated paths for MMDB_aget_value).
constexpr const char* kCountryIso[] = {"country", "iso_code", nullptr};
constexpr const char* kRegisteredCountryIso[] = {"registered_country", "iso_code", nullptr};
constexpr const char* kCountryCode[] = {"country_code", nullptr};
constexpr const char* const* kCountryPaths[] = {kCountryIso, kRegisteredCountryIso, kCountryCode};
constexpr const char* kAsNumber[] = {"autonomous_system_number", nullptr};
constexpr const char* kAsn[] = {"asn", nullptr};
constexpr const char* const* kAsnPaths[] = {kAsNumber, kAsn};
constexpr const char* kAsOrganization[] = {"autonomous_system_organization", nullptr};
constexpr const char* kAsName[] = {"as_name", nullptr};
constexpr const char* const* kOrgPaths[] = {kAsOrganization, kAsName};

bool GetValue(MMDB_entry_s& entry, const char* const* path, MMDB_entry_data_s& data) {
  return MMDB_aget_value(&entry, &data, path) == MMDB_SUCCESS && data.has_data;
}

bool ReadString(MMDB_entry_s& entry, const char* const* path, std::string& out) {
  MMDB_entry_data_s data{};
  if (!GetValue(entry, path, data) || data.type != MMDB_DATA_TYPE_UTF8_STRING) return false;
  out.assign(data.utf8_string, data.data_size);
  return !out.empty();
}

bool ReadAsn(MMDB_entry_s& entry, const char* const* path, uint32_t& out) {
  MMDB_entry_data_s data{};
  if (!GetValue(entry, path, data)) return false;
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
      out = data.uint16;
      return out != 0;
    case MMDB_DATA_TYPE_UINT32:
      out = data.uint32;
      return out != 0;
    case MMDB_DATA_TYPE_UINT64:
      if (data.uint64 > 0xffffffffull) return false;
      out = static_cast<uint32_t>(data.uint64);
      return out != 0;
    case MMDB_DATA_TYPE_UTF8_STRING: {  // IPinfo writes "AS15169"
      std::string_view s(data.utf8_string, data.data_size);
      if (s.size() > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) s.remove_prefix(2);
      uint32_t v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || ptr != s.data() + s.size() || v == 0) return false;
      out = v;
      return true;
    }
    default:
      return false;
  }
}

// libmaxminddb wants a sockaddr; filling one avoids getaddrinfo per lookup.
MMDB_lookup_result_s LookupIn(const MMDB_s& db, const IpAddress& ip, int& error) {
  if (ip.is_v4) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(ip.v4);
    return MMDB_lookup_sockaddr(&db, reinterpret_cast<const sockaddr*>(&sa), &error);
  }
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  for (int i = 0; i < 8; ++i) {
    sa.sin6_addr.s6_addr[i] = static_cast<uint8_t>(ip.v6.hi >> (56 - 8 * i));
    sa.sin6_addr.s6_addr[8 + i] = static_cast<uint8_t>(ip.v6.lo >> (56 - 8 * i));
  }
  return MMDB_lookup_sockaddr(&db, reinterpret_cast<const sockaddr*>(&sa), &error);
}

}  // namespace

struct MmdbGeoIp::Databases {
  struct Db {
    UniqueMmdb mmdb;
    std::string path;
    std::string type;
  };
  std::vector<Db> dbs;
};

MmdbGeoIp::MmdbGeoIp(std::vector<std::string> paths) : files_(std::move(paths)) {}
MmdbGeoIp::~MmdbGeoIp() = default;

Expected<std::unique_ptr<MmdbGeoIp>> MmdbGeoIp::Open(std::vector<std::string> paths) {
  if (paths.empty()) return InvalidArgument("geoip database: no file configured");
  auto geo = std::make_unique<MmdbGeoIp>(std::move(paths));
  SC_RETURN_IF_ERROR(geo->Reload());
  return geo;
}

Status MmdbGeoIp::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  files_.MarkAttempt();
  auto next = std::make_shared<Databases>();
  for (const std::string& path : files_.paths()) {
    Databases::Db db;
    db.path = path;
    if (!StatFile(path).exists) return NotFound("geoip database " + path + ": no such file");
    db.mmdb.reset(new MMDB_s{});
    const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db.mmdb.get());
    if (status != MMDB_SUCCESS) {
      // MMDB_open leaves nothing to close on failure.
      delete db.mmdb.release();
      return DataLoss("geoip database " + path + ": " + MMDB_strerror(status));
    }
    // A probe lookup walks the search tree once so a damaged tree is reported
    // now, at start-up or reload, rather than silently emptying every lookup.
    int error = MMDB_SUCCESS;
    IpAddress probe;
    probe.v4 = 0x08080808u;  // 8.8.8.8
    (void)LookupIn(*db.mmdb, probe, error);
    if (error != MMDB_SUCCESS) return DataLoss("geoip database " + path + ": " + MMDB_strerror(error));
    const auto& meta = db.mmdb->metadata;
    db.type = std::string(meta.database_type ? meta.database_type : "unknown") + " (ipv" +
              std::to_string(meta.ip_version) + ")";
    next->dbs.push_back(std::move(db));
  }
  dbs_.Set(std::move(next));
  return Status::Ok();
}

std::string MmdbGeoIp::Describe() const {
  auto d = dbs_.Get();
  std::string out;
  if (!d) return out;
  for (const auto& db : d->dbs) {
    if (!out.empty()) out += ", ";
    out += db.type;
  }
  return out;
}

MmdbResult MmdbGeoIp::Lookup(const IpAddress& ip) const {
  MmdbResult result;
  auto d = dbs_.Get();
  if (!d) return result;
  for (const auto& db : d->dbs) {
    if (!ip.is_v4 && db.mmdb->metadata.ip_version == 4) continue;
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s found = LookupIn(*db.mmdb, ip, error);
    if (error != MMDB_SUCCESS || !found.found_entry) continue;
    if (result.country.empty()) {
      for (const char* const* path : kCountryPaths) {
        if (ReadString(found.entry, path, result.country)) break;
      }
    }
    if (result.asn == 0) {
      for (const char* const* path : kAsnPaths) {
        if (ReadAsn(found.entry, path, result.asn)) break;
      }
    }
    if (result.as_org.empty()) {
      for (const char* const* path : kOrgPaths) {
        if (ReadString(found.entry, path, result.as_org)) break;
      }
    }
  }
  return result;
}

}  // namespace spacecrab::enrich
