// provider = "aws" wiring against the AWS sandbox (moto with signature
// checks): BuildProviders, ConnectAwsIam's errors, and IamMaintenance's
// start-up and periodic reconciles. Skips when moto is not installed.
#include "app/iam_maintenance.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "app/provider_factory.h"
#include "awsclient/testing/aws_sandbox.h"
#include "core/ids.h"
#include "provider/iam/iam_policy.h"
#include "store/store_factory.h"

namespace spacecrab {
namespace {

class AwsWiringTest : public ::testing::Test {
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
    config_.provider = "aws";
    config_.aws.pool_size = 0;  // IAM on every mint: these tests count the calls
    config_.aws.endpoint_url = sandbox_->endpoint;
    env_ = {{"AWS_ACCESS_KEY_ID", sandbox_->admin_access_key_id},
            {"AWS_SECRET_ACCESS_KEY", sandbox_->admin_secret_access_key},
            {"AWS_CONFIG_FILE", "/dev/null"},
            {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}};
    auto bundle = OpenStoreBundle("sqlite::memory:");
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    bundle_ = std::move(bundle).value();
  }

  std::unique_ptr<AwsIam> Connect() {
    auto aws = ConnectAwsIam(config_, {env_, true});
    EXPECT_TRUE(aws.ok()) << aws.status().ToString();
    return aws.ok() ? std::move(aws).value() : nullptr;
  }

  // A user with the deny policy and no key, and the open mint intent a
  // crash between CreateUser and CreateAccessKey leaves behind.
  std::string HalfMadeUser(AwsIam& aws, const std::string& name, Timestamp started) {
    EXPECT_TRUE(aws.iam->CreateUser(name, "/ci/").ok());
    EXPECT_TRUE(aws.iam->PutUserPolicy(name, kIamDenyPolicyName, DenyAllPolicyDocument()).ok());
    IamIntent intent;
    intent.id = MakeId("iin", started, RandomBytes(random_, kIdEntropyBytes));
    intent.account_id = aws.account_id;
    intent.user_name = name;
    intent.path = "/ci/";
    intent.started_at = intent.updated_at = started;
    EXPECT_TRUE(bundle_.iam_intents->Begin(intent).ok());
    return name;
  }

  IamMaintenanceOptions MaintenanceOptions(AwsIam& aws, const Clock& clock) {
    IamMaintenanceOptions o;
    o.run.aws = &aws;
    o.run.intents = bundle_.iam_intents.get();
    o.run.store = bundle_.store.get();
    o.run.clock = &clock;
    return o;
  }

  static inline std::unique_ptr<AwsSandbox> sandbox_;
  static inline std::string skip_reason_;
  Config config_;
  std::map<std::string, std::string> env_;
  StoreBundle bundle_;
  SystemClock clock_;
  SeededRandom random_{42};
};

TEST_F(AwsWiringTest, AwsProviderMintsFirstAndKeepsDecoyTokensServed) {
  auto box = SecretBox::FromKeyMaterial(std::string(64, 'a'));
  ASSERT_TRUE(box.ok());
  ProviderDeps deps;
  deps.secret_box = &*box;
  deps.random = &random_;
  deps.decoy_account_id = "609629065308";
  deps.iam_intents = bundle_.iam_intents.get();
  deps.store = bundle_.store.get();
  deps.clock = &clock_;
  setenv("AWS_ACCESS_KEY_ID", sandbox_->admin_access_key_id.c_str(), 1);
  setenv("AWS_SECRET_ACCESS_KEY", sandbox_->admin_secret_access_key.c_str(), 1);
  auto built = BuildProviders(config_, deps);
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_EQ(built->providers.size(), 2u);
  EXPECT_EQ(built->providers[0]->kind(), TokenKind::kAws);
  EXPECT_EQ(built->providers[1]->kind(), TokenKind::kDecoy);
  ASSERT_NE(built->aws(), nullptr);
  EXPECT_EQ(built->aws()->account_id, sandbox_->account_id);
  auto key = built->providers[0]->Mint("");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->account_id, sandbox_->account_id);
  EXPECT_TRUE(built->aws()->iam->GetUser(key->user_name).ok());
  EXPECT_TRUE(built->providers[0]
                  ->Delete([&] {
                    HoneyToken t;
                    t.kind = TokenKind::kAws;
                    t.access_key_id = key->access_key_id;
                    t.user_name = key->user_name;
                    return t;
                  }())
                  .ok());
}

TEST_F(AwsWiringTest, StartUpErrorsNameTheKeyToFix) {
  Config c = config_;
  c.aws.accounts = {"111122223333"};
  auto wrong_account = ConnectAwsIam(c, {env_, true});
  ASSERT_FALSE(wrong_account.ok());
  EXPECT_NE(wrong_account.status().message().find("[aws] accounts"), std::string::npos)
      << wrong_account.status().message();

  c = config_;
  c.aws.endpoint_url = "http://127.0.0.1:1";
  auto unreachable = ConnectAwsIam(c, {env_, true});
  ASSERT_FALSE(unreachable.ok());
  EXPECT_NE(unreachable.status().message().find("[aws] endpoint_url"), std::string::npos)
      << unreachable.status().message();

  c = config_;
  c.aws.profile = "no-such-profile";
  auto profile = ConnectAwsIam(c, {env_, true});
  ASSERT_FALSE(profile.ok());
  EXPECT_NE(profile.status().message().find("[aws] profile 'no-such-profile'"), std::string::npos)
      << profile.status().message();

  auto no_creds = ConnectAwsIam(
      config_,
      {{{"AWS_CONFIG_FILE", "/dev/null"}, {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}}, true});
  ASSERT_FALSE(no_creds.ok());
  EXPECT_EQ(no_creds.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(no_creds.status().message().find("provider \"aws\""), std::string::npos);

  ProviderDeps deps;  // no intent log: refused before any IAM call
  auto built = BuildProviders(config_, deps);
  EXPECT_EQ(built.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AwsWiringTest, MaintenanceRollsBackWhatACrashLeftAndSparesWorkInFlight) {
  auto aws = Connect();
  ASSERT_NE(aws, nullptr);
  const Timestamp before = clock_.Now() - std::chrono::minutes(1);
  const std::string crashed = HalfMadeUser(*aws, "svc-ledger-sync", before);

  IamMaintenanceOptions o = MaintenanceOptions(*aws, clock_);
  o.interval = std::chrono::milliseconds(200);
  IamMaintenance maintenance(o);
  // Opened after the maintenance object exists: this process's own mint in flight.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string in_flight = HalfMadeUser(*aws, "terraform-ci-07", clock_.Now());

  maintenance.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (maintenance.runs() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  maintenance.Stop();
  ASSERT_GE(maintenance.runs(), 3);

  EXPECT_EQ(aws->iam->GetUser(crashed).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(aws->iam->GetUser(in_flight).ok())
      << "an intent younger than min_intent_age was undone";
  auto open = bundle_.iam_intents->ListOpen();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().user_name, in_flight);
  auto report = maintenance.LastReport();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->errors.empty());

  // Once it is old enough, a one-off reconcile (as `spacecrab reconcile` runs it) takes it too.
  IamReconcileRun run = o.run;
  run.min_intent_age = std::chrono::milliseconds(0);
  auto last = RunIamReconcile(run);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(aws->iam->GetUser(in_flight).status().code(), StatusCode::kNotFound);
}

// Each reading is one second later than the last: a reconcile run that reads
// the clock twice sees time pass, as a slow one does on a busy machine.
class TickingClock final : public Clock {
 public:
  explicit TickingClock(Timestamp start) : ms_(ToUnixMillis(start)) {}
  Timestamp Now() const override { return FromUnixMillis(ms_ += 1000); }

 private:
  mutable std::atomic<int64_t> ms_;
};

TEST_F(AwsWiringTest, MaintenanceFirstRunSparesMintsBegunWhileItRuns) {
  auto aws = Connect();
  ASSERT_NE(aws, nullptr);
  TickingClock clock(clock_.Now());
  IamMaintenanceOptions o = MaintenanceOptions(*aws, clock);
  o.interval = std::chrono::hours(1);
  IamMaintenance maintenance(o);
  const Timestamp made = clock.Now() - std::chrono::seconds(1);  // the object's own reading
  const std::string crashed =
      HalfMadeUser(*aws, "svc-billing-export", made - std::chrono::minutes(1));
  // A warm pool's first mint, begun just after the service started — while
  // the first run is under way, before it lists the open intents.
  const std::string in_flight =
      HalfMadeUser(*aws, "deploy-bot-prod", made + std::chrono::milliseconds(500));

  maintenance.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (maintenance.runs() < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  maintenance.Stop();
  ASSERT_EQ(maintenance.runs(), 1);

  EXPECT_EQ(aws->iam->GetUser(crashed).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(aws->iam->GetUser(in_flight).ok())
      << "the first run undid a mint this process began after it started";
  auto open = bundle_.iam_intents->ListOpen();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().user_name, in_flight);

  IamReconcileRun run = o.run;  // tidy up for the suite's other tests
  run.opened_before = clock.Now();
  ASSERT_TRUE(RunIamReconcile(run).ok());
  EXPECT_EQ(aws->iam->GetUser(in_flight).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace spacecrab
