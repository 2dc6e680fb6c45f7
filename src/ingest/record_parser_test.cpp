#include "ingest/record_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

using testing::LogFileJson;
using testing::RecordJson;
using testing::RecordSpec;

PaddedBuffer Buffer(std::string_view s) {
  PaddedBuffer b;
  b.Append(s);
  return b;
}

struct Collected {
  std::vector<std::string> ids, keys, types, raws;
  RecordCounts counts;
};

Status Walk(RecordParser& p, std::string_view json, Collected& c, bool all = true,
            std::vector<size_t> hits = {}) {
  PaddedBuffer b = Buffer(json);
  return p.ForEachRecord(
      b, hits, all,
      [&](const CloudTrailRecord& r, std::string_view raw) {
        c.ids.emplace_back(r.event_id);
        c.keys.emplace_back(r.user_identity.access_key_id);
        c.types.emplace_back(r.user_identity.type);
        c.raws.emplace_back(raw);
        return Status::Ok();
      },
      c.counts);
}

TEST(RecordParser, ReadsDetectionFieldsInAnyOrderWithNullsAndUnknownFields) {
  RecordParser p(IngestLimits{});
  const std::string json = R"({"aws":{"forwarder":"x"},"Records":[
    {"eventID":"e1","aws":{"added":[1,2,{"x":null}]},"userIdentity":{"accessKeyId":"AKIAQAAAAAAAAAAAAAAB","type":"IAMUser","userName":"caf\u00e9"},
     "errorCode":null,"eventName":"ListBuckets","sourceIPAddress":"203.0.113.1","eventTime":"2024-01-01T00:00:00Z"},
    {"userIdentity":null,"eventID":"e2"}],"trailer":true})";
  Collected c;
  ASSERT_TRUE(Walk(p, json, c).ok());
  EXPECT_EQ(c.ids, (std::vector<std::string>{"e1", "e2"}));
  EXPECT_EQ(c.keys[0], "AKIAQAAAAAAAAAAAAAAB");
  EXPECT_EQ(c.types[1], "");
  EXPECT_EQ(c.counts.records, 2u);
  EXPECT_EQ(c.raws[1], R"({"userIdentity":null,"eventID":"e2"})");
}

TEST(RecordParser, ParsesOnlyRecordsContainingAHit) {
  RecordParser p(IngestLimits{});
  RecordSpec a, b;
  a.event_id = "first";
  b.event_id = "second";
  const std::string json = LogFileJson({RecordJson(a), RecordJson(b)});
  const size_t in_second = json.find("second");
  Collected c;
  ASSERT_TRUE(Walk(p, json, c, false, {in_second}).ok());
  EXPECT_EQ(c.ids, std::vector<std::string>{"second"});
  EXPECT_EQ(c.counts.records, 2u);
  EXPECT_EQ(c.counts.parsed, 1u);
}

TEST(RecordParser, TruncatedJsonIsDataLoss) {
  RecordParser p(IngestLimits{});
  const std::string json = LogFileJson({RecordJson({}), RecordJson({})});
  for (size_t cut : {json.size() - 1, json.size() - 2, json.size() / 2, size_t(3)}) {
    Collected c;
    Status s = Walk(p, json.substr(0, cut), c);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << cut << ": " << s.ToString();
  }
}

TEST(RecordParser, NotACloudTrailDocumentIsDataLoss) {
  RecordParser p(IngestLimits{});
  Collected c;
  EXPECT_EQ(Walk(p, R"({"foo":[]})", c).code(), StatusCode::kDataLoss);
  EXPECT_EQ(Walk(p, R"([1,2])", c).code(), StatusCode::kDataLoss);
  EXPECT_EQ(Walk(p, R"({"Records":[1]})", c).code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Walk(p, R"({"Records":[]})", c).ok());
}

TEST(RecordParser, OversizedRecordIsResourceExhausted) {
  IngestLimits limits;
  limits.max_record_bytes = 1000;
  RecordParser p(limits);
  RecordSpec big;
  big.extra = "\"requestParameters\":{\"pad\":\"" + std::string(1200, 'x') + "\"}";
  Collected c;
  Status s = Walk(p, LogFileJson({RecordJson({}), RecordJson(big)}), c);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_EQ(c.ids.size(), 1u);  // the record before it was delivered
}

TEST(RecordParser, DeepNestingIsRejected) {
  IngestLimits limits;
  limits.max_depth = 32;
  RecordParser p(limits);
  std::string deep = std::string(100, '[') + std::string(100, ']');
  RecordSpec r;
  r.extra = "\"requestParameters\":" + deep;
  Collected c;
  Status s = Walk(p, LogFileJson({RecordJson(r)}), c);
  EXPECT_FALSE(s.ok());
}

TEST(RecordParser, MissingCommasBetweenRecordsAreForgiven) {
  RecordParser p(IngestLimits{});
  RecordSpec a, b, c3;
  a.event_id = "a";
  b.event_id = "b";
  c3.event_id = "c";
  const std::string json = "{\"Records\":[" + RecordJson(a) + "," + RecordJson(b) + "\n" + RecordJson(c3) + "]}";
  Collected c;
  ASSERT_TRUE(Walk(p, json, c).ok());
  EXPECT_EQ(c.ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(c.counts.repaired);
  EXPECT_EQ(c.counts.records, 3u);
  // A broken record is still an error.
  Collected d;
  EXPECT_FALSE(Walk(p, "{\"Records\":[" + RecordJson(a) + " {\"eventID\":}]}", d).ok());
}

TEST(RecordParser, PublicCorpusParsesCleanly) {
  const char* dir = std::getenv("SPACECRAB_CORPUS_DIR");
  const std::string base = dir ? dir : SPACECRAB_SOURCE_DIR "/../shared/corpus/stratus";
  for (const char* name : {"aws.credential-access.secretsmanager-retrieve-secrets.json",
                           "aws.defense-evasion.cloudtrail-delete.json",
                           "aws.execution.ec2-user-data.json",
                           "aws.exfiltration.ec2-share-ebs-snapshot.json"}) {
    std::ifstream in(base + "/" + name);
    if (!in) GTEST_SKIP() << "corpus not found at " << base;
    std::stringstream ss;
    ss << in.rdbuf();
    RecordParser p(IngestLimits{});
    Collected c;
    ASSERT_TRUE(Walk(p, ss.str(), c).ok()) << name;
    EXPECT_GT(c.counts.records, 0u) << name;
    for (const auto& id : c.ids) EXPECT_FALSE(id.empty()) << name;
  }
}

}  // namespace
}  // namespace spacecrab::ingest
