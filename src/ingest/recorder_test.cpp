#include "ingest/recorder.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "alert/alert_json.h"
#include "config/config.h"
#include "enrich/enricher.h"
#include "ingest/pipeline.h"
#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

using namespace testing;
using Json = nlohmann::json;

constexpr char kAcct[] = "111122223333";
constexpr char kKey[] = "AKIAQAAAAAAAAAAAAAAB";
constexpr char kTorExit[] = "23.129.64.132";  // in tests/data/enrich/tor-exit-addresses.txt
constexpr char kEc2Ip[] = "18.236.73.93";     // in the ip-ranges sample: EC2 us-west-2
constexpr char kAwsCli[] =
    "aws-cli/2.4.23 Python/3.8.8 Windows/10 exe/AMD64 prompt/off command/iam.list-users";

std::string EnrichData(const std::string& name) {
  return std::string(SPACECRAB_SOURCE_DIR) + "/tests/data/enrich/" + name;
}

// The real Debian Tor GeoIP files, the project's exit list and ip-ranges samples.
std::unique_ptr<enrich::Enricher> TestEnricher() {
  EnrichConfig c;
  c.tor_exit_list = EnrichData("tor-exit-addresses.txt");
  c.cloud_ranges = EnrichData("aws-ip-ranges-sample.json");
  auto e = enrich::Enricher::Create(enrich::EnricherOptionsFromConfig(c));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(e).value() : nullptr;
}

class CapturingSink final : public DetectionSink {
 public:
  Status OnDetections(std::span<const Detection> detections) override {
    std::lock_guard lock(mu_);
    seen.insert(seen.end(), detections.begin(), detections.end());
    return Status::Ok();
  }
  std::vector<Detection> seen;

 private:
  std::mutex mu_;
};

Detection Use(std::string id, std::string ip, std::string ua, std::string enrichment = "{}") {
  Detection d;
  d.event.id = std::move(id);
  d.event.token_id = "tok_01";
  d.event.access_key_id = kKey;
  d.event.event_time = FromUnixMillis(1'714'000'000'000);
  d.event.event_source = "iam.amazonaws.com";
  d.event.event_name = "ListUsers";
  d.event.source_ip = std::move(ip);
  d.event.user_agent = std::move(ua);
  d.event.origin = "decoy";
  d.event.enrichment_json = std::move(enrichment);
  return d;
}

struct Fixture {
  std::vector<HoneyToken> tokens{Token("tok_01", kKey, kAcct, "svc-backup")};
  std::unique_ptr<Store> store = MemoryStoreWith(tokens);
  IngestMetrics metrics;
  CapturingSink sink;
  std::unique_ptr<enrich::Enricher> enricher = TestEnricher();

  Json Stored(const std::string& id) {
    auto e = store->GetEvent(id);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? Json::parse(e->enrichment_json) : Json();
  }
};

TEST(Recorder, EnrichesBeforeStoringAndTheSinkSeesTheSame) {
  Fixture f;
  ASSERT_NE(f.enricher, nullptr);
  Recorder recorder(RecorderOptions{f.store.get(), &f.sink, &f.metrics, f.enricher.get()});
  // The decoy endpoint's own keys must survive enrichment.
  auto fresh = recorder.Record(
      {Use("evt-tor", kTorExit, kAwsCli, R"({"signature_verified":true,"key_check":"verified"})"),
       Use("evt-ec2", kEc2Ip, "python-requests/2.27.1")});
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(*fresh, 2u);

  const Json tor = f.Stored("evt-tor");
  EXPECT_EQ(tor["signature_verified"], true);
  EXPECT_EQ(tor["key_check"], "verified");
  EXPECT_EQ(tor["ip_version"], 4);
  EXPECT_EQ(tor["country"], "US");  // from the real /usr/share/tor/geoip
  EXPECT_EQ(tor["tor_exit"], true);
  EXPECT_TRUE(tor["cloud"].is_null());
  EXPECT_EQ(tor["tool"]["family"], "aws-cli");
  EXPECT_EQ(tor["tool"]["version"], "2.4.23");
  EXPECT_EQ(tor["tool"]["command"], "iam.list-users");

  const Json ec2 = f.Stored("evt-ec2");
  EXPECT_EQ(ec2["country"], "US");
  EXPECT_EQ(ec2["tor_exit"], false);
  EXPECT_EQ(ec2["cloud"]["provider"], "aws");
  EXPECT_EQ(ec2["cloud"]["service"], "EC2");
  EXPECT_EQ(ec2["cloud"]["region"], "us-west-2");
  EXPECT_EQ(ec2["tool"]["family"], "python-requests");

  // What the alert stage reads from the detection it is handed.
  ASSERT_EQ(f.sink.seen.size(), 2u);
  EXPECT_EQ(f.sink.seen[0].event.enrichment_json, f.store->GetEvent("evt-tor")->enrichment_json);
  const auto alert_view = alert::EnrichmentFromJson(f.sink.seen[0].event.enrichment_json);
  EXPECT_EQ(alert_view.country, "US");
  EXPECT_EQ(alert_view.tor_exit, std::optional<bool>(true));
  EXPECT_EQ(alert_view.tool, "aws-cli 2.4.23");
  EXPECT_EQ(alert::EnrichmentFromJson(f.sink.seen[1].event.enrichment_json).cloud_network,
            "aws EC2 us-west-2");
}

TEST(Recorder, Ipv6AndAwsInternalSources) {
  Fixture f;
  ASSERT_NE(f.enricher, nullptr);
  Recorder recorder(RecorderOptions{f.store.get(), &f.sink, &f.metrics, f.enricher.get()});
  ASSERT_TRUE(recorder
                  .Record({Use("evt-v6", "2001:67c:e60:c0c:192:42:116:16", kAwsCli),
                           Use("evt-svc", "ec2.amazonaws.com", "ec2.amazonaws.com")})
                  .ok());
  const Json v6 = f.Stored("evt-v6");
  EXPECT_EQ(v6["ip_version"], 6);
  EXPECT_EQ(v6["tor_exit"], true);
  EXPECT_EQ(v6["country"], "NL");  // from the real /usr/share/tor/geoip6
  const Json svc = f.Stored("evt-svc");
  EXPECT_TRUE(svc["ip_version"].is_null());  // not an address
  EXPECT_EQ(svc["aws_internal"], true);
  EXPECT_EQ(svc["aws_service"], "ec2.amazonaws.com");
}

TEST(Recorder, WithoutAnEnricherStoresEnrichmentAsGiven) {
  Fixture f;
  Recorder recorder(RecorderOptions{f.store.get(), &f.sink, &f.metrics});
  ASSERT_TRUE(
      recorder.Record({Use("evt-1", kTorExit, kAwsCli, R"({"key_check":"verified"})")}).ok());
  EXPECT_EQ(f.Stored("evt-1"), Json::parse(R"({"key_check":"verified"})"));
  ASSERT_EQ(f.sink.seen.size(), 1u);
  EXPECT_EQ(f.sink.seen[0].event.enrichment_json, R"({"key_check":"verified"})");
}

TEST(Recorder, DuplicatesAreEnrichedButNotHandedOnTwice) {
  Fixture f;
  Recorder recorder(RecorderOptions{f.store.get(), &f.sink, &f.metrics, f.enricher.get()});
  ASSERT_EQ(*recorder.Record({Use("evt-1", kTorExit, kAwsCli)}), 1u);
  ASSERT_EQ(*recorder.Record({Use("evt-1", kTorExit, kAwsCli), Use("evt-2", kEc2Ip, kAwsCli)}), 1u);
  ASSERT_EQ(f.sink.seen.size(), 2u);
  EXPECT_EQ(f.sink.seen[1].event.id, "evt-2");
  EXPECT_EQ(Json::parse(f.sink.seen[1].event.enrichment_json)["cloud"]["region"], "us-west-2");
}

// A CloudTrail file through the whole pipeline (detect -> enrich -> store).
TEST(Recorder, PipelineStoresEnrichedCloudTrailUses) {
  Fixture f;
  Recorder recorder(RecorderOptions{f.store.get(), &f.sink, &f.metrics, f.enricher.get()});
  KeyMatcher matcher;
  matcher.Reset(IndexedKeys(f.tokens));
  ManualClock clock{FromUnixMillis(1'714'000'000'000)};
  LogOnlyQuarantine quarantine;
  DetectorOptions d;
  d.matcher = &matcher;
  d.clock = &clock;
  IngestPipeline pipeline(PipelineOptions{d, &recorder, &quarantine, &f.metrics});

  RecordSpec use;
  use.event_id = "ct-1";
  use.access_key_id = kKey;
  std::string record = RecordJson(use);
  const std::string from = "\"sourceIPAddress\":\"203.0.113.9\"";
  record.replace(record.find(from), from.size(),
                 std::string("\"sourceIPAddress\":\"") + kTorExit + "\"");
  const std::string file = GzipBytes(LogFileJson({record}));
  MemoryReader in(file);
  auto result = pipeline.ProcessLogFile(in, InputRef{"file", "trail.json.gz", "file", {}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->new_detections, 1u);
  const Json e = f.Stored("ct-1");
  EXPECT_EQ(e["tor_exit"], true);
  EXPECT_EQ(e["country"], "US");
  EXPECT_EQ(e["tool"]["family"], "aws-cli");
  EXPECT_EQ(e["tool"]["version"], "2.15.0");
}

}  // namespace
}  // namespace spacecrab::ingest
