#include "enrich/mmdb_geoip.h"

#include <gtest/gtest.h>

#include "enrich/mmdb_test_writer.h"
#include "enrich/test_util.h"

namespace spacecrab::enrich {
namespace {

using nlohmann::json;
using testing::MmdbTestNetwork;
using testing::MmdbTestOptions;
using testing::ScratchDir;
using testing::WriteTestMmdb;

// A GeoIP2-City/GeoLite2-ASN shaped database: nested networks, a long
// string (multi-byte size encoding), a country only under registered_country,
// an ASN-only network, IPv4 and IPv6.
std::vector<MmdbTestNetwork> CityAndAsnNetworks() {
  return {
      {"81.2.69.0/24",
       {{"country", {{"iso_code", "GB"}, {"geoname_id", 2635167}, {"names", {{"en", "United Kingdom"}, {"de", "Vereinigtes Königreich"}}}}},
        {"autonomous_system_number", 20712},
        {"autonomous_system_organization", "Andrews & Arnold Ltd"}}},
      {"81.2.69.160/27",
       {{"country", {{"iso_code", "GB"}}},
        {"autonomous_system_number", 20712},
        {"autonomous_system_organization", std::string(300, 'x')}}},
      {"2a02:2770::/32", {{"registered_country", {{"iso_code", "SE"}}}, {"autonomous_system_number", 3399}}},
      {"18.236.0.0/15", {{"autonomous_system_number", 16509}, {"autonomous_system_organization", "AMAZON-02"}}},
      {"2600:1f14::/35", {{"autonomous_system_number", 16509}, {"autonomous_system_organization", "AMAZON-02"}}},
  };
}

MmdbResult At(const MmdbGeoIp& db, const char* ip) { return db.Lookup(*ParseIp(ip)); }

TEST(MmdbGeoIp, LooksUpCountryAsnAndOrganisationForIpv4AndIpv6) {
  ScratchDir dir;
  const std::string path = dir.Path("city-asn.mmdb");
  ASSERT_TRUE(WriteTestMmdb(path, CityAndAsnNetworks()).ok());
  auto db = MmdbGeoIp::Open({path});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_NE((*db)->Describe().find("Test-Country-ASN (ipv6)"), std::string::npos);

  MmdbResult r = At(**db, "81.2.69.142");
  EXPECT_EQ(r.country, "GB");
  EXPECT_EQ(r.asn, 20712u);
  EXPECT_EQ(r.as_org, "Andrews & Arnold Ltd");
  // The nested /27 wins inside it.
  r = At(**db, "81.2.69.170");
  EXPECT_EQ(r.as_org, std::string(300, 'x'));
  // Country only as registered_country.
  r = At(**db, "2a02:2770:8::1");
  EXPECT_EQ(r.country, "SE");
  EXPECT_EQ(r.asn, 3399u);
  EXPECT_EQ(r.as_org, "");
  // ASN-only records, IPv4 and IPv6.
  r = At(**db, "18.236.73.93");
  EXPECT_EQ(r.country, "");
  EXPECT_EQ(r.asn, 16509u);
  EXPECT_EQ(r.as_org, "AMAZON-02");
  EXPECT_EQ(At(**db, "2600:1f14:1::1").asn, 16509u);
  // Not in the database.
  r = At(**db, "8.8.8.8");
  EXPECT_EQ(r.country, "");
  EXPECT_EQ(r.asn, 0u);
  EXPECT_EQ(At(**db, "2001:db8::1").asn, 0u);
}

TEST(MmdbGeoIp, EveryRecordSizeReadsTheSame) {
  ScratchDir dir;
  for (int record_size : {24, 28, 32}) {
    const std::string path = dir.Path("db" + std::to_string(record_size) + ".mmdb");
    MmdbTestOptions options;
    options.record_size = record_size;
    ASSERT_TRUE(WriteTestMmdb(path, CityAndAsnNetworks(), options).ok());
    auto db = MmdbGeoIp::Open({path});
    ASSERT_TRUE(db.ok()) << record_size << ": " << db.status().ToString();
    EXPECT_EQ(At(**db, "81.2.69.1").country, "GB") << record_size;
    EXPECT_EQ(At(**db, "2a02:2770::1").country, "SE") << record_size;
    EXPECT_EQ(At(**db, "18.237.0.1").asn, 16509u) << record_size;
  }
}

TEST(MmdbGeoIp, CountryAndAsnDatabasesAreCombined) {
  ScratchDir dir;
  const std::string country = dir.Path("country.mmdb");
  const std::string asn = dir.Path("asn.mmdb");
  MmdbTestOptions country_options;
  country_options.database_type = "GeoLite2-Country";
  ASSERT_TRUE(WriteTestMmdb(country,
                            {{"23.129.64.0/24", {{"country", {{"iso_code", "US"}}}}},
                             {"2001:67c:e60::/48", {{"country", {{"iso_code", "NL"}}}}}},
                            country_options)
                  .ok());
  MmdbTestOptions asn_options;
  asn_options.database_type = "GeoLite2-ASN";
  ASSERT_TRUE(WriteTestMmdb(asn,
                            {{"23.129.64.0/24", {{"autonomous_system_number", 396507},
                                                 {"autonomous_system_organization", "EMERALD-ONION"}}}},
                            asn_options)
                  .ok());
  auto db = MmdbGeoIp::Open({country, asn});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  MmdbResult r = At(**db, "23.129.64.132");
  EXPECT_EQ(r.country, "US");
  EXPECT_EQ(r.asn, 396507u);
  EXPECT_EQ(r.as_org, "EMERALD-ONION");
  EXPECT_EQ(At(**db, "2001:67c:e60:c0c::1").country, "NL");
  EXPECT_EQ((*db)->Describe(), "GeoLite2-Country (ipv6), GeoLite2-ASN (ipv6)");
}

TEST(MmdbGeoIp, IpinfoLayoutIsUnderstood) {
  ScratchDir dir;
  const std::string path = dir.Path("ipinfo.mmdb");
  ASSERT_TRUE(WriteTestMmdb(path, {{"8.8.8.0/24", {{"country_code", "US"}, {"asn", "AS15169"}, {"as_name", "Google LLC"}}}})
                  .ok());
  auto db = MmdbGeoIp::Open({path});
  ASSERT_TRUE(db.ok());
  MmdbResult r = At(**db, "8.8.8.8");
  EXPECT_EQ(r.country, "US");
  EXPECT_EQ(r.asn, 15169u);
  EXPECT_EQ(r.as_org, "Google LLC");
}

TEST(MmdbGeoIp, Ipv4OnlyDatabaseAnswersIpv6WithNothing) {
  ScratchDir dir;
  const std::string path = dir.Path("v4.mmdb");
  MmdbTestOptions options;
  options.ip_version = 4;
  ASSERT_TRUE(WriteTestMmdb(path, {{"198.51.100.0/24", {{"country", {{"iso_code", "AU"}}}}}}, options).ok());
  auto db = MmdbGeoIp::Open({path});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(At(**db, "198.51.100.1").country, "AU");
  EXPECT_EQ(At(**db, "2001:db8::1").country, "");
}

TEST(MmdbGeoIp, MissingAndCorruptFilesFailNamingTheFile) {
  ScratchDir dir;
  auto missing = MmdbGeoIp::Open({dir.Path("absent.mmdb")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("absent.mmdb"), std::string::npos);

  const std::string garbage = dir.Write("garbage.mmdb", std::string(4096, '\x5a'));
  auto bad = MmdbGeoIp::Open({garbage});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find("garbage.mmdb"), std::string::npos) << bad.status().message();

  // A real database cut short: the metadata marker is gone.
  auto bytes = testing::BuildTestMmdb(CityAndAsnNetworks());
  ASSERT_TRUE(bytes.ok());
  const std::string truncated = dir.Write("truncated.mmdb", bytes->substr(0, bytes->size() / 2));
  auto cut = MmdbGeoIp::Open({truncated});
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("truncated.mmdb"), std::string::npos);

  auto empty = MmdbGeoIp::Open({dir.Write("empty.mmdb", "")});
  EXPECT_FALSE(empty.ok());
}

TEST(MmdbGeoIp, ReloadSwapsDatabasesAndKeepsOldOnFailure) {
  ScratchDir dir;
  const std::string path = dir.Path("db.mmdb");
  ASSERT_TRUE(WriteTestMmdb(path, {{"198.51.100.0/24", {{"country", {{"iso_code", "AU"}}}}}}).ok());
  auto db = MmdbGeoIp::Open({path});
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(At(**db, "198.51.100.1").country, "AU");

  // Replaced the way a downloader replaces it: write elsewhere, rename over.
  const std::string next = dir.Path("db.mmdb.new");
  ASSERT_TRUE(WriteTestMmdb(next, {{"198.51.100.0/24", {{"country", {{"iso_code", "NZ"}}}}},
                                   {"203.0.113.0/24", {{"country", {{"iso_code", "FJ"}}}}}})
                  .ok());
  std::filesystem::rename(next, path);
  ASSERT_TRUE((*db)->ChangedOnDisk());
  ASSERT_TRUE((*db)->Reload().ok());
  EXPECT_EQ(At(**db, "198.51.100.1").country, "NZ");
  EXPECT_EQ(At(**db, "203.0.113.1").country, "FJ");

  dir.Write("db.mmdb.new", "not a database at all, but longer than nothing");
  std::filesystem::rename(dir.Path("db.mmdb.new"), path);
  EXPECT_FALSE((*db)->Reload().ok());
  EXPECT_EQ(At(**db, "203.0.113.1").country, "FJ");
}

}  // namespace
}  // namespace spacecrab::enrich
