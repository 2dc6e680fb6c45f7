#include "enrich/enricher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "enrich/mmdb_test_writer.h"
#include "enrich/test_util.h"

namespace spacecrab::enrich {
namespace {

using testing::kTorGeoIpV4;
using testing::kTorGeoIpV6;
using testing::ScratchDir;
using testing::TestDataPath;

// Everything configured: a small ASN database, Debian's Tor GeoIP files, an
// exit list and the AWS ranges sample.
EnricherOptions FullOptions(const ScratchDir& dir) {
  const std::string asn = dir.Path("asn.mmdb");
  testing::MmdbTestOptions o;
  o.database_type = "GeoLite2-ASN";
  EXPECT_TRUE(testing::WriteTestMmdb(asn,
                                     {{"23.129.64.0/24", {{"autonomous_system_number", 396507},
                                                          {"autonomous_system_organization", "EMERALD-ONION"}}},
                                      {"18.236.0.0/15", {{"autonomous_system_number", 16509},
                                                         {"autonomous_system_organization", "AMAZON-02"}}},
                                      {"2600:1f14::/35", {{"autonomous_system_number", 16509},
                                                          {"autonomous_system_organization", "AMAZON-02"}}}},
                                     o)
                  .ok());
  EnricherOptions options;
  options.geoip_db = {asn};
  options.tor_geoip_v4 = kTorGeoIpV4;
  options.tor_geoip_v6 = kTorGeoIpV6;
  options.tor_exit_list = TestDataPath("tor-exit-addresses.txt");
  options.cloud_ranges = {TestDataPath("aws-ip-ranges-sample.json")};
  return options;
}

TEST(Enricher, TorExitWithGuiToolFromTheWriteUp) {
  ScratchDir dir;
  auto enricher = Enricher::Create(FullOptions(dir));
  ASSERT_TRUE(enricher.ok()) << enricher.status().ToString();
  EXPECT_TRUE((*enricher)->warnings().empty());
  const Enrichment e = (*enricher)->Enrich("23.129.64.132", "ElasticWolf/5.1.6");
  EXPECT_EQ(e.ip_version, 4);
  EXPECT_EQ(e.country, "US");  // the ASN database has no country: Tor's file answers
  EXPECT_EQ(e.asn, 396507u);
  EXPECT_EQ(e.as_org, "EMERALD-ONION");
  EXPECT_TRUE(e.tor_exit);
  EXPECT_FALSE(e.cloud);
  EXPECT_FALSE(e.aws_internal);
  ASSERT_TRUE(e.tool);
  EXPECT_EQ(e.tool->family, "elasticwolf");
  EXPECT_EQ(e.tool->version, "5.1.6");
}

TEST(Enricher, ScannerOnEc2) {
  ScratchDir dir;
  auto enricher = Enricher::Create(FullOptions(dir));
  ASSERT_TRUE(enricher.ok());
  const Enrichment e = (*enricher)->Enrich("18.236.73.93", "python-requests/2.27.1");
  EXPECT_EQ(e.country, "US");
  EXPECT_EQ(e.asn, 16509u);
  EXPECT_FALSE(e.tor_exit);
  ASSERT_TRUE(e.cloud);
  EXPECT_EQ(e.cloud->provider, "aws");
  EXPECT_EQ(e.cloud->service, "EC2");
  EXPECT_EQ(e.cloud->region, "us-west-2");
  EXPECT_EQ(e.tool->family, "python-requests");
}

TEST(Enricher, Ipv6Everywhere) {
  ScratchDir dir;
  auto enricher = Enricher::Create(FullOptions(dir));
  ASSERT_TRUE(enricher.ok());
  const Enrichment ec2 = (*enricher)->Enrich("2600:1f14::1", "Boto3/1.34.0");
  EXPECT_EQ(ec2.ip_version, 6);
  EXPECT_EQ(ec2.country, "US");
  EXPECT_EQ(ec2.asn, 16509u);
  ASSERT_TRUE(ec2.cloud);
  EXPECT_EQ(ec2.cloud->prefix, "2600:1f14::/35");
  const Enrichment tor = (*enricher)->Enrich("2001:67c:e60:c0c:192:42:116:16", "curl/8.4.0");
  EXPECT_TRUE(tor.tor_exit);
  EXPECT_EQ(tor.country, "NL");
  EXPECT_FALSE(tor.cloud);
}

TEST(Enricher, AwsInternalSources) {
  ScratchDir dir;
  auto enricher = Enricher::Create(FullOptions(dir));
  ASSERT_TRUE(enricher.ok());
  const Enrichment svc = (*enricher)->Enrich("cloudformation.amazonaws.com", "cloudformation.amazonaws.com");
  EXPECT_TRUE(svc.aws_internal);
  EXPECT_EQ(svc.aws_service, "cloudformation.amazonaws.com");
  EXPECT_EQ(svc.ip_version, 0);
  EXPECT_EQ(svc.country, "");
  EXPECT_EQ(svc.tool->family, "aws-service");
  const Enrichment internal = (*enricher)->Enrich("AWS Internal", "AWS Internal");
  EXPECT_TRUE(internal.aws_internal);
  EXPECT_EQ(internal.aws_service, "");
  // An address with an AWS-internal user agent is also AWS acting.
  EXPECT_TRUE((*enricher)->Enrich("10.1.2.3", "AWS Internal").aws_internal);
  EXPECT_FALSE((*enricher)->Enrich("10.1.2.3", "aws-cli/2.0.0").aws_internal);
  // Garbage in the address field is just not an address.
  const Enrichment junk = (*enricher)->Enrich("<script>", "");
  EXPECT_FALSE(junk.aws_internal);
  EXPECT_FALSE(junk.tool);
}

TEST(Enricher, NothingConfiguredStillClassifiesTools) {
  auto enricher = Enricher::Create(EnricherOptions{});
  ASSERT_TRUE(enricher.ok());
  const Enrichment e = (*enricher)->Enrich("8.8.8.8", "TruffleHog");
  EXPECT_EQ(e.country, "");
  EXPECT_EQ(e.tool->family, "trufflehog");
}

TEST(Enricher, ExplicitlyConfiguredMissingFilesAreStartupErrors) {
  ScratchDir dir;
  struct Case {
    const char* what;
    EnricherOptions options;
  };
  std::vector<Case> cases;
  {
    EnricherOptions o;
    o.tor_exit_list = dir.Path("exits.txt");
    cases.push_back({"exits.txt", o});
  }
  {
    EnricherOptions o;
    o.geoip_db = {dir.Path("GeoLite2-City.mmdb")};
    cases.push_back({"GeoLite2-City.mmdb", o});
  }
  {
    EnricherOptions o;
    o.cloud_ranges = {dir.Path("ip-ranges.json")};
    cases.push_back({"ip-ranges.json", o});
  }
  {
    EnricherOptions o;
    o.tor_geoip_v4 = dir.Path("my-geoip");
    cases.push_back({"my-geoip", o});
  }
  for (const Case& c : cases) {
    auto e = Enricher::Create(c.options);
    ASSERT_FALSE(e.ok()) << c.what;
    EXPECT_EQ(e.status().code(), StatusCode::kNotFound) << c.what;
    EXPECT_NE(e.status().message().find(c.what), std::string::npos) << e.status().message();
  }
}

TEST(Enricher, ExplicitlyConfiguredCorruptFilesAreStartupErrorsWithLine) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_exit_list = dir.Write("exits.txt", "1.2.3.4\n5.6.7.8\nnot an address\n");
  auto e = Enricher::Create(o);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(e.status().message().find("exits.txt:3:"), std::string::npos) << e.status().message();
}

TEST(Enricher, AbsentDefaultTorGeoIpIsALoggedDegradation) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_geoip_v4 = dir.Path("geoip");
  o.tor_geoip_v6 = dir.Path("geoip6");
  o.tor_geoip_optional = true;
  auto e = Enricher::Create(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ((*e)->warnings().size(), 2u);
  EXPECT_NE((*e)->warnings()[0].find("IPv4"), std::string::npos);
  EXPECT_NE((*e)->warnings()[0].find("tor-geoipdb"), std::string::npos);
  EXPECT_EQ((*e)->Enrich("8.8.8.8", "").country, "");
  // Still absent: a reload is not an error (it was said at start-up).
  EXPECT_TRUE((*e)->Reload().ok());

  // The package gets installed: the next periodic check picks the files up.
  dir.Write("geoip", "134744064,134744319,US\n");  // 8.8.8.0/24
  dir.Write("geoip6", "2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,US\n");
  ASSERT_TRUE((*e)->ReloadIfChanged().ok());
  EXPECT_EQ((*e)->Enrich("8.8.8.8", "").country, "US");
  EXPECT_EQ((*e)->Enrich("2001:4860:4860::8888", "").country, "US");
}

TEST(Enricher, CorruptDefaultTorGeoIpDegradesToo) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_geoip_v4 = dir.Write("geoip", "garbage\n");
  o.tor_geoip_v6 = dir.Write("geoip6", "2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,US\n");
  o.tor_geoip_optional = true;
  auto e = Enricher::Create(o);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ((*e)->warnings().size(), 1u);
  EXPECT_NE((*e)->warnings()[0].find("geoip:1:"), std::string::npos) << (*e)->warnings()[0];
  EXPECT_EQ((*e)->Enrich("2001:4860::1", "").country, "US");  // IPv6 still works
}

TEST(Enricher, DefaultTorGeoIpCanBeReadOnFirstUse) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_geoip_v4 = dir.Write("geoip", "134744064,134744319,US\n");  // 8.8.8.0/24
  o.tor_geoip_v6 = dir.Write("geoip6", "2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,US\n");
  o.tor_geoip_optional = true;
  o.load_tor_geoip_on_first_use = true;
  auto e = Enricher::Create(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_NE((*e)->Describe().find("tor geoip IPv4: read on first use"), std::string::npos) << (*e)->Describe();
  // Read after Create(): this version is what the first lookup sees.
  dir.Write("geoip", "134744064,134744319,NL\n");
  std::vector<std::thread> readers;
  std::atomic<int> right{0};
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] { right += (*e)->Enrich("8.8.8.8", "").country == "NL"; });
  for (auto& t : readers) t.join();
  EXPECT_EQ(right.load(), 4);
  const std::string d = (*e)->Describe();
  EXPECT_NE(d.find("tor geoip IPv4: 1 ranges"), std::string::npos) << d;
  EXPECT_NE(d.find("tor geoip IPv6: read on first use"), std::string::npos) << d;  // no IPv6 address yet
  EXPECT_EQ((*e)->Enrich("2001:4860:4860::8888", "").country, "US");
}

TEST(Enricher, AbsentTorGeoIpReadOnFirstUseDegradesQuietly) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_geoip_v4 = dir.Path("geoip");
  o.tor_geoip_v6 = dir.Write("geoip6", "garbage\n");
  o.tor_geoip_optional = true;
  o.load_tor_geoip_on_first_use = true;
  auto e = Enricher::Create(o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE((*e)->warnings().empty());
  EXPECT_EQ((*e)->Enrich("8.8.8.8", "").country, "");
  EXPECT_EQ((*e)->Enrich("2001:4860::1", "").country, "");
  EXPECT_EQ((*e)->Enrich("8.8.8.8", "").ip_version, 4);
}

TEST(Enricher, ExplicitTorGeoIpIsReadAtStartEvenWhenAskedLater) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_geoip_v4 = dir.Write("geoip", "garbage\n");
  o.load_tor_geoip_on_first_use = true;  // ignored: not Debian's optional default
  auto e = Enricher::Create(o);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("geoip:1:"), std::string::npos) << e.status().message();
}

TEST(Enricher, OptionsFromConfig) {
  EnrichConfig defaults;
  EnricherOptions o = EnricherOptionsFromConfig(defaults);
  EXPECT_TRUE(o.tor_geoip_optional);
  EXPECT_EQ(o.tor_geoip_v4, "/usr/share/tor/geoip");
  EXPECT_TRUE(o.geoip_db.empty());
  EXPECT_TRUE(o.cloud_ranges.empty());

  EnrichConfig v6_off;
  v6_off.geoip_v6 = "";
  EXPECT_TRUE(EnricherOptionsFromConfig(v6_off).tor_geoip_optional);
  EXPECT_EQ(EnricherOptionsFromConfig(v6_off).tor_geoip_v6, "");

  EnrichConfig custom;
  custom.geoip_v4 = "/srv/geoip";
  custom.geoip_db = " /srv/GeoLite2-Country.mmdb , /srv/GeoLite2-ASN.mmdb ";
  custom.cloud_ranges = "/srv/ip-ranges.json,/srv/cloud.json,";
  custom.tor_exit_list = "/srv/exits.txt";
  o = EnricherOptionsFromConfig(custom);
  EXPECT_FALSE(o.tor_geoip_optional);
  EXPECT_EQ(o.geoip_db, (std::vector<std::string>{"/srv/GeoLite2-Country.mmdb", "/srv/GeoLite2-ASN.mmdb"}));
  EXPECT_EQ(o.cloud_ranges, (std::vector<std::string>{"/srv/ip-ranges.json", "/srv/cloud.json"}));
  EXPECT_EQ(o.tor_exit_list, "/srv/exits.txt");
}

TEST(Enricher, ReloadIfChangedPicksUpNewExitsAndReportsBrokenFiles) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_exit_list = dir.Write("exits.txt", "1.2.3.4\n");
  auto e = Enricher::Create(o);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE((*e)->Enrich("1.2.3.4", "").tor_exit);
  ASSERT_TRUE((*e)->ReloadIfChanged().ok());  // nothing changed

  dir.Write("exits.txt", "5.6.7.8\n9.9.9.9\n");
  ASSERT_TRUE((*e)->ReloadIfChanged().ok());
  EXPECT_FALSE((*e)->Enrich("1.2.3.4", "").tor_exit);
  EXPECT_TRUE((*e)->Enrich("9.9.9.9", "").tor_exit);

  dir.Write("exits.txt", "5.6.7.8\n<html>rate limited</html>\n");
  Status s = (*e)->ReloadIfChanged();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exits.txt:2:"), std::string::npos) << s.message();
  EXPECT_TRUE((*e)->Enrich("9.9.9.9", "").tor_exit);  // previous list still in use
}

// Readers never stop while a writer keeps replacing the data underneath them.
// Run under the sanitizer build this catches use-after-free of old snapshots.
TEST(Enricher, ConcurrentReadersDuringReloads) {
  ScratchDir dir;
  EnricherOptions o;
  o.tor_exit_list = dir.Write("exits.txt", "1.2.3.4\n");
  o.cloud_ranges = {TestDataPath("aws-ip-ranges-sample.json")};
  auto created = Enricher::Create(o);
  ASSERT_TRUE(created.ok());
  const Enricher& enricher = **created;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> lookups{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const Enrichment e = enricher.Enrich("18.236.73.93", "aws-cli/2.15.0 command/sts.get-caller-identity");
        ASSERT_TRUE(e.cloud);
        ASSERT_EQ(e.tool->command, "sts.get-caller-identity");
        (void)enricher.Enrich("1.2.3.4", "");
        lookups.fetch_add(2);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    dir.Write("exits.txt", i % 2 ? "1.2.3.4\n" : "1.2.3.4\n5.6.7.8\n");
    ASSERT_TRUE((*created)->Reload().ok());
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(lookups.load(), 0);
}

TEST(Enricher, DescribeNamesEverySource) {
  ScratchDir dir;
  auto enricher = Enricher::Create(FullOptions(dir));
  ASSERT_TRUE(enricher.ok());
  const std::string d = (*enricher)->Describe();
  EXPECT_NE(d.find("GeoLite2-ASN"), std::string::npos) << d;
  EXPECT_NE(d.find("tor geoip IPv4"), std::string::npos) << d;
  EXPECT_NE(d.find("tor exits: 4"), std::string::npos) << d;
  EXPECT_NE(d.find("cloud prefixes"), std::string::npos) << d;
}

}  // namespace
}  // namespace spacecrab::enrich
