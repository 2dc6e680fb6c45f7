// Replays the incidents of a published honey-token write-up ("Canarytokens
// fun": an AWS key in a public Dockerfile, 33 uses in about a day) through the
// real enricher and the report, and checks the report lists what the author
// pulled out with jq: the same distinct user agents, source IPs, API calls,
// Tor events and countries.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/report.h"
#include "enrich/enricher.h"
#include "enrich/test_util.h"

namespace spacecrab::enrich {
namespace {

using namespace std::chrono_literals;

const char* const kUaCliV1 = "aws-cli/1.22.25 Python/3.8.10 Linux/5.13.0-35-generic botocore/1.23.25";
const char* const kUaCli233 = "aws-cli/2.3.3 Python/3.8.8 Windows/10 exe/AMD64 prompt/off command/iam.list-users";
const char* const kUaCliWsl =
    "aws-cli/2.4.21 Python/3.8.8 Linux/5.10.16.3-microsoft-standard-WSL2 exe/x86_64.ubuntu.20 prompt/off "
    "command/iam.list-users";
const char* const kUaCli2423 = "aws-cli/2.4.23 Python/3.8.8 Windows/10 exe/AMD64 prompt/off command/iam.list-users";
const char* const kUaCliS3 = "[aws-cli/2.4.23 Python/3.8.8 Windows/10 exe/AMD64 prompt/off command/s3.ls]";
const char* const kUaCliSes = "aws-cli/2.4.23 Python/3.8.8 Windows/10 exe/AMD64 prompt/off command/sesv2.get-account";
const char* const kUaPowerShell =
    "AWSPowerShell.Common/4.1.20.0 .NET_Core/6.0.0-rtm.21522.10 OS/Microsoft_Windows_10.0.17763 "
    "PowerShellCore/7.-1 ClientAsync";
const char* const kUaElasticWolf = "ElasticWolf/5.1.6";
const char* const kUaRequests = "python-requests/2.27.1";

struct Use {
  const char* ip;
  const char* ua;
  const char* source;
  const char* name;
  int times;
};

// 33 uses, shaped like the write-up's second export.
const Use kUses[] = {
    {"18.236.73.93", kUaRequests, "sts.amazonaws.com", "GetCallerIdentity", 10},
    {"54.245.37.156", kUaRequests, "sts.amazonaws.com", "GetCallerIdentity", 3},
    {"54.39.187.211", kUaPowerShell, "ec2.amazonaws.com", "DescribeRegions", 2},
    {"54.39.190.134", kUaPowerShell, "ec2.amazonaws.com", "DescribeRegions", 1},
    {"54.39.190.134", kUaPowerShell, "ses.amazonaws.com", "GetSendQuota", 1},
    {"37.120.131.157", kUaCliV1, "sts.amazonaws.com", "GetCallerIdentity", 2},
    {"37.120.131.157", kUaCliV1, "ses.amazonaws.com", "GetSendQuota", 1},
    {"112.215.151.218", kUaCli233, "iam.amazonaws.com", "ListUsers", 2},
    {"36.74.44.225", kUaCliWsl, "iam.amazonaws.com", "ListUsers", 1},
    {"158.140.162.181", kUaCli2423, "iam.amazonaws.com", "ListUsers", 2},
    {"112.215.170.96", kUaCliS3, "s3.amazonaws.com", "ListBuckets", 1},
    {"112.215.171.137", kUaCliSes, "ses.amazonaws.com", "GetAccount", 1},
    {"140.213.11.159", kUaCliSes, "ses.amazonaws.com", "GetAccount", 1},
    {"140.213.11.159", kUaCli2423, "iam.amazonaws.com", "ListUsers", 1},
    {"23.129.64.132", kUaElasticWolf, "ec2.amazonaws.com", "DescribeAccountAttributes", 2},
    {"23.129.64.132", kUaElasticWolf, "iam.amazonaws.com", "GetUser", 2},
};

std::set<std::string> Keys(const std::vector<TopRow>& rows) {
  std::set<std::string> keys;
  for (const TopRow& r : rows) keys.insert(r.key);
  return keys;
}

class WriteUpReplay : public ::testing::Test {
 protected:
  void SetUp() override {
    EnricherOptions options;
    options.tor_geoip_v4 = testing::kTorGeoIpV4;
    options.tor_geoip_v6 = testing::kTorGeoIpV6;
    options.tor_exit_list = testing::TestDataPath("tor-exit-addresses.txt");
    options.cloud_ranges = {testing::TestDataPath("aws-ip-ranges-sample.json")};
    auto enricher = Enricher::Create(options);
    ASSERT_TRUE(enricher.ok()) << enricher.status().ToString();

    const Timestamp planted = *ParseRfc3339("2022-03-11T08:00:00Z");
    token_.id = "tok_01HDOCKERFILE";
    token_.access_key_id = "AKIAYVP4CIPPOWONZTGT";
    token_.location = "github:benjitrapp/lab/Dockerfile";
    token_.issued_at = planted - 1h;
    token_.planted_at = planted;

    // Like ingestion does: enrich at detection time, store the JSON.
    Timestamp t = planted + 4min;  // "in less than 5min, the first token was scanned"
    int n = 0;
    for (const Use& use : kUses) {
      for (int i = 0; i < use.times; ++i) {
        Event e;
        e.id = "evt-" + std::to_string(++n);
        e.token_id = token_.id;
        e.access_key_id = token_.access_key_id;
        e.event_time = t;
        e.event_source = use.source;
        e.event_name = use.name;
        e.source_ip = use.ip;
        e.user_agent = use.ua;
        e.enrichment_json = EnrichmentToJson((*enricher)->Enrich(e.source_ip, e.user_agent));
        events_.push_back(std::move(e));
        t += 41min;
      }
    }
    ReportOptions all;
    all.top_n = 0;
    report_ = ComputeReport(std::vector<HoneyToken>{token_}, events_, all, DecodeEventOrigin);
  }

  HoneyToken token_;
  std::vector<Event> events_;
  Report report_;
};

TEST_F(WriteUpReplay, SameDistinctUserAgents) {
  EXPECT_EQ(report_.events, 33);
  EXPECT_EQ(Keys(report_.top_user_agents),
            (std::set<std::string>{kUaCliV1, kUaCli233, kUaCliWsl, kUaCli2423, kUaCliS3, kUaCliSes, kUaPowerShell,
                                   kUaElasticWolf, kUaRequests}));
  EXPECT_EQ(Keys(report_.top_tools),
            (std::set<std::string>{"aws-cli/1.22.25", "aws-cli/2.3.3", "aws-cli/2.4.21", "aws-cli/2.4.23",
                                   "aws-powershell/4.1.20.0", "elasticwolf/5.1.6", "python-requests/2.27.1"}));
  // python-requests is the favourite.
  EXPECT_EQ(report_.top_tools.front().key, "python-requests/2.27.1");
  EXPECT_EQ(report_.top_tools.front().events, 13);
}

TEST_F(WriteUpReplay, SameSourceIpsAndCountries) {
  EXPECT_EQ(Keys(report_.top_source_ips),
            (std::set<std::string>{"112.215.151.218", "112.215.170.96", "112.215.171.137", "140.213.11.159",
                                   "158.140.162.181", "18.236.73.93", "23.129.64.132", "36.74.44.225",
                                   "37.120.131.157", "54.245.37.156", "54.39.187.211", "54.39.190.134"}));
  EXPECT_EQ(report_.source_ips, 12);
  // "the callers came from the US, Denmark and Indonesia" ... "some guys from Canada joined"
  EXPECT_EQ(Keys(report_.top_countries), (std::set<std::string>{"US", "DK", "ID", "CA"}));
  // The top spammer sits on EC2 in us-west-2.
  EXPECT_EQ(report_.top_source_ips.front().key, "18.236.73.93");
  EXPECT_EQ(report_.top_source_ips.front().detail, "US, aws EC2 us-west-2");
  // Without an ASN database only the cloud ranges name a network.
  ASSERT_EQ(report_.top_networks.size(), 2u);
  EXPECT_EQ(report_.top_networks[0].key, "(unknown)");
  EXPECT_EQ(report_.top_networks[0].events, 20);
  EXPECT_EQ(report_.top_networks[1].key, "aws EC2 us-west-2");
  EXPECT_EQ(report_.top_networks[1].events, 13);
  EXPECT_EQ(report_.cloud_events, 13);
}

TEST_F(WriteUpReplay, SameApiCalls) {
  std::set<std::string> names;
  for (const TopRow& r : report_.top_api_calls) names.insert(r.key.substr(r.key.find(':') + 1));
  EXPECT_EQ(names, (std::set<std::string>{"DescribeAccountAttributes", "DescribeRegions", "GetAccount",
                                          "GetCallerIdentity", "GetSendQuota", "GetUser", "ListBuckets", "ListUsers"}));
  EXPECT_EQ(report_.top_api_calls.front().key, "sts:GetCallerIdentity");
  EXPECT_EQ(report_.top_api_calls.front().events, 15);
}

TEST_F(WriteUpReplay, SameTorEvents) {
  // "There were four times a usage recognized": ElasticWolf through Emerald Onion.
  EXPECT_EQ(report_.tor.events, 4);
  EXPECT_EQ(report_.tor.source_ips, 1);
  EXPECT_EQ(report_.tor.tokens, 1);
  int tor_rows = 0;
  for (const TokenHistory& h : report_.history) {
    for (const TimelineEntry& t : h.timeline) {
      if (!t.tor_exit) continue;
      ++tor_rows;
      EXPECT_EQ(t.source_ip, "23.129.64.132");
      EXPECT_EQ(t.tool, "elasticwolf/5.1.6");
      EXPECT_EQ(t.country, "US");
      EXPECT_TRUE(t.action == "ec2:DescribeAccountAttributes" || t.action == "iam:GetUser") << t.action;
    }
  }
  EXPECT_EQ(tor_rows, 4);
  for (const TopRow& r : report_.top_source_ips) {
    EXPECT_EQ(r.detail.find("tor exit") != std::string::npos, r.key == "23.129.64.132") << r.key;
  }
}

TEST_F(WriteUpReplay, TokenHistoryAndRenderings) {
  ASSERT_EQ(report_.history.size(), 1u);
  const TokenHistory& h = report_.history.front();
  EXPECT_EQ(FormatDelay(h.time_to_first_use), "4m00s");
  EXPECT_EQ(h.profile, "enumeration");
  EXPECT_TRUE(h.via_tor);
  EXPECT_EQ(h.source_ips.size(), 12u);
  EXPECT_EQ(report_.placements.at(0).placement, "github");
  EXPECT_DOUBLE_EQ(report_.placements.at(0).share_used, 1.0);

  const std::string text = RenderReportText(report_);
  EXPECT_NE(text.find("via Tor: 4 events (12.1%) from 1 IPs on 1 tokens"), std::string::npos) << text;
  // Long user agents are cut for the terminal, not dropped.
  EXPECT_NE(text.find(std::string(kUaPowerShell).substr(0, 80)), std::string::npos) << text;
  const std::string json = RenderReportJson(report_);
  EXPECT_NE(json.find(R"("tor":{"events":4,"share":0.1212,"source_ips":1,"tokens":1})"), std::string::npos) << json;
  auto csv = RenderReportCsv(report_, "events");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(std::count(csv->begin(), csv->end(), '\n'), 34);  // header + 33 events
}

}  // namespace
}  // namespace spacecrab::enrich
