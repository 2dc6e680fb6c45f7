#include "ingest/delivery_ledger.h"

#include <gtest/gtest.h>

#include "ingest/s3_client.h"
#include "ingest/s3_source.h"

namespace spacecrab::ingest {
namespace {

constexpr int64_t kMin = 60'000;

TEST(DeliveryLedger, FloorTrailsTheNewestTimeByTheLateness) {
  DeliveryLedger l(60 * kMin);
  for (int i = 0; i < 100; ++i) l.MarkDone(i * 5 * kMin, "k" + std::to_string(1000 + i));
  // Newest is 495 min; everything older than 435 min is folded into the floor.
  EXPECT_LT(l.floor_time(), 435 * kMin);
  EXPECT_GE(l.floor_time(), 430 * kMin);
  EXPECT_LE(l.pending_size(), 13u);
  EXPECT_TRUE(l.IsDone(10 * kMin, "k1002"));
  // A late file named for 450 min (after the floor) is not done yet.
  EXPECT_FALSE(l.IsDone(450 * kMin, "k1090-late"));
}

TEST(DeliveryLedger, SurvivesSerialisation) {
  DeliveryLedger l(10 * kMin);
  l.MarkDone(100 * kMin, "a");
  l.MarkDone(200 * kMin, "b");
  auto back = DeliveryLedger::Parse(l.Serialize(), 10 * kMin);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->IsDone(100 * kMin, "a"));
  EXPECT_TRUE(back->IsDone(200 * kMin, "b"));
  EXPECT_FALSE(back->IsDone(195 * kMin, "c"));
  EXPECT_EQ(back->floor_name(), "a");
  EXPECT_FALSE(DeliveryLedger::Parse("{nope", kMin).ok());
}

TEST(DeliveryLedger, DeliveryTimeFromCloudTrailNames) {
  auto t = DeliveryTimeFromName("111122223333_CloudTrail_us-east-1_20240501T1205Z_abcDEF123.json.gz");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1714565100000);  // 2024-05-01T12:05:00Z
  EXPECT_FALSE(DeliveryTimeFromName("random.json.gz").has_value());
  EXPECT_FALSE(DeliveryTimeFromName("a_20241301T1205Z_b").has_value());  // month 13
}

TEST(S3Client, CanonicalQueryIsSortedAndEncoded) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "AWSLogs/1/CloudTrail/"}, {"list-type", "2"}, {"start-after", "a b+c=d&e:f"}}),
            "list-type=2&prefix=AWSLogs/1/CloudTrail/&start-after=a%20b%2Bc%3Dd%26e:f");
  EXPECT_EQ(UriEncode("a/b c~", true), "a/b%20c~");
}

TEST(S3Client, ParsesListObjectsV2Pages) {
  const char* xml = R"(<?xml version="1.0"?><ListBucketResult><IsTruncated>true</IsTruncated>
    <Contents><Key>AWSLogs/a&amp;b.json.gz</Key><Size>42</Size></Contents>
    <CommonPrefixes><Prefix>AWSLogs/111/</Prefix></CommonPrefixes>
    <NextContinuationToken>tok+/=</NextContinuationToken></ListBucketResult>)";
  auto page = ParseListObjectsV2(xml);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "AWSLogs/a&b.json.gz");
  EXPECT_EQ(page->objects[0].size, 42u);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"AWSLogs/111/"});
  EXPECT_EQ(page->next_continuation_token, "tok+/=");
  EXPECT_FALSE(ParseListObjectsV2("<Error>denied</Error>").ok());
}

TEST(S3Client, CredentialsFromEnvThenSharedFile) {
  auto env = LoadAwsCredentials("", {{"AWS_ACCESS_KEY_ID", "AKIAX"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->access_key_id, "AKIAX");
  auto none = LoadAwsCredentials("", {{"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}});
  EXPECT_EQ(none.status().code(), StatusCode::kUnauthenticated);
}

TEST(S3Source, ParsesUrls) {
  auto u = ParseS3Url("s3://bucket/AWSLogs/o-abc/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->bucket, "bucket");
  EXPECT_EQ(u->prefix, "AWSLogs/o-abc/");
  EXPECT_FALSE(ParseS3Url("http://x").ok());
}

}  // namespace
}  // namespace spacecrab::ingest
