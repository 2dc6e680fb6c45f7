#include "enrich/tor_geoip.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
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

// geoip6 bounds are read without inet_pton when they are plain hex groups;
// every spelling, valid or not, must read exactly as ParseIp reads it.
TEST(TorGeoIp, Ipv6BoundsReadAsParseIpReadsThem) {
  std::vector<std::string> spellings = {
      "::", "::1", "1::", "2001:db8::", "2001:DB8:0:0:0:0:0:1", "2001:db8:0:0:1::", "1:2:3:4:5:6:7::",
      "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", "ffff:FFFF:ffff:ffff:ffff:ffff:ffff:ffff", "0000:0000::00ff",
      "::ffff:0:0", "::ffff:c000:201", "::ffff:192.0.2.1", "64:ff9b::192.0.2.1", ":1", "1:", "1:::2",
      "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8", "12345::", "1:2", "g::", "::g", " ::1", "[::1]",
      "fe80::1%eth0", "1:2:3:4:5:6:7:8::", ":::", "::1:", "1::2:",
  };
  std::mt19937 rng(11);  // and random ones around the edges of the grammar
  const std::string pieces[] = {"0", "1", "ab", "ABC", "ffff", "12345", ":", "::", ":::", ".", "1.2.3.4"};
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    for (int n = 1 + int(rng() % 12); n > 0; --n) s += pieces[rng() % std::size(pieces)];
    spellings.push_back(s);
  }
  for (const std::string& a : spellings) {
    auto table = ParseTorGeoIpV6(a + "," + a + ",US\n", "geoip6");
    const auto ip = a.find(':') == std::string::npos ? std::nullopt : ParseIp(a);
    ASSERT_EQ(table.ok(), ip.has_value()) << "'" << a << "' " << table.status().ToString();
    if (!ip) continue;
    const Ip128 want = ip->is_v4 ? Ip128{0, 0xffff00000000ull | ip->v4} : ip->v6;
    EXPECT_NE(table->Find(want), nullptr) << a;  // a one-address range: exactly `want`
    if (want.lo > 0) {
      EXPECT_EQ(table->Find(Ip128{want.hi, want.lo - 1}), nullptr) << a;
    }
    if (want.lo < ~0ull) {
      EXPECT_EQ(table->Find(Ip128{want.hi, want.lo + 1}), nullptr) << a;
    }
  }
}

// Files are read through a small buffer: lines across its edges, a line
// longer than it, CRLF and a missing final newline all read as in memory.
TEST(TorGeoIp, FilesReadLineByLineAsInMemory) {
  ScratchDir dir;
  std::string text = "# " + std::string(600 * 1024, 'c') + "\r\n";
  for (uint32_t i = 0; i < 40000; ++i)
    text += std::to_string(i * 16) + "," + std::to_string(i * 16 + 9) + (i % 2 ? ",AU\r\n" : ",NZ\n");
  text += "700000,700009,FJ";  // no final newline
  auto geo = TorGeoIp::Open({dir.Write("geoip", text), ""});
  ASSERT_TRUE(geo.ok()) << geo.status().ToString();
  auto parsed = ParseTorGeoIpV4(text, "geoip");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*geo)->v4_ranges(), parsed->size());
  EXPECT_EQ((*geo)->v4_ranges(), 40001u);
  IpAddress ip;
  for (uint32_t v : {0u, 9u, 10u, 16u, 25u, 639984u, 639993u, 700000u, 700009u, 700010u}) {
    ip.v4 = v;
    const CountryCode* cc = parsed->Find(v);
    EXPECT_EQ((*geo)->Country(ip), cc ? std::string(cc->data(), 2) : "") << v;
  }
  // Errors name the line however far into the file it is.
  auto broken = TorGeoIp::Open({dir.Write("geoip", text + "\n16,9,AU\n"), ""});
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("geoip:40003: range ends before it starts"), std::string::npos)
      << broken.status().message();
  auto unsorted = TorGeoIp::Open({dir.Write("geoip", text + "\n5,6,AU\n"), ""});
  ASSERT_FALSE(unsorted.ok());
  EXPECT_NE(unsorted.status().message().find("geoip:40003: range overlaps the one on line 2"), std::string::npos)
      << unsorted.status().message();
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
