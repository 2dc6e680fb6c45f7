#include "alert/alert_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
  a.source.key_check = "key_id_only";
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

TEST(AlertJson, DecoyKeyCheckReachesTheAlertAndItsText) {
  // What the decoy endpoint stores as an event's enrichment.
  AlertEnrichment e =
      EnrichmentFromJson(R"({"signature_verified":false,"key_check":"key_id_only"})");
  EXPECT_EQ(e.key_check, "key_id_only");
  Alert a = Sample();
  auto back = AlertFromJson(AlertToJson(a));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->source.key_check, "key_id_only");
  EXPECT_NE(AlertText(a).find("Signature: did not verify"), std::string::npos) << AlertText(a);
  a.source.key_check = "verified";
  EXPECT_NE(AlertText(a).find("the caller holds the secret key"), std::string::npos);
  a.source.key_check.clear();  // CloudTrail: no line
  EXPECT_EQ(AlertText(a).find("Signature"), std::string::npos);
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

TEST(AlertJson, ReadsTheEnrichmentStagesObject) {
  auto e = EnrichmentFromJson(
      R"({"ip_version":4,"country":"US","asn":16509,"as_org":"AMAZON-02",)"
      R"("network":"AS16509 AMAZON-02","tor_exit":false,)"
      R"("cloud":{"provider":"aws","service":"EC2","region":"us-west-2","prefix":"18.236.0.0/15"},)"
      R"("aws_internal":false,"aws_service":null,)"
      R"("tool":{"family":"aws-cli","category":"cli","version":"2.4.23","os":"windows"}})");
  EXPECT_EQ(e.country, "US");
  EXPECT_EQ(e.asn, "AS16509");
  EXPECT_EQ(e.as_org, "AMAZON-02");
  EXPECT_EQ(e.tor_exit, false);
  EXPECT_EQ(e.cloud_network, "aws EC2 us-west-2");
  EXPECT_EQ(e.tool, "aws-cli 2.4.23");
  auto nulls =
      EnrichmentFromJson(R"({"country":null,"asn":null,"tor_exit":true,"cloud":null,"tool":null,)"
                         R"("aws_internal":true,"aws_service":"ec2.amazonaws.com"})");
  EXPECT_EQ(nulls.country, "");
  EXPECT_EQ(nulls.asn, "");
  EXPECT_EQ(nulls.tor_exit, true);
  EXPECT_EQ(nulls.cloud_network, "AWS internal (ec2.amazonaws.com)");
  EXPECT_EQ(nulls.tool, "");
  EXPECT_EQ(EnrichmentFromJson("not json").country, "");
  EXPECT_FALSE(EnrichmentFromJson("{}").tor_exit.has_value());
}

}  // namespace
}  // namespace spacecrab::alert
