// The bridge into the detection pipeline: decoy records become stored events
// (token counters bumped, duplicates collapsed) and reach the DetectionSink.
#include "decoy/recorder_record_sink.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "decoy/decoy_responder.h"
#include "decoy/test_requests.h"
#include "store/store_factory.h"

namespace spacecrab::decoy {
namespace {

class KeepingDetectionSink final : public ingest::DetectionSink {
 public:
  Status OnDetections(std::span<const ingest::Detection> detections) override {
    std::lock_guard lock(mu_);
    for (const auto& d : detections) seen.push_back(d);
    return Status::Ok();
  }
  std::mutex mu_;
  std::vector<ingest::Detection> seen;
};

TEST(RecorderRecordSink, DecoyRequestsBecomeStoredDetections) {
  auto store = OpenStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const DecoyKey key = testing::MakeKey(1);
  HoneyToken token;
  token.id = MakeId("tok", testing::TestTime(), std::vector<uint8_t>(kIdEntropyBytes, 1));
  token.access_key_id = key.access_key_id;
  token.account_id = key.account_id;
  token.user_name = key.user_name;
  token.arn = key.arn;
  token.created_at = token.issued_at = testing::TestTime();
  ASSERT_TRUE((*store)->InsertTokens({&token, 1}).ok());

  KeepingDetectionSink detections;
  ingest::IngestMetrics metrics;
  ingest::Recorder recorder({store->get(), &detections, &metrics});
  RecorderRecordSink bridge(recorder);

  DecoyKey lookup_key = key;
  lookup_key.token_id = token.id;
  InMemoryKeyLookup keys;
  keys.Add(lookup_key);
  DecoyResponderOptions o;
  o.keys = &keys;
  o.records = &bridge;
  o.record_unknown_keys = true;
  DecoyResponder responder(o);

  responder.Handle(testing::SignedQuery(key, testing::kSecret, "sts",
                                        "Action=GetCallerIdentity&Version=2011-06-15"));
  responder.Handle(
      testing::SignedQuery(key, "wrong", "iam", "Action=ListUsers&Version=2010-05-08"));
  responder.Handle(testing::SignedQuery(testing::MakeKey(9), testing::kSecret, "sts",
                                        "Action=GetCallerIdentity&Version=2011-06-15"));

  EXPECT_EQ(bridge.recorded(), 2u) << "the unknown key is not a detection";
  EXPECT_EQ(bridge.failures(), 0u);
  ASSERT_EQ(detections.seen.size(), 2u);
  EXPECT_EQ(detections.seen[0].event.origin, "decoy");
  EXPECT_EQ(detections.seen[0].event.event_name, "GetCallerIdentity");
  EXPECT_EQ(nlohmann::json::parse(detections.seen[0].event.enrichment_json)["key_check"],
            "verified");
  EXPECT_EQ(nlohmann::json::parse(detections.seen[1].event.enrichment_json)["key_check"],
            "key_id_only");
  const auto stored = (*store)->GetToken(token.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event_count, 2);
  EXPECT_TRUE(stored->first_used_at.has_value());
  auto event = (*store)->GetEvent(detections.seen[1].event.id);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->error_code, "SignatureDoesNotMatch");
}

}  // namespace
}  // namespace spacecrab::decoy
