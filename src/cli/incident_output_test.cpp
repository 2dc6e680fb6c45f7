#include "cli/incident_output.h"

#include <gtest/gtest.h>

namespace spacecrab::cli {
namespace {

using json = nlohmann::json;

TEST(TerminalSafe, ReplacesControlCharactersAndCutsLongText) {
  EXPECT_EQ(TerminalSafe("aws-cli/2.15.0 Python/3.11"), "aws-cli/2.15.0 Python/3.11");
  EXPECT_EQ(TerminalSafe("evil\x1b[2J\r\nbell\x07\x7f"), "evil?[2J??bell??");
  EXPECT_EQ(TerminalSafe("c1 \xc2\x9b"
                         "31m"),
            "c1 ?31m");                                   // 8-bit CSI
  EXPECT_EQ(TerminalSafe("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 kept
  EXPECT_EQ(TerminalSafe("abcdefghij", 8), "abcde...");
  EXPECT_EQ(TerminalSafe("ab\xc3\xa9\xc3\xa9xyz", 6), "ab...");  // no half characters
  EXPECT_EQ(TerminalSafe("ab\xc3\xa9\xc3\xa9xyz", 7), "ab\xc3\xa9...");
}

TEST(IncidentOutput, RowsFollowTheHeaders) {
  json incidents = json::parse(R"([{"id":"inc_1","status":"open","severity":"critical",
      "profile":"enumeration","token_id":"tok_1","source_ip":"203.0.113.9","event_count":3,
      "first_seen":"2026-03-01T10:00:00Z","last_seen":"2026-03-01T10:00:05Z",
      "actions":["sts:GetCallerIdentity","iam:ListUsers"]}])");
  auto rows = IncidentRows(incidents);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), IncidentHeader().size());
  EXPECT_EQ(rows[0][0], "inc_1");
  EXPECT_EQ(rows[0][6], "3");
  EXPECT_EQ(rows[0][9], "sts:GetCallerIdentity,iam:ListUsers");

  json events = json::parse(R"([{"id":"e1","event_time":"2026-03-01T10:00:00Z",
      "event_source":"iam.amazonaws.com","event_name":"ListUsers","aws_region":"us-east-1",
      "source_ip":"203.0.113.9","error_code":null,"token_id":"tok_1",
      "user_agent":"x\u001b]0;pwned\u0007","incident_id":"inc_1"}])");
  auto erows = EventRows(events);
  ASSERT_EQ(erows[0].size(), EventHeader().size());
  EXPECT_EQ(erows[0][1], "iam:ListUsers");
  EXPECT_EQ(erows[0][4], "-");
  EXPECT_EQ(erows[0][6], "x?]0;pwned?");

  json outbox = json::parse(R"([{"id":7,"incident_id":"inc_1","sink":"pd","kind":"trigger",
      "state":"dead","attempts":5,"created_at":"t","next_attempt_at":"t2","last_error":"HTTP 400",
      "sent_at":null}])");
  auto orows = OutboxRows(outbox);
  ASSERT_EQ(orows[0].size(), OutboxHeader().size());
  EXPECT_EQ(orows[0][0], "7");
  EXPECT_EQ(orows[0][7], "-");  // no next attempt for a dead row
  EXPECT_EQ(orows[0][9], "HTTP 400");

  auto checks = SinkCheckRows(json::parse(
      R"([{"sink":"pd","type":"pagerduty","ok":false,"error":"HTTP 400","elapsed_ms":12},
          {"sink":"log","type":"jsonl","ok":true,"error":null,"elapsed_ms":0}])"));
  EXPECT_EQ(checks[0], (std::vector<std::string>{"pd", "pagerduty", "FAILED", "12", "HTTP 400"}));
  EXPECT_EQ(checks[1][2], "ok");
}

}  // namespace
}  // namespace spacecrab::cli
