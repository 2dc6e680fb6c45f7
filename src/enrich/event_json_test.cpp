#include "enrich/event_json.h"

#include <gtest/gtest.h>

namespace spacecrab::enrich {
namespace {

using nlohmann::json;

Event SampleEvent() {
  Event e;
  e.id = "3a1b2c3d-0000-4000-8000-000000000001";
  e.token_id = "tok_01HEXAMPLE";
  e.access_key_id = "AKIAYVP4CIPPOWONZTGT";
  e.event_time = *ParseRfc3339("2022-03-11T08:04:00Z");
  e.event_source = "ec2.amazonaws.com";
  e.event_name = "DescribeAccountAttributes";
  e.aws_region = "us-east-1";
  e.source_ip = "23.129.64.132";
  e.user_agent = "ElasticWolf/5.1.6";
  e.origin = "s3";
  e.received_at = *ParseRfc3339("2022-03-11T08:09:00Z");
  Enrichment en;
  en.ip_version = 4;
  en.country = "US";
  en.tor_exit = true;
  en.tool = ClassifyUserAgent(e.user_agent);
  e.enrichment_json = EnrichmentToJson(en);
  e.raw_json = R"({"eventVersion":"1.08","eventName":"DescribeAccountAttributes"})";
  return e;
}

TEST(EventJson, OneLinePerEventWithEnrichmentAsAnObject) {
  const std::string line = EventToJsonLine(SampleEvent());
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const json j = json::parse(line);
  EXPECT_EQ(j["event_time"], "2022-03-11T08:04:00Z");
  EXPECT_EQ(j["event_name"], "DescribeAccountAttributes");
  EXPECT_TRUE(j["error_code"].is_null());
  EXPECT_TRUE(j["incident_id"].is_null());
  // What the write-up did with jq: select(.enrichment.tor_exit == true) | .user_agent
  EXPECT_EQ(j["enrichment"]["tor_exit"], true);
  EXPECT_EQ(j["enrichment"]["country"], "US");
  EXPECT_EQ(j["enrichment"]["tool"]["family"], "elasticwolf");
  EXPECT_FALSE(j.contains("raw"));
  const json with_raw = EventToJsonValue(SampleEvent(), {.include_raw = true});
  EXPECT_EQ(with_raw["raw"]["eventVersion"], "1.08");
}

TEST(EventJson, BrokenStoredJsonStillExports) {
  Event e = SampleEvent();
  e.enrichment_json = "{not json";
  e.raw_json = "truncated";
  e.user_agent = std::string("curl/8\xff", 7);
  const json j = json::parse(EventToJsonLine(e, {.include_raw = true}));
  EXPECT_TRUE(j["enrichment"].is_object());
  EXPECT_TRUE(j["enrichment"].empty());
  EXPECT_TRUE(j["raw"].is_null());
  EXPECT_TRUE(j["user_agent"].is_string());
}

TEST(EventJson, MergeKeepsOtherKeysAndOverwritesEnrichment) {
  Enrichment en;
  en.country = "NL";
  const json merged =
      json::parse(MergeEnrichmentJson(R"({"signature_verified":true,"key_check":"verified","country":"XX"})", en));
  EXPECT_EQ(merged["signature_verified"], true);
  EXPECT_EQ(merged["key_check"], "verified");
  EXPECT_EQ(merged["country"], "NL");
  EXPECT_TRUE(merged.contains("tool"));
  EXPECT_EQ(json::parse(MergeEnrichmentJson("", en))["country"], "NL");
  EXPECT_EQ(json::parse(MergeEnrichmentJson("[1]", en))["country"], "NL");
}

}  // namespace
}  // namespace spacecrab::enrich
