#include "core/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace spacecrab {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const Timestamp kT0 = *ParseRfc3339("2026-03-02T09:00:00Z");

HoneyToken Token(std::string id, std::string location, Timestamp planted) {
  HoneyToken t;
  t.id = std::move(id);
  t.access_key_id = "AKIA" + t.id;
  t.location = std::move(location);
  t.owner = "secops";
  t.issued_at = planted - 1h;
  t.planted_at = planted;
  return t;
}

Event Use(const HoneyToken& t, Timestamp when, std::string ip, std::string event_name = "GetCallerIdentity",
          std::string source = "sts.amazonaws.com") {
  static int n = 0;
  Event e;
  e.id = "ev-" + std::to_string(++n);
  e.token_id = t.id;
  e.access_key_id = t.access_key_id;
  e.event_time = when;
  e.event_source = std::move(source);
  e.event_name = std::move(event_name);
  e.source_ip = std::move(ip);
  e.user_agent = "python-requests/2.27.1";
  return e;
}

EventOrigin NoOrigin(const Event&) { return {}; }

// The original write-up's experiment: keys leaked to a public git host were
// used 82% of the time, around 30 minutes after the leak; keys on a paste
// site 9% of the time, 12 to 48 hours later.
struct Experiment {
  std::vector<HoneyToken> tokens;
  std::vector<Event> events;
};

Experiment BuildExperiment() {
  Experiment x;
  for (int i = 0; i < 100; ++i) {
    x.tokens.push_back(Token("gh" + std::to_string(i), "github:leaks/repo-" + std::to_string(i), kT0 + i * 1s));
    x.tokens.push_back(Token("pb" + std::to_string(i), "pastebin:paste-" + std::to_string(i), kT0 + i * 1s));
  }
  // GitHub: tokens 0..81 first used 28 minutes + 5 s per token after planting,
  // then twice more.
  for (int i = 0; i < 82; ++i) {
    const HoneyToken& t = x.tokens[2 * i];
    const Timestamp first = *t.planted_at + 28min + i * 5s;
    x.events.push_back(Use(t, first, "18.236.73." + std::to_string(i % 50)));
    x.events.push_back(Use(t, first + 10min, "18.236.73." + std::to_string(i % 50), "ListUsers", "iam.amazonaws.com"));
    x.events.back().error_code = "AccessDenied";
    x.events.push_back(Use(t, first + 3h, "203.0.113.9"));
  }
  // Paste site: tokens 0..8 first used 12 h + 4.5 h per token (12 h .. 48 h).
  for (int j = 0; j < 9; ++j) {
    const HoneyToken& t = x.tokens[2 * j + 1];
    const Timestamp first = *t.planted_at + 12h + j * 270min;
    x.events.push_back(Use(t, first, "112.215.151." + std::to_string(j)));
    x.events.push_back(Use(t, first + 1h, "112.215.151." + std::to_string(j)));
  }
  // Storage order is not time order.
  std::mt19937 rng(7);
  std::shuffle(x.events.begin(), x.events.end(), rng);
  return x;
}

const PlacementRow* Row(const Report& r, const std::string& placement) {
  for (const auto& row : r.placements) {
    if (row.placement == placement) return &row;
  }
  return nullptr;
}

TEST(Report, ExperimentShowsSharesAndDelaysPerPlacement) {
  const Experiment x = BuildExperiment();
  const Report r = ComputeReport(x.tokens, x.events, ReportOptions{}, NoOrigin);
  ASSERT_EQ(r.placements.size(), 2u);
  EXPECT_EQ(r.group_by, "prefix:1");

  const PlacementRow* gh = Row(r, "github");
  ASSERT_NE(gh, nullptr);
  EXPECT_EQ(gh->planted, 100);
  EXPECT_EQ(gh->used, 82);
  EXPECT_DOUBLE_EQ(gh->share_used, 0.82);
  ASSERT_TRUE(gh->time_to_first_use);
  EXPECT_EQ(gh->time_to_first_use->min, milliseconds(28min));
  EXPECT_EQ(gh->time_to_first_use->p50, milliseconds(28min + 40 * 5s));  // rank 41 of 82
  EXPECT_EQ(gh->time_to_first_use->p90, milliseconds(28min + 73 * 5s));  // rank 74 of 82
  EXPECT_EQ(gh->time_to_first_use->max, milliseconds(28min + 81 * 5s));
  EXPECT_EQ(gh->events, 82 * 3);

  const PlacementRow* pb = Row(r, "pastebin");
  ASSERT_NE(pb, nullptr);
  EXPECT_EQ(pb->planted, 100);
  EXPECT_EQ(pb->used, 9);
  EXPECT_DOUBLE_EQ(pb->share_used, 0.09);
  ASSERT_TRUE(pb->time_to_first_use);
  EXPECT_EQ(pb->time_to_first_use->min, milliseconds(12h));
  EXPECT_EQ(pb->time_to_first_use->p50, milliseconds(30h));  // rank 5 of 9
  EXPECT_EQ(pb->time_to_first_use->p90, milliseconds(48h));  // rank 9 of 9
  EXPECT_EQ(pb->time_to_first_use->max, milliseconds(48h));

  EXPECT_EQ(r.total.planted, 200);
  EXPECT_EQ(r.total.used, 91);
  EXPECT_EQ(r.tokens_used, 91);
  EXPECT_DOUBLE_EQ(r.total.share_used, 0.455);
  EXPECT_EQ(r.events, 82 * 3 + 9 * 2);

  // The renderings say the same.
  const std::string text = RenderReportText(r);
  EXPECT_NE(text.find("82.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("9.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("28m00s"), std::string::npos) << text;
  EXPECT_NE(text.find("1d06h"), std::string::npos) << text;  // pastebin p50 = 30 h
  EXPECT_NE(text.find("2d00h"), std::string::npos) << text;  // pastebin max = 48 h
  const std::string json = RenderReportJson(r);
  EXPECT_NE(json.find(R"("placement":"github","planted":100,"used":82,"share_used":0.82)"), std::string::npos);
  EXPECT_NE(json.find(R"("placement":"pastebin","planted":100,"used":9,"share_used":0.09)"), std::string::npos);
  EXPECT_NE(json.find(R"("min_seconds":43200,"p50_seconds":108000,"p90_seconds":172800,"max_seconds":172800)"),
            std::string::npos);
  auto csv = RenderReportCsv(r, "placements");
  ASSERT_TRUE(csv.ok());
  EXPECT_NE(csv->find("github,100,82,0.82,1680,1880,2045,2085,246,"), std::string::npos) << *csv;
  EXPECT_NE(csv->find("pastebin,100,9,0.09,43200,108000,172800,172800,18,"), std::string::npos) << *csv;
}

TEST(Report, HistoryIsPerTokenInFirstUseOrder) {
  const Experiment x = BuildExperiment();
  const Report r = ComputeReport(x.tokens, x.events, ReportOptions{}, NoOrigin);
  ASSERT_EQ(r.history.size(), 91u);
  EXPECT_EQ(r.history.front().token_id, "gh0");
  EXPECT_EQ(r.history.back().token_id, "pb8");
  const TokenHistory& h = r.history.front();
  EXPECT_EQ(h.placement, "github");
  EXPECT_TRUE(h.planted_marked);
  EXPECT_EQ(h.time_to_first_use, milliseconds(28min));
  EXPECT_EQ(h.events, 3);
  EXPECT_EQ(h.actions, (std::vector<std::string>{"sts:GetCallerIdentity", "iam:ListUsers"}));
  EXPECT_EQ(h.source_ips, (std::vector<std::string>{"18.236.73.0", "203.0.113.9"}));
  EXPECT_EQ(h.profile, "single probe");
  ASSERT_EQ(h.timeline.size(), 3u);
  EXPECT_TRUE(std::is_sorted(h.timeline.begin(), h.timeline.end(),
                             [](const TimelineEntry& a, const TimelineEntry& b) { return a.time < b.time; }));
  EXPECT_FALSE(h.timeline_truncated);

  ReportOptions short_history;
  short_history.history_events = 1;
  const Report s = ComputeReport(x.tokens, x.events, short_history, NoOrigin);
  EXPECT_EQ(s.history.front().timeline.size(), 1u);
  EXPECT_TRUE(s.history.front().timeline_truncated);
  EXPECT_EQ(s.history.front().timeline.front().action, "sts:GetCallerIdentity");
}

TEST(Report, TimeWindowSelectsEventsAndTokens) {
  const Experiment x = BuildExperiment();
  ReportOptions first_day;
  first_day.from = kT0;
  first_day.to = kT0 + 24h;
  const Report r = ComputeReport(x.tokens, x.events, first_day, NoOrigin);
  // Paste tokens used after the first day do not count as used in it.
  const PlacementRow* pb = Row(r, "pastebin");
  ASSERT_NE(pb, nullptr);
  EXPECT_EQ(pb->planted, 100);
  EXPECT_EQ(pb->used, 3);  // 12 h, 16.5 h, 21 h
  ReportOptions before_planting;
  before_planting.to = kT0;  // nothing was planted yet
  EXPECT_EQ(ComputeReport(x.tokens, x.events, before_planting, NoOrigin).tokens, 0);
}

TEST(Report, FiltersByLocationPrefixTagsOwnerAndPlantingCohort) {
  std::vector<HoneyToken> tokens = {Token("a", "ci:repo-a", kT0), Token("b", "ci:repo-b", kT0 + 2h),
                                    Token("c", "laptop:L-0042", kT0)};
  tokens[0].tags["env"] = "prod";
  tokens[1].tags["env"] = "dev";
  tokens[2].owner = "it";
  std::vector<Event> events = {Use(tokens[0], kT0 + 1min, "198.51.100.1"), Use(tokens[1], kT0 + 3h, "198.51.100.2"),
                               Use(tokens[2], kT0 + 1h, "198.51.100.3")};
  ReportOptions o;
  o.location_prefix = "ci:";
  EXPECT_EQ(ComputeReport(tokens, events, o, NoOrigin).tokens, 2);
  o.tags["env"] = "prod";
  Report r = ComputeReport(tokens, events, o, NoOrigin);
  EXPECT_EQ(r.tokens, 1);
  EXPECT_EQ(r.events, 1);
  ReportOptions by_owner;
  by_owner.owner = "it";
  EXPECT_EQ(ComputeReport(tokens, events, by_owner, NoOrigin).history.at(0).token_id, "c");
  ReportOptions cohort;
  cohort.planted_from = kT0 + 1h;
  r = ComputeReport(tokens, events, cohort, NoOrigin);
  EXPECT_EQ(r.tokens, 1);
  EXPECT_EQ(r.history.at(0).token_id, "b");
}

TEST(Report, PlacementGroupings) {
  HoneyToken t = Token("t", "s3://bucket-a/backups/key.csv", kT0);
  t.tags["placement"] = "public-s3";
  ReportOptions o;
  EXPECT_EQ(PlacementOf(t, o), "s3");
  ASSERT_TRUE(ParsePlacementGrouping("prefix:2", o).ok());
  EXPECT_EQ(PlacementOf(t, o), "s3://bucket-a");
  ASSERT_TRUE(ParsePlacementGrouping("prefix:9", o).ok());
  EXPECT_EQ(PlacementOf(t, o), "s3://bucket-a/backups/key.csv");
  ASSERT_TRUE(ParsePlacementGrouping("location", o).ok());
  EXPECT_EQ(PlacementOf(t, o), "s3://bucket-a/backups/key.csv");
  ASSERT_TRUE(ParsePlacementGrouping("tag:placement", o).ok());
  EXPECT_EQ(PlacementOf(t, o), "public-s3");
  EXPECT_EQ(PlacementGroupingName(o), "tag:placement");
  o.group_tag = "team";
  EXPECT_EQ(PlacementOf(t, o), "(none)");
  o.group_by = PlacementGrouping::kPrefixList;
  o.placement_prefixes = {"s3://", "s3://bucket-a/", "laptop:"};
  EXPECT_EQ(PlacementOf(t, o), "s3://bucket-a/");
  t.location = "vault:x";
  EXPECT_EQ(PlacementOf(t, o), "(other)");
  for (const char* bad : {"", "prefix:0", "prefix:x", "tag:", "owner"}) {
    EXPECT_EQ(ParsePlacementGrouping(bad, o).code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Report, TopListsCountEventsAndDistinctTokens) {
  std::vector<HoneyToken> tokens = {Token("a", "x:1", kT0), Token("b", "x:2", kT0)};
  std::vector<Event> events;
  for (int i = 0; i < 5; ++i) events.push_back(Use(tokens[0], kT0 + i * 1min, "198.51.100.7"));
  events.push_back(Use(tokens[1], kT0 + 1h, "198.51.100.7", "ListBuckets", "s3.amazonaws.com"));
  events.push_back(Use(tokens[1], kT0 + 2h, "23.129.64.132", "GetUser", "iam.amazonaws.com"));
  events.back().error_code = "AccessDenied";
  events.back().user_agent = "ElasticWolf/5.1.6";
  auto origin = [](const Event& e) {
    EventOrigin o;
    if (e.source_ip == "23.129.64.132") {
      o.country = "US";
      o.network = "AS396507 EMERALD-ONION";
      o.tor_exit = true;
      o.tool = "elasticwolf/5.1.6";
    } else {
      o.country = "DK";
      o.tool = "python-requests/2.27.1";
    }
    return o;
  };
  ReportOptions o;
  Report r = ComputeReport(tokens, events, o, origin);
  ASSERT_EQ(r.top_source_ips.size(), 2u);
  EXPECT_EQ(r.top_source_ips[0].key, "198.51.100.7");
  EXPECT_EQ(r.top_source_ips[0].events, 6);
  EXPECT_EQ(r.top_source_ips[0].tokens, 2);
  EXPECT_EQ(r.top_source_ips[1].detail, "US, AS396507 EMERALD-ONION, tor exit");
  EXPECT_EQ(r.top_countries[0].key, "DK");
  EXPECT_EQ(r.top_networks[0].key, "(unknown)");
  EXPECT_EQ(r.top_tools[1].key, "elasticwolf/5.1.6");
  EXPECT_EQ(r.top_api_calls[0].key, "sts:GetCallerIdentity");
  EXPECT_EQ(r.top_api_calls[0].events, 5);
  ASSERT_EQ(r.top_error_codes.size(), 1u);
  EXPECT_EQ(r.top_error_codes[0].key, "AccessDenied");
  EXPECT_EQ(r.tor.events, 1);
  EXPECT_EQ(r.tor.source_ips, 1);
  EXPECT_EQ(r.tor.tokens, 1);
  EXPECT_NEAR(r.tor.share, 1.0 / 7.0, 1e-9);
  // a made one kind of call, b two in two services: both single probes.
  for (const auto& h : r.history) EXPECT_EQ(h.profile, "single probe");
  o.top_n = 1;
  r = ComputeReport(tokens, events, o, origin);
  EXPECT_EQ(r.top_source_ips.size(), 1u);
  EXPECT_EQ(r.top_api_calls.size(), 1u);
}

TEST(Report, EnumerationProfileAndNegativeDelaysClampToZero) {
  HoneyToken t = Token("t", "x:1", kT0);
  std::vector<Event> events = {Use(t, kT0 - 5min, "198.51.100.1"),  // logged before "planted"
                               Use(t, kT0, "198.51.100.1", "ListUsers", "iam.amazonaws.com"),
                               Use(t, kT0, "198.51.100.1", "ListBuckets", "s3.amazonaws.com")};
  const Report r = ComputeReport(std::vector<HoneyToken>{t}, events, ReportOptions{}, NoOrigin);
  ASSERT_EQ(r.history.size(), 1u);
  EXPECT_EQ(r.history[0].profile, "enumeration");
  EXPECT_EQ(r.history[0].time_to_first_use, milliseconds(0));
  EXPECT_EQ(r.placements[0].time_to_first_use->min, milliseconds(0));
}

TEST(Report, UnplantedTokensCountFromIssue) {
  HoneyToken t = Token("t", "x:1", kT0);
  t.planted_at.reset();
  t.issued_at = kT0 - 2h;
  const std::vector<Event> events = {Use(t, kT0, "198.51.100.1")};
  const Report r = ComputeReport(std::vector<HoneyToken>{t}, events, ReportOptions{}, NoOrigin);
  ASSERT_EQ(r.history.size(), 1u);
  EXPECT_FALSE(r.history[0].planted_marked);
  EXPECT_EQ(r.history[0].time_to_first_use, milliseconds(2h));
}

TEST(Report, EventsOfUnknownTokensAreIgnored) {
  HoneyToken t = Token("t", "x:1", kT0);
  HoneyToken other = Token("other", "y:1", kT0);
  const std::vector<Event> events = {Use(other, kT0 + 1min, "198.51.100.1")};
  const Report r = ComputeReport(std::vector<HoneyToken>{t}, events, ReportOptions{}, NoOrigin);
  EXPECT_EQ(r.events, 0);
  EXPECT_EQ(r.tokens_used, 0);
  EXPECT_FALSE(r.placements.at(0).time_to_first_use);
  EXPECT_NE(RenderReportText(r).find("-"), std::string::npos);
  EXPECT_NE(RenderReportJson(r).find(R"("time_to_first_use":null)"), std::string::npos);
}

TEST(Report, NearestRankPercentiles) {
  std::vector<milliseconds> v;
  for (int i = 1; i <= 10; ++i) v.push_back(milliseconds(i));
  EXPECT_EQ(Percentile(v, 50), milliseconds(5));
  EXPECT_EQ(Percentile(v, 90), milliseconds(9));
  EXPECT_EQ(Percentile(v, 100), milliseconds(10));
  EXPECT_EQ(Percentile(v, 0), milliseconds(1));
  const std::vector<milliseconds> one = {milliseconds(42)};
  EXPECT_EQ(Percentile(one, 50), milliseconds(42));
  EXPECT_EQ(Percentile(one, 90), milliseconds(42));
}

TEST(Report, DelaysReadLikeAPerson) {
  EXPECT_EQ(FormatDelay(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDelay(milliseconds(45'900)), "45s");
  EXPECT_EQ(FormatDelay(30min + 12s), "30m12s");
  EXPECT_EQ(FormatDelay(12h + 5min), "12h05m");
  EXPECT_EQ(FormatDelay(51h), "2d03h");
  EXPECT_EQ(FormatDelay(milliseconds(-5)), "0s");
}

// User agents are chosen by the attacker: the renderings must not let one
// drive a terminal, break a CSV row, run as a spreadsheet formula, or make
// the JSON invalid.
TEST(Report, AttackerTextIsEscapedInEveryFormat) {
  HoneyToken t = Token("t", "x:1", kT0);
  Event e = Use(t, kT0 + 1min, "198.51.100.1");
  e.user_agent = "=HYPERLINK(\"http://evil\")\x1b[2J\x07,\"x\"\n";
  e.user_agent += "\xff\xfe";  // invalid UTF-8
  const Report r = ComputeReport(std::vector<HoneyToken>{t}, std::vector<Event>{e}, ReportOptions{}, NoOrigin);

  const std::string text = RenderReportText(r);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);

  auto csv = RenderReportCsv(r, "user_agents");
  ASSERT_TRUE(csv.ok());
  EXPECT_NE(csv->find("\"'=HYPERLINK(\"\"http://evil\"\")"), std::string::npos) << *csv;
  // One header and one data row: the embedded newline is inside quotes.
  const std::string events_csv = *RenderReportCsv(r, "events");
  EXPECT_NE(events_csv.find("'=HYPERLINK"), std::string::npos);

  const std::string json = RenderReportJson(r);
  EXPECT_EQ(json.find('\x1b'), std::string::npos);
  EXPECT_NE(json.find("\\u001b[2J\\u0007,\\\"x\\\"\\n\\ufffd\\ufffd"), std::string::npos) << json;
}

TEST(Report, CsvTablesByName) {
  const Experiment x = BuildExperiment();
  const Report r = ComputeReport(x.tokens, x.events, ReportOptions{}, NoOrigin);
  for (std::string_view table : ReportCsvTables()) {
    auto csv = RenderReportCsv(r, table);
    ASSERT_TRUE(csv.ok()) << table;
    EXPECT_GT(std::count(csv->begin(), csv->end(), '\n'), 1) << table;
  }
  auto tokens = RenderReportCsv(r, "tokens");
  EXPECT_EQ(std::count(tokens->begin(), tokens->end(), '\n'), 92);  // header + 91 used tokens
  auto bad = RenderReportCsv(r, "nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("placements"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab
