// GET /api/v1/report over a real (in-memory SQLite) store: tokens and events
// as ingestion stores them, enrichment included, read back through paging.
#include "enrich/report_routes.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "enrich/enricher.h"
#include "enrich/test_util.h"
#include "store/store_factory.h"

namespace spacecrab::enrich {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

const Timestamp kLeak = *ParseRfc3339("2026-03-01T00:00:00Z");
const Timestamp kNow = kLeak + 30 * 24h;

std::string AccessKeyFor(int n) {
  static constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string key = "AKIA";
  for (int i = 0; i < 16; ++i, n /= 32) key.push_back(kB32[n % 32]);
  return key;
}

HoneyToken Token(int n, const std::string& location) {
  char id[40];
  std::snprintf(id, sizeof id, "tok_%026d", n);
  HoneyToken t;
  t.id = id;
  t.kind = TokenKind::kDecoy;
  t.access_key_id = AccessKeyFor(n);
  t.account_id = "123456789012";
  t.user_name = "svc-" + std::to_string(n);
  t.arn = "arn:aws:iam::123456789012:user/" + t.user_name;
  t.location = location;
  t.owner = n % 2 ? "red" : "blue";
  t.created_at = kLeak - 1h;
  t.issued_at = t.created_at;
  t.planted_at = kLeak;
  return t;
}

Event Use(const HoneyToken& t, int n, Timestamp at, const std::string& ip, const std::string& ua,
          const Enricher& enricher) {
  Event e;
  e.id = "evt-" + std::to_string(n);
  e.token_id = t.id;
  e.access_key_id = t.access_key_id;
  e.event_time = at;
  e.event_source = "sts.amazonaws.com";
  e.event_name = "GetCallerIdentity";
  e.source_ip = ip;
  e.user_agent = ua;
  e.origin = "s3";
  e.raw_json = R"({"eventID":"x"})";
  e.enrichment_json = EnrichmentToJson(enricher.Enrich(ip, ua));
  e.received_at = at;
  return e;
}

// The original experiment, stored: 1,000 public-git tokens of which 820 are
// used (at 25-35 minutes, twice each from a Tor exit with python-requests),
// 1,000 paste tokens of which 90 are used at 12-48 hours (once each, aws-cli
// from EC2). Over 1,000 tokens and events, so both lists are paged.
class ReportRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EnricherOptions eo;
    eo.tor_geoip_v4 = testing::kTorGeoIpV4;
    eo.tor_exit_list = testing::TestDataPath("tor-exit-addresses.txt");
    eo.cloud_ranges = {testing::TestDataPath("aws-ip-ranges-sample.json")};
    auto enricher = Enricher::Create(eo);
    ASSERT_TRUE(enricher.ok()) << enricher.status().ToString();
    auto store = OpenStore("sqlite::memory:");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();

    std::vector<HoneyToken> tokens;
    std::vector<Event> events;
    int n = 0;
    for (int i = 0; i < 1000; ++i) {
      tokens.push_back(Token(++n, "github/org/repo-" + std::to_string(i)));
      if (i % 100 >= 82) continue;
      const Timestamp first = kLeak + 25min + (i % 11) * 1min;
      for (int k = 0; k < 2; ++k)
        events.push_back(Use(tokens.back(), int(events.size()), first + k * 1min, "23.129.64.132",
                             "python-requests/2.27.1", **enricher));
    }
    for (int i = 0; i < 1000; ++i) {
      tokens.push_back(Token(++n, "pastebin/" + std::to_string(i)));
      if (i % 100 >= 9) continue;
      const Timestamp first = kLeak + 12h + (i % 100) * 4h + (i / 100) * 1min;  // 12h .. 44h09m
      events.push_back(Use(tokens.back(), int(events.size()), first, "18.236.73.93",
                           "aws-cli/2.4.23 Python/3.8.8 Windows/10 exe/AMD64 prompt/off "
                           "command/sts.get-caller-identity",
                           **enricher));
    }
    ASSERT_TRUE(store_->InsertTokens(tokens).ok());
    auto fresh = store_->RecordEvents(events);
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    routes_ = std::make_unique<ReportRoutes>(*store_, clock_);
  }

  ApiResponse Get(std::multimap<std::string, std::string> query) {
    auto routes = routes_->Routes();
    EXPECT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0].pattern, "/api/v1/report");
    EXPECT_EQ(routes[0].scope, std::optional<ApiScope>(ApiScope::kRead));
    ApiRequest req;
    req.method = "GET";
    req.path = req.route = "/api/v1/report";
    req.query = std::move(query);
    return routes[0].handler(req);
  }

  Json GetJson(std::multimap<std::string, std::string> query) {
    ApiResponse r = Get(std::move(query));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return Json::parse(r.body);
  }

  static const Json& Placement(const Json& report, const std::string& name) {
    for (const Json& p : report["placements"])
      if (p["placement"] == name) return p;
    static const Json kNone;
    ADD_FAILURE() << "no placement " << name;
    return kNone;
  }

  ManualClock clock_{kNow};
  std::unique_ptr<Store> store_;
  std::unique_ptr<ReportRoutes> routes_;
};

TEST_F(ReportRoutesTest, ExperimentSharesAndDelaysFromTheStore) {
  const Json r = GetJson({});
  EXPECT_EQ(r["summary"]["tokens"], 2000);
  EXPECT_EQ(r["summary"]["tokens_used"], 820 + 90);
  EXPECT_EQ(r["summary"]["events"], 820 * 2 + 90);
  const Json& gh = Placement(r, "github");
  EXPECT_EQ(gh["planted"], 1000);
  EXPECT_EQ(gh["used"], 820);
  EXPECT_DOUBLE_EQ(gh["share_used"].get<double>(), 0.82);
  const Json& pb = Placement(r, "pastebin");
  EXPECT_EQ(pb["used"], 90);
  EXPECT_DOUBLE_EQ(pb["share_used"].get<double>(), 0.09);
  // Countries, Tor and tools come from the stored enrichment.
  EXPECT_EQ(r["top"]["countries"][0]["key"], "US");
  EXPECT_EQ(r["tor"]["events"], 1640);
  EXPECT_EQ(r["top"]["tools"][0]["key"], "python-requests/2.27.1");
  EXPECT_EQ(r["top"]["tools"][1]["key"], "aws-cli/2.4.23");
  EXPECT_EQ(r["summary"]["cloud_events"], 90);
  EXPECT_EQ(r["tokens"].size(), 910u);  // per-token history of the used ones
}

TEST_F(ReportRoutesTest, TextTableShowsSharesAndDelays) {
  ApiResponse r = Get({{"format", "text"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_NE(r.body.find("82.0%"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("9.0%"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("25m00s"), std::string::npos) << r.body;  // github min
  EXPECT_NE(r.body.find("12h00m"), std::string::npos) << r.body;  // pastebin min
}

TEST_F(ReportRoutesTest, WindowAndTokenFilters) {
  // The first hour: only the public-git uses.
  Json r = GetJson({{"from", "2026-03-01T00:00:00Z"}, {"to", "2026-03-01T01:00:00Z"}});
  EXPECT_EQ(r["summary"]["events"], 1640);
  EXPECT_EQ(Placement(r, "pastebin")["used"], 0);
  // Durations count back from now (kNow = leak + 30 days).
  r = GetJson({{"from", "29d"}});  // the paste uses from 24h on: 6 of every 9
  EXPECT_EQ(r["summary"]["events"], 60);
  r = GetJson({{"location_prefix", "pastebin/"}});
  EXPECT_EQ(r["summary"]["tokens"], 1000);
  EXPECT_EQ(r["placements"].size(), 1u);
  r = GetJson({{"owner", "red"}, {"top", "0"}, {"history", "0"}});
  EXPECT_EQ(r["summary"]["tokens"], 1000);
  r = GetJson({{"group_by", "location"}, {"location_prefix", "github/org/repo-1"}});
  EXPECT_GT(r["placements"].size(), 1u);
}

TEST_F(ReportRoutesTest, CsvTables) {
  ApiResponse r = Get({{"format", "csv"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_NE(r.body.find("github,1000,820,0.82,1500,"), std::string::npos) << r.body;
  r = Get({{"format", "csv"}, {"table", "countries"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("US,"), std::string::npos) << r.body;
}

TEST_F(ReportRoutesTest, BadParametersAre400s) {
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"from", "yesterday"},
                                                        {"to", "2026-13-01T00:00:00Z"},
                                                        {"tag", "novalue"},
                                                        {"group_by", "colour"},
                                                        {"top", "-1"},
                                                        {"format", "xml"},
                                                        {"table", "events"}}) {
    ApiResponse r = Get({{k, v}});
    EXPECT_EQ(r.status, 400) << k << "=" << v << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json") << k;
  }
  EXPECT_EQ(Get({{"format", "csv"}, {"table", "nope"}}).status, 400);
  EXPECT_EQ(Get({{"from", "2026-03-02T00:00:00Z"}, {"to", "2026-03-01T00:00:00Z"}}).status, 400);
}

TEST_F(ReportRoutesTest, TooManyEventsAskForANarrowerWindow) {
  ReportOptions o;
  auto r = LoadReport(*store_, o, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("narrow"), std::string::npos);
  o.from = kLeak + 2h;
  EXPECT_TRUE(LoadReport(*store_, o, 1000).ok());
}

}  // namespace
}  // namespace spacecrab::enrich
