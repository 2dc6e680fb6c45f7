#include "core/alert.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

const Timestamp kT0 = *ParseRfc3339("2026-11-23T17:00:00Z");

struct Fixture {
  HoneyToken token;
  Incident incident;
  Event event;
  Fixture() {
    token.id = "tok_01";
    token.kind = TokenKind::kAws;
    token.status = TokenStatus::kRevoked;
    token.access_key_id = "AKIAEXAMPLEEXAMPLE01";
    token.location = "ci:repo-x \"vars\"";
    token.owner = "alice";
    token.notes = "line1\nline2";
    token.tags = {{"env", "prod"}};
    token.created_at = kT0 - std::chrono::hours(48);
    token.issued_at = token.created_at;
    token.planted_at = kT0 - std::chrono::minutes(30);
    incident.id = "inc_01";
    incident.token_id = token.id;
    incident.source_ip = "203.0.113.9";
    incident.first_seen = kT0;
    incident.last_seen = kT0 + std::chrono::seconds(3);
    incident.event_count = 4;
    incident.actions = {"sts:GetCallerIdentity", "s3:ListBuckets"};
    incident.services = {"sts", "s3"};
    incident.retired_token = true;
    incident.trigger = IncidentTrigger::kRetiredTokenUse;
    incident.severity = IncidentSeverity::kError;
    event.id = "ev-1";
    event.token_id = token.id;
    event.event_time = kT0 + std::chrono::seconds(3);
    event.event_source = "s3.amazonaws.com";
    event.event_name = "ListBuckets";
    event.aws_region = "us-east-1";
    event.error_code = "AccessDenied";
    event.request_id = "REQ1";
    event.source_ip = "203.0.113.9";
    event.user_agent = "aws-cli/2.13.0 Python/3.11";
  }
};

TEST(Alert, CarriesTokenEventSourceAndIncident) {
  Fixture f;
  AlertEnrichment enr;
  enr.country = "NL";
  enr.asn = "AS1101";
  enr.tor_exit = true;
  enr.tool = "aws-cli";
  Alert a = BuildAlert(f.incident, f.token, f.event, enr, "https://sc.example.com/");
  EXPECT_EQ(a.token.location, f.token.location);
  EXPECT_EQ(a.token.age_at_first_use_seconds, 30 * 60);  // planted 30 min before first seen
  EXPECT_TRUE(a.token.retired);
  EXPECT_EQ(a.event.error_code, "AccessDenied");
  EXPECT_EQ(a.source.country, "NL");
  EXPECT_EQ(a.source.tor_exit, true);
  EXPECT_EQ(a.incident.profile, "single probe");
  EXPECT_EQ(a.dashboard_url, "https://sc.example.com/incidents/inc_01");
  EXPECT_EQ(a.title, "Use of a revoked key planted at ci:repo-x \"vars\" from 203.0.113.9");
  EXPECT_EQ(AlertSummary(a),
            "Use of a revoked key planted at ci:repo-x \"vars\" from 203.0.113.9: "
            "s3:ListBuckets (4 calls, single probe)");
}

TEST(Alert, AgeAtFirstUseFallsBackToIssueTime) {
  Fixture f;
  f.token.planted_at.reset();
  f.token.first_used_at = kT0;
  Alert a = BuildAlert(f.incident, f.token, f.event, {}, "");
  EXPECT_EQ(a.token.age_at_first_use_seconds, 48 * 3600);
  EXPECT_EQ(a.dashboard_url, "");
}

TEST(Alert, JsonEscapesAndUsesStableNames) {
  Fixture f;
  Alert a = BuildAlert(f.incident, f.token, f.event, {}, "");
  std::string j = AlertToJson(a);
  EXPECT_NE(j.find("\"location\":\"ci:repo-x \\\"vars\\\"\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"notes\":\"line1\\nline2\""), std::string::npos);
  EXPECT_NE(j.find("\"actions\":[\"sts:GetCallerIdentity\",\"s3:ListBuckets\"]"),
            std::string::npos);
  EXPECT_NE(j.find("\"tags\":{\"env\":\"prod\"}"), std::string::npos);
  EXPECT_NE(j.find("\"tor_exit\":null"), std::string::npos);
  EXPECT_NE(j.find("\"first_seen\":\"2026-11-23T17:00:00Z\""), std::string::npos);
  EXPECT_NE(j.find("\"severity\":\"error\""), std::string::npos);
  EXPECT_EQ(j.front(), '{');
  EXPECT_EQ(j.back(), '}');
}

TEST(Alert, JsonQuoteReplacesInvalidUtf8AndControlChars) {
  EXPECT_EQ(JsonQuote("a\x01"
                      "b"),
            "\"a\\u0001b\"");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonQuote("bad\xff"), "\"bad\xef\xbf\xbd\"");
  EXPECT_EQ(JsonQuote("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong '/'
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

TEST(Alert, SummaryIsBoundedAndKeepsUtf8Whole) {
  Fixture f;
  // "Use of a revoked key planted at " is 32 bytes: byte 1021 is inside an e-acute.
  f.token.location = std::string(988, 'y') + "\xc3\xa9\xc3\xa9" + std::string(100, 'x');
  Alert a = BuildAlert(f.incident, f.token, f.event, {}, "");
  std::string s = AlertSummary(a);
  EXPECT_EQ(s.size(), 1023u);
  EXPECT_EQ(s.substr(s.size() - 3), "...");
  EXPECT_EQ(JsonQuote(s).find("\xef\xbf\xbd"), std::string::npos);  // no broken sequence
}

TEST(Alert, TextNamesEveryPartAndTestMarker) {
  Fixture f;
  Alert a = BuildAlert(f.incident, f.token, f.event, AlertEnrichment(), "https://x");
  a.source.tool = "aws-cli";
  a.test = true;
  std::string t = AlertText(a);
  EXPECT_EQ(t.rfind("[TEST] ", 0), 0u);
  for (const char* want :
       {"Location: ci:repo-x", "Owner: alice", "Error code: AccessDenied", "Source IP: 203.0.113.9",
        "Tool: aws-cli", "Request id: REQ1", "Actions: sts:GetCallerIdentity, s3:ListBuckets",
        "Dashboard: https://x/incidents/inc_01"}) {
    EXPECT_NE(t.find(want), std::string::npos) << want << "\n" << t;
  }
}

}  // namespace
}  // namespace spacecrab
