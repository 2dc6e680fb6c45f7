// LastUsedWatch: the safety net for uses no log record shows. Logic with a
// fake GetAccessKeyLastUsed; then against the AWS sandbox (moto moves a key's
// LastUsedDate on every signed call, as IAM does): a key used with no trail
// record alerts, a used key whose record was ingested and a never-used key
// do not.
#include "app/last_used_watch.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <vector>

#include "awsclient/http_transport.h"
#include "awsclient/testing/aws_sandbox.h"
#include "core/ids.h"
#include "crypto/random.h"
#include "ingest/detection_sink.h"
#include "ingest/ingest_metrics.h"
#include "ingest/recorder.h"
#include "store/store_factory.h"

namespace spacecrab {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kAcct[] = "210987654321";

Timestamp T0() { return *ParseRfc3339("2024-05-01T12:00:00Z"); }

class CapturingSink final : public ingest::DetectionSink {
 public:
  Status OnDetections(std::span<const ingest::Detection> detections) override {
    std::lock_guard lock(mu_);
    seen.insert(seen.end(), detections.begin(), detections.end());
    return Status::Ok();
  }
  std::vector<ingest::Detection> Seen() {
    std::lock_guard lock(mu_);
    return seen;
  }

 private:
  std::mutex mu_;
  std::vector<ingest::Detection> seen;
};

class LastUsedWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bundle = OpenStoreBundle("sqlite::memory:");
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    bundle_ = std::move(bundle).value();
    recorder_ = std::make_unique<ingest::Recorder>(
        ingest::RecorderOptions{bundle_.store.get(), &sink_, &metrics_, nullptr});
  }

  HoneyToken AddToken(const std::string& key_id, TokenKind kind = TokenKind::kAws,
                      TokenStatus status = TokenStatus::kActive) {
    HoneyToken t;
    t.id = MakeId("tok", T0() + seconds(++n_), RandomBytes(random_, kIdEntropyBytes));
    t.kind = kind;
    t.status = status;
    t.access_key_id = key_id;
    t.account_id = kAcct;
    t.user_name = "svc-" + key_id.substr(16);
    t.arn = std::string("arn:aws:iam::") + kAcct + ":user/" + t.user_name;
    t.location = "host-" + key_id.substr(16);
    t.created_at = t.issued_at = T0();
    EXPECT_TRUE(bundle_.store->InsertTokens(std::span<const HoneyToken>(&t, 1)).ok());
    return t;
  }

  // A use as ingest would record it from a trail record.
  void RecordTrailUse(const HoneyToken& t, const std::string& event_id, Timestamp at) {
    ingest::Detection d;
    d.event.id = event_id;
    d.event.token_id = t.id;
    d.event.access_key_id = t.access_key_id;
    d.event.event_time = at;
    d.event.event_source = "sts.amazonaws.com";
    d.event.event_name = "GetCallerIdentity";
    d.event.aws_region = "us-east-1";
    d.event.source_ip = "203.0.113.7";
    d.event.origin = "s3";
    d.token_kind = TokenKind::kAws;
    ASSERT_TRUE(recorder_->Record({d}).ok());
  }

  std::vector<ingest::Detection> Unlogged() {
    std::vector<ingest::Detection> out;
    for (const auto& d : sink_.Seen())
      if (d.event.origin == kUnloggedUseOrigin) out.push_back(d);
    return out;
  }

  LastUsedWatchOptions Options(LastUsedLookup lookup) {
    LastUsedWatchOptions o;
    o.store = bundle_.store.get();
    o.recorder = recorder_.get();
    o.clock = &clock_;
    o.lookup = std::move(lookup);
    return o;
  }

  StoreBundle bundle_;
  CapturingSink sink_;
  ingest::IngestMetrics metrics_;
  std::unique_ptr<ingest::Recorder> recorder_;
  ManualClock clock_{T0()};
  SeededRandom random_{7};
  int n_ = 0;
};

// IAM as a map: key id -> last use (absent: never used).
struct FakeIam {
  std::map<std::string, IamAccessKeyLastUsed> used;
  std::vector<std::string> asked;
  int throttle_next = 0;
  LastUsedLookup Lookup() {
    return [this](const HoneyToken& t) -> Expected<IamAccessKeyLastUsed> {
      asked.push_back(t.access_key_id);
      if (throttle_next > 0) {
        --throttle_next;
        return ResourceExhausted("Throttling: Rate exceeded");
      }
      auto it = used.find(t.access_key_id);
      if (it == used.end()) return IamAccessKeyLastUsed{t.user_name, std::nullopt, "N/A", "N/A"};
      return it->second;
    };
  }
};

TEST_F(LastUsedWatchTest, UseIamSeesButNoRecordShowsAlertsOnceAfterTheLag) {
  HoneyToken quiet = AddToken("AKIAQAAAAAAAAAAAAA01");
  HoneyToken logged = AddToken("AKIAQAAAAAAAAAAAAA02");
  HoneyToken unlogged = AddToken("AKIAQAAAAAAAAAAAAA03");
  AddToken("AKIAQAAAAAAAAAAAAA04", TokenKind::kDecoy);  // not IAM's: never asked
  FakeIam iam;
  const Timestamp used_at = T0() + minutes(10);
  iam.used[logged.access_key_id] = {logged.user_name, used_at + seconds(1), "sts", "us-east-1"};
  iam.used[unlogged.access_key_id] = {unlogged.user_name, used_at, "sdb", "eu-west-1"};
  RecordTrailUse(logged, "ct-logged-1", used_at);

  auto options = Options(iam.Lookup());
  options.sweep_interval = minutes(5);
  LastUsedWatch watch(std::move(options));

  clock_.Set(used_at + minutes(20));  // within the 30 min delivery lag: the record may be on its way
  watch.Tick();
  EXPECT_EQ(iam.asked.size(), 3u);
  EXPECT_TRUE(Unlogged().empty());
  EXPECT_EQ(watch.Stats().sweeps, 1u);

  clock_.Set(used_at + minutes(31));
  watch.Tick();
  auto alerts = Unlogged();
  ASSERT_EQ(alerts.size(), 1u);
  const Event& e = alerts[0].event;
  EXPECT_EQ(e.token_id, unlogged.id);
  EXPECT_EQ(e.id, "lastused:AKIAQAAAAAAAAAAAAA03:" + FormatRfc3339(used_at));
  EXPECT_EQ(e.event_name, kUnloggedUseEventName);
  EXPECT_EQ(e.event_source, "sdb.amazonaws.com");
  EXPECT_EQ(e.aws_region, "eu-west-1");
  EXPECT_EQ(e.event_time, used_at);
  EXPECT_EQ(alerts[0].token_kind, TokenKind::kAws);
  EXPECT_EQ(watch.Stats().unlogged, 1u);
  // Stored like any use: the token's counters moved.
  auto stored = bundle_.store->GetToken(unlogged.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event_count, 1);
  EXPECT_EQ(stored->last_used_at, used_at);
  EXPECT_TRUE(bundle_.store->GetEvent(e.id).ok());

  // Later sweeps: IAM still says the same date; nothing new.
  clock_.Advance(minutes(10));
  watch.Tick();
  EXPECT_EQ(Unlogged().size(), 1u);
  EXPECT_EQ(bundle_.store->GetToken(quiet.id)->event_count, 0);

  // A newer unlogged use alerts again.
  iam.used[unlogged.access_key_id].last_used_date = clock_.Now();
  clock_.Advance(minutes(31));
  watch.Tick();
  EXPECT_EQ(Unlogged().size(), 2u);
}

TEST_F(LastUsedWatchTest, RateLimitedSweepsAndThrottling) {
  for (int i = 0; i < 12; ++i) AddToken("AKIAQAAAAAAAAAAAAB" + std::to_string(10 + i));
  AddToken("AKIAQAAAAAAAAAAAAC01", TokenKind::kAws, TokenStatus::kRevoked);  // not active: skipped
  FakeIam iam;
  auto options = Options(iam.Lookup());
  options.calls_per_tick = 5;
  options.sweep_interval = minutes(15);
  LastUsedWatch watch(std::move(options));

  watch.Tick();
  EXPECT_EQ(iam.asked.size(), 5u);
  iam.throttle_next = 1;
  watch.Tick();  // throttled on the 6th key: the tick ends, the key is asked again
  EXPECT_EQ(iam.asked.size(), 6u);
  watch.Tick();
  EXPECT_EQ(iam.asked.size(), 11u);
  EXPECT_EQ(iam.asked[5], iam.asked[6]);
  watch.Tick();
  EXPECT_EQ(iam.asked.size(), 13u);  // the last 2; sweep done
  EXPECT_EQ(watch.Stats().sweeps, 1u);
  EXPECT_EQ(watch.Stats().errors, 1u);
  EXPECT_EQ(watch.Stats().checks, 12u);
  watch.Tick();  // between sweeps: no calls
  EXPECT_EQ(iam.asked.size(), 13u);
  clock_.Advance(minutes(15));
  watch.Tick();
  EXPECT_EQ(iam.asked.size(), 18u);
  for (const auto& k : iam.asked) EXPECT_NE(k, "AKIAQAAAAAAAAAAAAC01");
}

TEST_F(LastUsedWatchTest, KeyIamNoLongerKnowsIsSkipped) {
  AddToken("AKIAQAAAAAAAAAAAAD01");
  HoneyToken b = AddToken("AKIAQAAAAAAAAAAAAD02");
  int calls = 0;
  LastUsedWatch watch(Options([&](const HoneyToken& t) -> Expected<IamAccessKeyLastUsed> {
    ++calls;
    if (t.id != b.id) return NotFound("NoSuchEntity");
    return IamAccessKeyLastUsed{t.user_name, T0(), "s3", "us-east-1"};
  }));
  clock_.Set(T0() + minutes(45));
  watch.Tick();
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(Unlogged().size(), 1u);
  EXPECT_EQ(Unlogged()[0].event.token_id, b.id);
}

// ---- against the AWS sandbox ------------------------------------------------

class LastUsedWatchAgainstMoto : public LastUsedWatchTest {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!AwsSandbox::Available(&why)) {
      skip_reason_ = why;
      return;
    }
    auto sb = AwsSandbox::Start();
    ASSERT_TRUE(sb.ok()) << sb.status().ToString();
    sandbox_ = std::move(sb).value();
  }
  static void TearDownTestSuite() { sandbox_.reset(); }
  void SetUp() override {
    if (!sandbox_) GTEST_SKIP() << skip_reason_;
    LastUsedWatchTest::SetUp();
  }
  std::unique_ptr<AwsQueryClient> Client(AwsCredentials creds) {
    AwsQueryClientOptions o;
    o.transport = &transport_;
    o.settings = sandbox_->AdminSettings();
    o.settings.credentials = std::move(creds);
    o.retry.max_attempts = 2;
    return std::make_unique<AwsQueryClient>(std::move(o));
  }

  static inline std::unique_ptr<AwsSandbox> sandbox_;
  static inline std::string skip_reason_;
  CurlHttpTransport transport_;
};

TEST_F(LastUsedWatchAgainstMoto, AlertsForAKeyUsedWithNoRecordOnly) {
  auto admin = Client({sandbox_->admin_access_key_id, sandbox_->admin_secret_access_key, "", "sandbox"});
  IamClient iam(*admin);
  std::map<std::string, HoneyToken> tokens;
  std::map<std::string, std::string> secrets;
  for (const char* name : {"svc-never", "svc-logged", "svc-unlogged"}) {
    ASSERT_TRUE(iam.CreateUser(name, "/").ok());
    auto key = iam.CreateAccessKey(name);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    tokens[name] = AddToken(key->access_key_id);
    secrets[name] = key->secret_access_key;
  }
  const Timestamp before = SystemClock().Now();
  for (const char* name : {"svc-logged", "svc-unlogged"}) {
    auto as_key = Client({tokens[name].access_key_id, secrets[name], "", "attacker"});
    ASSERT_TRUE(StsClient(*as_key).GetCallerIdentity().ok());
  }
  // IAM saw both uses ...
  auto seen = iam.GetAccessKeyLastUsed(tokens["svc-unlogged"].access_key_id);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_TRUE(seen->last_used_date.has_value()) << "moto did not move LastUsedDate";
  EXPECT_GE(*seen->last_used_date + seconds(1), before);
  EXPECT_EQ(seen->service_name, "sts");
  // ... but only one reached spacecrab as a trail record.
  auto logged = iam.GetAccessKeyLastUsed(tokens["svc-logged"].access_key_id);
  ASSERT_TRUE(logged.ok() && logged->last_used_date);
  RecordTrailUse(tokens["svc-logged"], "ct-moto-1", *logged->last_used_date);

  auto options = Options([&iam](const HoneyToken& t) { return iam.GetAccessKeyLastUsed(t.access_key_id); });
  options.account_id = kAcct;
  LastUsedWatch watch(std::move(options));
  clock_.Set(SystemClock().Now() + minutes(5));  // within the lag: nothing yet
  watch.Tick();
  EXPECT_TRUE(Unlogged().empty());
  EXPECT_EQ(watch.Stats().checks, 3u);

  LastUsedWatchOptions later = Options([&iam](const HoneyToken& t) { return iam.GetAccessKeyLastUsed(t.access_key_id); });
  LastUsedWatch watch2(std::move(later));
  clock_.Set(SystemClock().Now() + minutes(31));
  watch2.Tick();
  auto alerts = Unlogged();
  ASSERT_EQ(alerts.size(), 1u) << watch2.Stats().errors;
  EXPECT_EQ(alerts[0].event.token_id, tokens["svc-unlogged"].id);
  EXPECT_EQ(alerts[0].event.event_source, "sts.amazonaws.com");
  EXPECT_EQ(alerts[0].event.aws_region, "us-east-1");
  EXPECT_EQ(watch2.Stats().errors, 0u);
}

}  // namespace
}  // namespace spacecrab
