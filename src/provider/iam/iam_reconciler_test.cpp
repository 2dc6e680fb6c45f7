// Failure injection (throttling, 5xx, a crash between CreateUser and
// CreateAccessKey, a crash before the token is stored) and hand-made drift,
// against moto: reconcile must leave no orphan user, no key without its token
// and no token without its key — checked in moto's IAM state.
#include "provider/iam/iam_reconciler.h"

#include <gtest/gtest.h>

#include "provider/iam/iam_policy.h"
#include "provider/iam/iam_test_support.h"
#include "provider/iam/store_token_view.h"  // compiled here so the adapter stays in step with store.h

namespace spacecrab {
namespace {

using IamFailureTest = IamSandboxTest;

TEST_F(IamFailureTest, ThrottlingIsRetriedWithoutTheCallerNoticing) {
  auto provider = MakeProvider();
  faults_->FailNext("CreateUser", 2, 400, "Throttling");
  faults_->FailNext("CreateAccessKey", 1, 429, "TooManyRequestsException");
  auto m = provider->Mint("");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(faults_->Count("CreateUser"), 3);
  EXPECT_EQ(faults_->Count("CreateAccessKey"), 2);
  EXPECT_EQ(admin_->ListAccessKeys(m->user_name)->size(), 1u);
}

TEST_F(IamFailureTest, PersistentServerErrorsRollTheMintBack) {
  auto provider = MakeProvider();
  faults_->FailNext("CreateAccessKey", 100, 500, "ServiceUnavailable");
  auto m = provider->Mint("svc-ledger-prod");
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable) << m.status().ToString();
  EXPECT_EQ(faults_->Count("CreateAccessKey"), 4) << "retried up to max_attempts";
  EXPECT_FALSE(UserExists("svc-ledger-prod")) << "no orphan user";
  auto all = intents_.All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state, IamIntentState::kRolledBack);
  EXPECT_FALSE(Has(Reconcile().drift, "untracked deny-all user", "svc-ledger-prod"));
}

TEST_F(IamFailureTest, CrashBetweenCreateUserAndCreateAccessKeyIsRolledBackByReconcile) {
  auto provider = MakeProvider();
  faults_->CrashAfter("PutUserPolicy");
  auto m = provider->Mint("gitlab-runner-07");
  EXPECT_FALSE(m.ok());
  // The "dead" process could not clean up: a half-made user is in IAM and the intent is open.
  ASSERT_TRUE(UserExists("gitlab-runner-07"));
  EXPECT_TRUE(admin_->ListAccessKeys("gitlab-runner-07")->empty());
  ASSERT_EQ(intents_.ListOpen()->size(), 1u);

  faults_->Heal();  // restart
  auto report = Reconcile();
  EXPECT_TRUE(Has(report.repairs, "rolled back half-made user", "gitlab-runner-07"));
  EXPECT_FALSE(UserExists("gitlab-runner-07"));
  EXPECT_TRUE(intents_.ListOpen()->empty());
  EXPECT_EQ(intents_.All()[0].state, IamIntentState::kRolledBack);
  auto again = Reconcile();
  EXPECT_FALSE(Has(again.repairs, "rolled back half-made user", "gitlab-runner-07"))
      << "idempotent";
}

TEST_F(IamFailureTest, CrashAfterCreateUserBeforeThePolicyIsRolledBack) {
  auto provider = MakeProvider();
  faults_->CrashAfter("CreateUser");
  EXPECT_FALSE(provider->Mint("sa-sftp").ok());
  ASSERT_TRUE(UserExists("sa-sftp"));
  faults_->Heal();
  Reconcile();
  EXPECT_FALSE(UserExists("sa-sftp"));
}

TEST_F(IamFailureTest, AKeyWhoseTokenWasNeverStoredIsDeleted) {
  auto provider = MakeProvider();
  auto m = provider->Mint("airflow-etl");  // the process dies before the token is stored
  ASSERT_TRUE(m.ok());
  auto report = Reconcile();
  EXPECT_TRUE(Has(report.repairs, "deleted key no token holds", "airflow-etl"));
  EXPECT_TRUE(Has(report.repairs, "rolled back half-made user", "airflow-etl"));
  EXPECT_FALSE(UserExists("airflow-etl")) << "no key without its token";
}

TEST_F(IamFailureTest, AStoredTokenClosesItsIntentAndIsLeftAlone) {
  auto provider = MakeProvider();
  auto m = provider->Mint("looker-reader");
  ASSERT_TRUE(m.ok());
  Store(TokenOf(*m));  // stored, but ConfirmStored never ran (crash)
  auto report = Reconcile();
  EXPECT_TRUE(intents_.ListOpen()->empty());
  EXPECT_EQ(intents_.All()[0].state, IamIntentState::kDone);
  for (const auto& f : report.repairs) EXPECT_NE(f.user_name, "looker-reader") << f.what;
  for (const auto& f : report.drift) EXPECT_NE(f.user_name, "looker-reader") << f.what;
  EXPECT_EQ(admin_->ListAccessKeys("looker-reader")->size(), 1u);
}

TEST_F(IamFailureTest, ACrashedRotationLeavesNoStrayKey) {
  auto provider = MakeProvider();
  auto m = provider->Mint("dbt-runner");
  ASSERT_TRUE(m.ok());
  Store(TokenOf(*m));
  ASSERT_TRUE(provider->ConfirmStored(m->access_key_id).ok());
  auto rotated = provider->Rotate(TokenOf(*m));  // new key made, token never stored
  ASSERT_TRUE(rotated.ok());
  Reconcile();
  auto keys = admin_->ListAccessKeys("dbt-runner");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].access_key_id, m->access_key_id) << "the stored token's key stays";
}

TEST_F(IamFailureTest, DriftIsReportedAndRepairedWherePossible) {
  auto provider = MakeProvider();
  auto gone = provider->Mint("k.tanaka");
  auto retired = provider->Mint("svc-cron-stg");
  auto bare = provider->Mint("fivetran-sync");
  ASSERT_TRUE(gone.ok() && retired.ok() && bare.ok());
  Store(TokenOf(*gone));
  Store(TokenOf(*retired, TokenStatus::kRevoked));
  Store(TokenOf(*bare));
  for (const auto* m : {&*gone, &*retired, &*bare})
    ASSERT_TRUE(provider->ConfirmStored(m->access_key_id).ok());
  // By hand, outside spacecrab:
  ASSERT_TRUE(admin_->DeleteAccessKey("k.tanaka", gone->access_key_id).ok());  // key deleted
  ASSERT_TRUE(
      admin_->DeleteUserPolicy("fivetran-sync", provider->policy_name()).ok());  // deny removed
  ASSERT_TRUE(admin_->CreateUser("orphan-svc", "/svc/").ok());                   // lost intent
  ASSERT_TRUE(
      admin_->PutUserPolicy("orphan-svc", provider->policy_name(), DenyAllPolicyDocument()).ok());

  auto dry = Reconcile(/*repair=*/false);
  EXPECT_TRUE(Has(dry.drift, "deny policy missing", "fivetran-sync"));
  EXPECT_TRUE(Has(dry.drift, "key of a retired token is active", "svc-cron-stg"));
  EXPECT_FALSE(admin_->GetUserPolicy("fivetran-sync", provider->policy_name()).ok())
      << "dry run changes nothing";

  auto report = Reconcile();
  EXPECT_TRUE(Has(report.drift, "key deleted outside spacecrab", "k.tanaka"));
  EXPECT_TRUE(Has(report.repairs, "deny policy missing", "fivetran-sync"));
  EXPECT_TRUE(Has(report.repairs, "key of a retired token is active", "svc-cron-stg"));
  EXPECT_TRUE(Has(report.drift, "untracked deny-all user", "orphan-svc"));
  auto doc = admin_->GetUserPolicy("fivetran-sync", provider->policy_name());
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(IsDenyAllPolicy(*doc));
  EXPECT_EQ((*admin_->ListAccessKeys("svc-cron-stg"))[0].status, "Inactive");
  EXPECT_TRUE(UserExists("orphan-svc")) << "untracked users are only reported unless asked";
}

TEST(IamPolicy, RecognisesDenyAllWhateverItsShape) {
  EXPECT_TRUE(IsDenyAllPolicy(DenyAllPolicyDocument()));
  EXPECT_TRUE(
      IsDenyAllPolicy(R"({"Statement": {"Effect": "Deny", "Action": ["*"], "Resource": ["*"]}})"));
  EXPECT_TRUE(
      IsDenyAllPolicy(R"({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                                               {"Effect": "Deny", "Action": "*", "Resource": "*"}]})"));
  EXPECT_FALSE(
      IsDenyAllPolicy(R"({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})"));
  EXPECT_FALSE(IsDenyAllPolicy(R"({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})"));
  EXPECT_FALSE(IsDenyAllPolicy("not json"));
}

TEST(InMemoryIamIntentLog, ListsOnlyOpenIntentsOldestFirst) {
  InMemoryIamIntentLog log;
  IamIntent a, b, c;
  a.id = "iin_a";
  a.started_at = FromUnixMillis(2000);
  b.id = "iin_b";
  b.started_at = FromUnixMillis(1000);
  b.state = IamIntentState::kKeyCreated;
  c.id = "iin_c";
  c.state = IamIntentState::kDone;
  ASSERT_TRUE(log.Begin(a).ok() && log.Begin(b).ok() && log.Begin(c).ok());
  EXPECT_EQ(log.Begin(a).code(), StatusCode::kAlreadyExists);
  auto open = log.ListOpen();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].id, "iin_b");
  a.state = IamIntentState::kRolledBack;
  ASSERT_TRUE(log.Update(a).ok());
  EXPECT_EQ(log.ListOpen()->size(), 1u);
  IamIntent missing;
  missing.id = "iin_x";
  EXPECT_EQ(log.Update(missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseIamIntentState(ToString(IamIntentState::kKeyCreated)),
            IamIntentState::kKeyCreated);
}

}  // namespace
}  // namespace spacecrab
