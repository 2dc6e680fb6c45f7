#include "alert/alert_json.h"

#include <gtest/gtest.h>

namespace spacecrab::alert {
namespace {

Alert Sample() {
  Alert a;
  a.title = "First use of a key planted at laptop from 203.0.113.9";
  a.token.id = "tok_1";
  a.token.kind = "aws";
  a.token.status = "active";
  a.token.location = "laptop";
  a.token.tags = {{"team", "sec"}};
  a.token.created_at = *ParseRfc3339("2026-01-01T00:00:00Z");
  a.token.age_at_first_use_seconds = 42;
  a.event.id = "ev1";
  a.event.time = *ParseRfc3339("2026-01-02T00:00:00.250Z");
  a.event.event_source = "sts.amazonaws.com";
  a.event.event_name = "GetCallerIdentity";
  a.source.ip = "203.0.113.9";
  a.source.tor_exit = false;
  a.source.user_agent = "ua \"quoted\"\n";
  a.incident.id = "inc_1";
  a.incident.event_count = 3;
  a.incident.actions = {"sts:GetCallerIdentity"};
  a.incident.severity = "critical";
  a.incident.profile = "single probe";
  a.dashboard_url = "https://x/incidents/inc_1";
  return a;
}

TEST(AlertJson, RoundTripsEveryField) {
  Alert a = Sample();
  auto back = AlertFromJson(AlertToJson(a));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(AlertToJson(*back), AlertToJson(a));
  EXPECT_EQ(back->source.user_agent, a.source.user_agent);
  EXPECT_EQ(back->source.tor_exit, false);
  EXPECT_EQ(back->token.age_at_first_use_seconds, 42);
  EXPECT_EQ(back->event.time, a.event.time);
  EXPECT_EQ(back->token.tags.at("team"), "sec");
}

TEST(AlertJson, RejectsNonObjects) {
  EXPECT_EQ(AlertFromJson("[1]").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(AlertFromJson("{truncated").status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(AlertFromJson("{}").ok());
}

TEST(AlertJson, MessageEnvelopeCarriesKindAndDedupKey) {
  AlertMessage m{AlertKind::kUpdate, Sample(), "inc_1", 7, 2};
  auto j = nlohmann::json::parse(MessageToJson(m));
  EXPECT_EQ(j["kind"], "update");
  EXPECT_EQ(j["dedup_key"], "inc_1");
  EXPECT_EQ(j["outbox_id"], 7);
  EXPECT_EQ(j["attempt"], 2);
  EXPECT_EQ(j["alert"]["incident"]["id"], "inc_1");
}

TEST(AlertJson, ReadsFlatAndNestedEnrichment) {
  auto flat = EnrichmentFromJson(
      R"({"country":"NL","asn":1101,"tor_exit":true,"cloud_network":"AMAZON eu-west-1","tool":"boto3"})");
  EXPECT_EQ(flat.country, "NL");
  EXPECT_EQ(flat.asn, "AS1101");
  EXPECT_EQ(flat.tor_exit, true);
  EXPECT_EQ(flat.cloud_network, "AMAZON eu-west-1");
  EXPECT_EQ(flat.tool, "boto3");
  auto nested = EnrichmentFromJson(
      R"({"geo":{"country":"DE","asn":"AS3320","as_org":"DTAG"},"tor":{"exit":false},"user_agent":{"tool":"aws-cli"}})");
  EXPECT_EQ(nested.country, "DE");
  EXPECT_EQ(nested.asn, "AS3320");
  EXPECT_EQ(nested.as_org, "DTAG");
  EXPECT_EQ(nested.tor_exit, false);
  EXPECT_EQ(nested.tool, "aws-cli");
  EXPECT_EQ(EnrichmentFromJson("not json").country, "");
}

}  // namespace
}  // namespace spacecrab::alert
