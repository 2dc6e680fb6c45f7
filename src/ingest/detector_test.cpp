#include "ingest/detector.h"

#include <gtest/gtest.h>

#include "ingest/pipeline.h"
#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

using namespace testing;

constexpr char kAcct[] = "111122223333";
constexpr char kKey[] = "AKIAQAAAAAAAAAAAAAAB";
constexpr char kRetiredKey[] = "AKIAQAAAAAAAAAAAAAAC";

std::vector<HoneyToken> Tokens() {
  return {Token("tok_01", kKey, kAcct, "svc-backup"),
          Token("tok_02", kRetiredKey, kAcct, "jenkins-deploy", TokenStatus::kDeleted)};
}

// A trail with known ground truth: 3 uses among look-alikes.
std::string GroundTruthTrail() {
  std::vector<std::string> r;
  RecordSpec use;
  use.event_id = "use-1";
  use.access_key_id = kKey;
  r.push_back(RecordJson(use));
  RecordSpec retired;
  retired.event_id = "use-2";
  retired.access_key_id = kRetiredKey;
  retired.user_name = "jenkins-deploy";
  r.push_back(RecordJson(retired));
  RecordSpec console;  // IAMUser without a key in the token's account: a use by name
  console.event_id = "use-3";
  console.event_name = "ConsoleLogin";
  r.push_back(RecordJson(console));
  RecordSpec create;  // our own CreateAccessKey: the key only in responseElements
  create.event_id = "not-1";
  create.user_name = "admin";
  create.access_key_id = "AKIAQZZZZZZZZZZZZZZZ";
  create.event_name = "CreateAccessKey";
  create.extra = std::string(R"("responseElements":{"accessKey":{"accessKeyId":")") + kKey +
                 R"(","userName":"svc-backup","status":"Active"}})";
  r.push_back(RecordJson(create));
  RecordSpec other_account;  // same user name, other account, no key
  other_account.event_id = "not-2";
  other_account.account_id = "444455556666";
  r.push_back(RecordJson(other_account));
  RecordSpec other_account_key;  // same user name, other account, its own key
  other_account_key.event_id = "not-3";
  other_account_key.account_id = "444455556666";
  other_account_key.access_key_id = "AKIAQYYYYYYYYYYYYYYY";
  r.push_back(RecordJson(other_account_key));
  RecordSpec service;  // AWS service acting in the account
  service.event_id = "not-4";
  service.type = "AWSService";
  service.user_name = "svc-backup";
  r.push_back(RecordJson(service));
  return LogFileJson(r);
}

struct Fixture {
  std::unique_ptr<Store> store = MemoryStoreWith(Tokens());
  KeyMatcher matcher;
  ManualClock clock{FromUnixMillis(1'714'000'000'000)};
  IngestMetrics metrics;
  LoggingDetectionSink sink;
  LogOnlyQuarantine quarantine;
  Recorder recorder{RecorderOptions{store.get(), &sink, &metrics}};
  Fixture() { matcher.Reset(IndexedKeys(Tokens())); }
  DetectorOptions Options(bool walk_all = true) {
    DetectorOptions o;
    o.matcher = &matcher;
    o.clock = &clock;
    o.walk_every_file = walk_all;
    return o;
  }
  IngestPipeline Pipeline() { return IngestPipeline(PipelineOptions{Options(), &recorder, &quarantine, &metrics}); }
};

std::vector<std::string> Ids(const ScanOutcome& out) {
  std::vector<std::string> ids;
  for (const auto& d : out.detections) ids.push_back(d.event.id);
  return ids;
}

TEST(Detector, FindsEveryUseAndNothingElse) {
  Fixture f;
  const std::string trail = GroundTruthTrail();
  for (bool walk_all : {true, false}) {
    for (bool gz : {false, true}) {
      Detector d(f.Options(walk_all));
      const std::string bytes = gz ? GzipBytes(trail) : trail;
      MemoryReader in(bytes);
      ScanOutcome out = d.ScanLogFile(in, "file");
      ASSERT_TRUE(out.status.ok()) << out.status.ToString();
      EXPECT_EQ(Ids(out), (std::vector<std::string>{"use-1", "use-2", "use-3"}));
      ASSERT_EQ(out.detections.size(), 3u);
      EXPECT_EQ(out.detections[1].token_status, TokenStatus::kDeleted);
      EXPECT_EQ(out.detections[2].basis, MatchBasis::kIamUser);
      EXPECT_EQ(out.detections[2].event.access_key_id, kKey);
      EXPECT_EQ(out.detections[0].event.source_ip, "203.0.113.9");
      EXPECT_EQ(out.detections[0].event.origin, "file");
      EXPECT_EQ(out.bytes_out, trail.size());
      if (walk_all) {
        EXPECT_EQ(out.counts.records, 7u);
      }
    }
  }
}

TEST(Detector, TokenAddedLaterIsFoundWithoutRestart) {
  Fixture f;
  f.matcher.Reset({});
  Detector d(f.Options());
  RecordSpec use;
  use.access_key_id = kKey;
  const std::string trail = LogFileJson({RecordJson(use)});
  MemoryReader in1(trail);
  EXPECT_TRUE(d.ScanLogFile(in1, "file").detections.empty());
  f.matcher.Apply(IndexedKeys(Tokens()));
  MemoryReader in2(trail);
  EXPECT_EQ(d.ScanLogFile(in2, "file").detections.size(), 1u);
}

TEST(Detector, CorruptGzipKeepsUsesFoundBeforeTheFault) {
  Fixture f;
  Detector d(f.Options());
  std::string gz = GzipBytes(GroundTruthTrail());
  gz.resize(gz.size() - 4);  // cut the length trailer
  MemoryReader in(gz);
  ScanOutcome out = d.ScanLogFile(in, "file");
  EXPECT_EQ(out.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(out.bad, BadInput::kCorruptGzip);
}

TEST(Detector, TruncatedJsonIsMalformedEvenWithoutHits) {
  Fixture f;
  f.matcher.Reset({});
  for (bool walk_all : {true, false}) {
    Detector d(f.Options(walk_all));
    const std::string trail = GroundTruthTrail();
    const std::string cut = GzipBytes(trail.substr(0, trail.size() - 3));
    MemoryReader in(cut);
    ScanOutcome out = d.ScanLogFile(in, "file");
    EXPECT_EQ(out.status.code(), StatusCode::kDataLoss) << walk_all;
    EXPECT_EQ(out.bad, BadInput::kMalformedJson);
  }
}

TEST(Detector, FileOverTheLimitIsTooLarge) {
  Fixture f;
  DetectorOptions o = f.Options();
  o.limits.max_file_bytes = 1000;
  Detector d(o);
  const std::string gz = GzipBytes(GroundTruthTrail() + std::string(5000, ' '));
  MemoryReader in(gz);
  ScanOutcome out = d.ScanLogFile(in, "file");
  EXPECT_EQ(out.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(out.bad, BadInput::kTooLarge);
}

TEST(IngestPipeline, DuplicatesAcrossFilesAreRecordedOnce) {
  Fixture f;
  IngestPipeline p = f.Pipeline();
  const std::string trail = GzipBytes(GroundTruthTrail());
  MemoryReader a(trail), b(trail);
  auto first = p.ProcessLogFile(a, InputRef{"file", "a.json.gz", "file", {}});
  auto second = p.ProcessLogFile(b, InputRef{"file", "b.json.gz", "file", {}});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->new_detections, 3u);
  EXPECT_EQ(second->detections, 3u);
  EXPECT_EQ(second->new_detections, 0u);
  auto token = f.store->GetToken("tok_01");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->event_count, 2);  // use-1 and the console use, once each
  EXPECT_EQ(f.metrics.detections_new.load(), 3u);
}

TEST(IngestPipeline, BadFileIsQuarantinedAndCountedOthersFlow) {
  Fixture f;
  IngestPipeline p = f.Pipeline();
  MemoryReader bad(std::string_view("\x1f\x8b\x08garbage", 10));
  auto r = p.ProcessLogFile(bad, InputRef{"file", "bad.json.gz", "file", {}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->quarantined);
  EXPECT_EQ(f.metrics.quarantined[size_t(BadInput::kCorruptGzip)].load(), 1u);
  const std::string good = GroundTruthTrail();
  MemoryReader ok(good);
  auto g = p.ProcessLogFile(ok, InputRef{"file", "good.json", "file", {}});
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->quarantined);
  EXPECT_EQ(g->new_detections, 3u);
  std::string prom;
  f.metrics.AppendPrometheus(prom);
  EXPECT_NE(prom.find("spacecrab_ingest_quarantined_total{reason=\"corrupt_gzip\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab::ingest
