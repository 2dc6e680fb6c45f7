#include "enrich/enrichment.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace spacecrab::enrich {
namespace {

using nlohmann::json;

Enrichment Sample() {
  Enrichment e;
  e.ip_version = 4;
  e.country = "US";
  e.asn = 16509;
  e.as_org = "AMAZON-02";
  e.tor_exit = false;
  e.cloud = CloudMatch{"aws", "EC2", "us-west-2", "18.236.0.0/15"};
  e.tool = ClassifyUserAgent("aws-cli/2.4.23 Python/3.8.8 Windows/10 exe/AMD64 prompt/off command/s3.ls");
  return e;
}

TEST(Enrichment, JsonHasEveryKeyWithNullForUnknown) {
  const json j = json::parse(EnrichmentToJson(Enrichment{}));
  for (const char* key : {"ip_version", "country", "asn", "as_org", "network", "tor_exit", "cloud", "aws_internal",
                          "aws_service", "tool"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(j["country"].is_null());
  EXPECT_TRUE(j["asn"].is_null());
  EXPECT_TRUE(j["cloud"].is_null());
  EXPECT_TRUE(j["tool"].is_null());
  EXPECT_EQ(j["tor_exit"], false);
}

TEST(Enrichment, JsonCarriesAllFieldsForJq) {
  const json j = json::parse(EnrichmentToJson(Sample()));
  EXPECT_EQ(j["country"], "US");
  EXPECT_EQ(j["asn"], 16509);
  EXPECT_EQ(j["network"], "AS16509 AMAZON-02");
  EXPECT_EQ(j["cloud"]["service"], "EC2");
  EXPECT_EQ(j["cloud"]["prefix"], "18.236.0.0/15");
  EXPECT_EQ(j["tool"]["family"], "aws-cli");
  EXPECT_EQ(j["tool"]["category"], "cli");
  EXPECT_EQ(j["tool"]["version"], "2.4.23");
  EXPECT_EQ(j["tool"]["os"], "windows");
  EXPECT_EQ(j["tool"]["command"], "s3.ls");
  EXPECT_TRUE(j["tool"]["distro"].is_null());
}

TEST(Enrichment, RoundTripsThroughJson) {
  const Enrichment in = Sample();
  auto out = ParseEnrichmentJson(EnrichmentToJson(in));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->ip_version, 4);
  EXPECT_EQ(out->country, "US");
  EXPECT_EQ(out->asn, 16509u);
  EXPECT_EQ(out->as_org, "AMAZON-02");
  ASSERT_TRUE(out->cloud);
  EXPECT_EQ(out->cloud->region, "us-west-2");
  ASSERT_TRUE(out->tool);
  EXPECT_EQ(out->tool->family, "aws-cli");
  EXPECT_EQ(out->tool->category, ToolCategory::kCli);
  EXPECT_EQ(out->tool->command, "s3.ls");
}

TEST(Enrichment, ParsingToleratesOldAndEmptyObjects) {
  auto empty = ParseEnrichmentJson("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->country, "");
  EXPECT_FALSE(empty->tool);
  auto partial = ParseEnrichmentJson(R"({"country":"DK","tor_exit":true,"asn":"not a number"})");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->country, "DK");
  EXPECT_TRUE(partial->tor_exit);
  EXPECT_EQ(partial->asn, 0u);
  EXPECT_FALSE(ParseEnrichmentJson("").ok());
  EXPECT_FALSE(ParseEnrichmentJson("[1]").ok());
  EXPECT_FALSE(ParseEnrichmentJson("{broken").ok());
}

TEST(Enrichment, InvalidUtf8FromAUserAgentDoesNotThrow) {
  Enrichment e;
  e.tool = ClassifyUserAgent(std::string("aws-cli/2.0 command/s3.\xff\xfe", 24));
  std::string text;
  ASSERT_NO_THROW(text = EnrichmentToJson(e));
  EXPECT_NO_THROW({
    const json j = json::parse(text);
    EXPECT_TRUE(j["tool"]["command"].is_string());
  });
}

TEST(Enrichment, NetworkLabelPrefersAsnThenCloud) {
  Enrichment e;
  EXPECT_EQ(e.NetworkLabel(), "");
  e.cloud = CloudMatch{"aws", "EC2", "us-west-2", "18.236.0.0/15"};
  EXPECT_EQ(e.NetworkLabel(), "aws EC2 us-west-2");
  e.asn = 396507;
  EXPECT_EQ(e.NetworkLabel(), "AS396507");
  e.as_org = "EMERALD-ONION";
  EXPECT_EQ(e.NetworkLabel(), "AS396507 EMERALD-ONION");
}

TEST(Enrichment, EventOriginForTheReport) {
  Event event;
  event.enrichment_json = EnrichmentToJson(Sample());
  const EventOrigin o = DecodeEventOrigin(event);
  EXPECT_EQ(o.country, "US");
  EXPECT_EQ(o.network, "AS16509 AMAZON-02");
  EXPECT_TRUE(o.cloud);
  EXPECT_FALSE(o.tor_exit);
  EXPECT_EQ(o.tool, "aws-cli/2.4.23");
  event.enrichment_json = "not json";
  EXPECT_EQ(DecodeEventOrigin(event).country, "");
}

}  // namespace
}  // namespace spacecrab::enrich
