#include "ingest/push_handlers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

using namespace testing;
using Json = nlohmann::json;

constexpr char kAcct[] = "111122223333";
constexpr char kKey[] = "AKIAQAAAAAAAAAAAAAAB";
constexpr char kGoodSecret[] = "sk_test_secret";

class FixedAuth final : public PushAuthenticator {
 public:
  Status Authenticate(std::string_view secret) override {
    return secret == kGoodSecret ? Status::Ok() : Unauthenticated("unknown API key");
  }
};

std::string Base64(std::string_view in) {
  static constexpr char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

struct Fixture {
  std::vector<HoneyToken> tokens{Token("tok_01", kKey, kAcct, "svc-backup")};
  std::unique_ptr<Store> store = MemoryStoreWith(tokens);
  KeyMatcher matcher;
  ManualClock clock{FromUnixMillis(1'714'000'000'000)};
  IngestMetrics metrics;
  LoggingDetectionSink sink;
  FixedAuth auth;
  Recorder recorder{RecorderOptions{store.get(), &sink, &metrics}};
  PushHandlers handlers{PushHandlersOptions{&matcher, &clock, &recorder, &metrics, &auth, {}, 1 << 20}};
  Fixture() { matcher.Reset(IndexedKeys(tokens)); }
};

std::string Use(std::string id) {
  RecordSpec s;
  s.event_id = std::move(id);
  s.access_key_id = kKey;
  return RecordJson(s);
}
std::string NotAUse(std::string id) {
  RecordSpec s;
  s.event_id = std::move(id);
  s.access_key_id = "AKIAQZZZZZZZZZZZZZZZ";
  s.user_name = "admin";  // an administrator minting our key names it, but is not its user
  s.event_name = "CreateAccessKey";
  s.extra = std::string(R"("responseElements":{"accessKey":{"accessKeyId":")") + kKey + R"("}})";
  return RecordJson(s);
}

PushRequest Req(std::string_view body, std::map<std::string, std::string> headers = {{"authorization", std::string("Bearer ") + kGoodSecret}}) {
  return PushRequest{body, std::move(headers)};
}

TEST(PushHandlers, EventBridgeEnvelopeUseIsRecordedOnce) {
  Fixture f;
  const std::string body = R"({"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.sts","detail":)" + Use("eb-1") + "}";
  PushResponse r = f.handlers.EventBridge(Req(body));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["new_detections"], 1);
  r = f.handlers.EventBridge(Req(body));
  EXPECT_EQ(Json::parse(r.body)["new_detections"], 0);
  const std::string other = R"({"detail-type":"AWS API Call via CloudTrail","detail":)" + NotAUse("eb-2") + "}";
  r = f.handlers.EventBridge(Req(other));
  EXPECT_EQ(Json::parse(r.body)["detections"], 0);
}

TEST(PushHandlers, RejectsMissingOrWrongKeyAndMalformedBodies) {
  Fixture f;
  const std::string body = R"({"detail":)" + Use("eb-1") + "}";
  EXPECT_EQ(f.handlers.EventBridge(Req(body, {})).status, 401);
  EXPECT_EQ(f.handlers.EventBridge(Req(body, {{"authorization", "Bearer nope"}})).status, 401);
  PushResponse r = f.handlers.EventBridge(Req(R"({"detail":{"eventID":)"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(f.handlers.CloudTrail(Req(R"({"Records":[)")).status, 400);
  EXPECT_EQ(f.handlers.CloudTrail(Req(std::string_view("\x1f\x8b\x08\x00junk", 8))).status, 400);
  EXPECT_GE(f.metrics.QuarantinedTotal(), 3u);
  EXPECT_TRUE(f.store->ListEvents(EventFilter{})->items.empty());
}

TEST(PushHandlers, CloudTrailDocumentPlainOrGzip) {
  Fixture f;
  const std::string doc = LogFileJson({Use("ct-1"), NotAUse("ct-2"), Use("ct-3")});
  PushResponse r = f.handlers.CloudTrail(Req(GzipBytes(doc)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["new_detections"], 2);
  r = f.handlers.CloudTrail(Req(doc));
  EXPECT_EQ(Json::parse(r.body)["new_detections"], 0);
  EXPECT_EQ(Json::parse(r.body)["detections"], 2);
}

std::string CwlPayload(const std::vector<std::string>& records, std::string type = "DATA_MESSAGE") {
  Json events = Json::array();
  for (size_t i = 0; i < records.size(); ++i) events.push_back({{"id", std::to_string(i)}, {"timestamp", 1}, {"message", records[i]}});
  Json p = {{"messageType", type}, {"owner", kAcct}, {"logGroup", "trail"}, {"logStream", "s"},
            {"subscriptionFilters", {"f"}}, {"logEvents", events}};
  return GzipBytes(p.dump());
}

TEST(PushHandlers, CloudWatchSubscriptionPayload) {
  Fixture f;
  Json body = {{"awslogs", {{"data", Base64(CwlPayload({Use("cw-1"), NotAUse("cw-2")}))}}}};
  PushResponse r = f.handlers.CloudWatch(Req(body.dump()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["new_detections"], 1);
}

TEST(PushHandlers, FirehoseDeliveryIsAnsweredAsFirehoseExpects) {
  Fixture f;
  Json body = {{"requestId", "req-123"}, {"timestamp", 1714000000000},
               {"records", {{{"data", Base64(CwlPayload({Use("fh-1")}))}},
                            {{"data", Base64(CwlPayload({}, "CONTROL_MESSAGE"))}},
                            {{"data", Base64(Use("fh-2"))}}}}};
  PushResponse r = f.handlers.CloudWatch(
      Req(body.dump(), {{"x-amz-firehose-access-key", kGoodSecret}, {"x-amz-firehose-request-id", "req-123"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["requestId"], "req-123");
  EXPECT_EQ(j["timestamp"], 1714000000000);
  EXPECT_FALSE(j.contains("errorMessage"));
  EXPECT_TRUE(f.store->GetEvent("fh-1").ok());
  EXPECT_TRUE(f.store->GetEvent("fh-2").ok());
  // Wrong access key: Firehose-shaped error.
  r = f.handlers.CloudWatch(Req(body.dump(), {{"x-amz-firehose-access-key", "bad"}, {"x-amz-firehose-request-id", "req-124"}}));
  EXPECT_EQ(r.status, 401);
  j = Json::parse(r.body);
  EXPECT_EQ(j["requestId"], "req-124");
  EXPECT_TRUE(j.contains("errorMessage"));
}

TEST(PushHandlers, DecodeBase64) {
  EXPECT_EQ(DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8"), "hello");
  EXPECT_FALSE(DecodeBase64("a*b"));
}

}  // namespace
}  // namespace spacecrab::ingest
