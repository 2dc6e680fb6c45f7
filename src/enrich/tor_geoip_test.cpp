#include "enrich/tor_geoip.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "enrich/test_util.h"

namespace spacecrab::enrich {
namespace {

using testing::kTorGeoIpV4;
using testing::kTorGeoIpV6;
using testing::ScratchDir;

std::string Country(const TorGeoIp& geo, const char* ip) { return geo.Country(*ParseIp(ip)); }

TEST(TorGeoIp, ParsesBothFormatsWithCommentsAndUnknownCountries) {
  ScratchDir dir;
  const std::string v4 = dir.Write("geoip",
                                   "# comment\n"
                                   "\n"
                                   "16777216,16777471,AU\n"         // 1.0.0.0 - 1.0.0.255
                                   "16777472,16778239,??\n"         // 1.0.1.0 - 1.0.3.255
                                   "3232235520,3232301055,ZZ\r\n");  // 192.168.0.0/16, CRLF line
  const std::string v6 = dir.Write("geoip6",
                                   "# comment\n"
                                   "2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,US\n"
                                   "2a00:1450::,2a00:1450:4807:ff:ffff:ffff:ffff:ffff,IE\n");
  auto geo = TorGeoIp::Open({v4, v6});
  ASSERT_TRUE(geo.ok()) << geo.status().ToString();
  EXPECT_EQ((*geo)->v4_ranges(), 3u);
  EXPECT_EQ((*geo)->v6_ranges(), 2u);
  EXPECT_EQ(Country(**geo, "1.0.0.7"), "AU");
  EXPECT_EQ(Country(**geo, "1.0.2.1"), "");  // "??"
  EXPECT_EQ(Country(**geo, "192.168.10.10"), "ZZ");
  EXPECT_EQ(Country(**geo, "1.0.4.0"), "");  // gap
  EXPECT_EQ(Country(**geo, "2001:4860:4860::8888"), "US");
  EXPECT_EQ(Country(**geo, "2a00:1450:4001:80b::200e"), "IE");
  EXPECT_EQ(Country(**geo, "2a00:1450:4808::1"), "");  // past the IE range
}

TEST(TorGeoIp, RealDebianFilesAnswerWellKnownAddresses) {
  auto geo = TorGeoIp::Open({kTorGeoIpV4, kTorGeoIpV6});
  ASSERT_TRUE(geo.ok()) << geo.status().ToString();
  EXPECT_GT((*geo)->v4_ranges(), 100000u);
  EXPECT_GT((*geo)->v6_ranges(), 100000u);
  // Each checked against the file itself (the line holding it), and stable
  // allocations: Google US, APNIC/Cloudflare AU, RIPE NCC NL, Japan, Brazil.
  EXPECT_EQ(Country(**geo, "8.8.8.8"), "US");
  EXPECT_EQ(Country(**geo, "1.1.1.1"), "AU");
  EXPECT_EQ(Country(**geo, "193.0.6.139"), "NL");
  EXPECT_EQ(Country(**geo, "133.1.1.1"), "JP");
  EXPECT_EQ(Country(**geo, "200.160.2.3"), "BR");
  EXPECT_EQ(Country(**geo, "10.0.0.1"), "");
  EXPECT_EQ(Country(**geo, "127.0.0.1"), "");
  EXPECT_EQ(Country(**geo, "2001:4860:4860::8888"), "US");
  EXPECT_EQ(Country(**geo, "2001:67c:2e8:22::c100:68b"), "NL");
  EXPECT_EQ(Country(**geo, "2a01:4f8::1"), "DE");
  EXPECT_EQ(Country(**geo, "::1"), "");
  EXPECT_EQ(Country(**geo, "2001:db8::1"), "");
}

// Reads the real file with a deliberately naive parser and checks that the
// first, middle and last address of every 499th range get that range's
// country: the lookup agrees with the file itself, not with hand-picked values.
TEST(TorGeoIp, RealFilesAgreeWithTheirOwnLinesEverywhere) {
  auto geo = TorGeoIp::Open({kTorGeoIpV4, kTorGeoIpV6});
  ASSERT_TRUE(geo.ok()) << geo.status().ToString();
  int checked = 0;
  {
    std::ifstream in(kTorGeoIpV4);
    std::string line;
    for (int n = 0; std::getline(in, line);) {
      if (line.empty() || line[0] == '#' || n++ % 499 != 0) continue;
      std::stringstream ss(line);
      std::string lo, hi, cc;
      std::getline(ss, lo, ',');
      std::getline(ss, hi, ',');
      std::getline(ss, cc);
      const uint64_t a = std::stoull(lo), b = std::stoull(hi);
      const std::string want = cc == "??" ? "" : cc;
      for (uint64_t v : {a, a + (b - a) / 2, b}) {
        IpAddress ip;
        ip.v4 = static_cast<uint32_t>(v);
        ASSERT_EQ((*geo)->Country(ip), want) << line;
        ++checked;
      }
    }
  }
  {
    std::ifstream in(kTorGeoIpV6);
    std::string line;
    for (int n = 0; std::getline(in, line);) {
      if (line.empty() || line[0] == '#' || n++ % 499 != 0) continue;
      std::stringstream ss(line);
      std::string lo, hi, cc;
      std::getline(ss, lo, ',');
      std::getline(ss, hi, ',');
      std::getline(ss, cc);
      const std::string want = cc == "??" ? "" : cc;
      ASSERT_EQ((*geo)->Country(*ParseIp(lo)), want) << line;
      ASSERT_EQ((*geo)->Country(*ParseIp(hi)), want) << line;
      checked += 2;
    }
  }
  EXPECT_GT(checked, 2000);
}

TEST(TorGeoIp, CorruptLinesFailNamingFileAndLine) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"# ok\n16777216,16777471,AU\n16777472,x,CN\n", "geoip:3: expected IPv4 integers bounds"},
      {"16777216,16777471\n", "geoip:1: expected LOW,HIGH,COUNTRY"},
      {"16777216,16777471,AU,extra\n", "geoip:1: expected LOW,HIGH,COUNTRY"},
      {"16777216,16777471,usa\n", "geoip:1: expected a two-letter country code"},
      {"16777471,16777216,AU\n", "geoip:1: range ends before it starts"},
      {"16777216,16777471,AU\n16777300,16777500,CN\n", "geoip:2: range overlaps the one on line 1"},
      {"99999999999,99999999999,AU\n", "geoip:1: expected IPv4 integers bounds"},
      {"# only comments\n", "no ranges in file"},
      {"<html><body>404</body></html>\n", "geoip:1: expected LOW,HIGH,COUNTRY"},
  };
  for (const Case& c : cases) {
    auto t = ParseTorGeoIpV4(c.text, "geoip");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(t.status().message().find(c.expect), std::string::npos) << t.status().message();
  }
  auto v6 = ParseTorGeoIpV6("2001:db8::,2001:db8::zz,US\n", "geoip6");
  ASSERT_FALSE(v6.ok());
  EXPECT_NE(v6.status().message().find("geoip6:1: expected IPv6 addresses bounds"), std::string::npos);
  // An IPv4 file handed to the IPv6 parser is caught, not misread.
  EXPECT_FALSE(ParseTorGeoIpV6("16777216,16777471,AU\n", "geoip6").ok());
}

TEST(TorGeoIp, UnsortedLinesAreSortedAndStillChecked) {
  auto t = ParseTorGeoIpV4("30,39,CN\n10,19,AU\n", "geoip");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t->Find(15))[0], 'A');
  EXPECT_EQ((*t->Find(35))[0], 'C');
  auto overlap = ParseTorGeoIpV4("30,39,CN\n10,19,AU\n15,25,DE\n", "geoip");
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.status().message().find("geoip:3: range overlaps the one on line 2"), std::string::npos)
      << overlap.status().message();
}

TEST(TorGeoIp, MissingFileIsNotFoundNamingThePath) {
  ScratchDir dir;
  auto geo = TorGeoIp::Open({dir.Path("absent"), ""});
  ASSERT_FALSE(geo.ok());
  EXPECT_EQ(geo.status().code(), StatusCode::kNotFound);
  EXPECT_NE(geo.status().message().find(dir.Path("absent")), std::string::npos);
}

TEST(TorGeoIp, ReloadSwapsDataAndKeepsOldDataOnFailure) {
  ScratchDir dir;
  const std::string path = dir.Write("geoip", "16777216,16777471,AU\n");
  auto geo = TorGeoIp::Open({path, ""});
  ASSERT_TRUE(geo.ok());
  EXPECT_EQ(Country(**geo, "1.0.0.1"), "AU");
  EXPECT_FALSE((*geo)->ChangedOnDisk());

  dir.Write("geoip", "16777216,16777471,NZ\n16777472,16777727,FJ\n");
  EXPECT_TRUE((*geo)->ChangedOnDisk());
  ASSERT_TRUE((*geo)->Reload().ok());
  EXPECT_EQ(Country(**geo, "1.0.0.1"), "NZ");
  EXPECT_EQ(Country(**geo, "1.0.1.1"), "FJ");

  dir.Write("geoip", "16777216,16777471,NZ\ngarbage that is longer than before\n");
  Status s = (*geo)->Reload();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path + ":2:"), std::string::npos) << s.message();
  EXPECT_EQ(Country(**geo, "1.0.1.1"), "FJ");  // the previous data is still served
  // The failed attempt is remembered: no retry until the file changes again.
  EXPECT_FALSE((*geo)->ChangedOnDisk());
}

TEST(TorGeoIp, UnloadedAnswersEmptyWithoutCrashing) {
  TorGeoIp geo(TorGeoIpOptions{"/nonexistent/geoip", "/nonexistent/geoip6"});
  EXPECT_FALSE(geo.loaded());
  EXPECT_EQ(Country(geo, "8.8.8.8"), "");
  EXPECT_EQ(Country(geo, "2001:4860::1"), "");
  EXPECT_TRUE(geo.ChangedOnDisk());
}

}  // namespace
}  // namespace spacecrab::enrich
