// IamClient and StsClient against moto with signature checks on, through the
// sandbox's recording endpoint: proves libcurl's SigV4 signing (with our own
// encoding) is what AWS-compatible verifiers recompute.
#include "awsclient/iam_client.h"

#include <gtest/gtest.h>

#include "awsclient/testing/aws_sandbox.h"

namespace spacecrab {
namespace {

class IamClientAgainstMoto : public ::testing::Test {
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
  }
  std::unique_ptr<AwsQueryClient> Client(AwsCredentials creds) {
    AwsQueryClientOptions o;
    o.transport = &transport_;
    o.settings = sandbox_->AdminSettings();
    o.settings.credentials = std::move(creds);
    o.retry.max_attempts = 2;
    return std::make_unique<AwsQueryClient>(std::move(o));
  }
  AwsCredentials Admin() {
    return {sandbox_->admin_access_key_id, sandbox_->admin_secret_access_key, "", "sandbox"};
  }

  static inline std::unique_ptr<AwsSandbox> sandbox_;
  static inline std::string skip_reason_;
  CurlHttpTransport transport_;
};

TEST_F(IamClientAgainstMoto, SignedCallsAreAccepted) {
  auto client = Client(Admin());
  auto id = StsClient(*client).GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->account, sandbox_->account_id);
  EXPECT_EQ(id->arn, sandbox_->admin_arn);
}

TEST_F(IamClientAgainstMoto, WrongSecretIsRejected) {
  AwsCredentials bad = Admin();
  bad.secret_access_key = std::string(40, 'x');
  auto client = Client(bad);
  auto id = StsClient(*client).GetCallerIdentity();
  EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated) << id.status().ToString();
  EXPECT_EQ(AwsErrorCode(id.status()), "SignatureDoesNotMatch");
  auto users = IamClient(*client).ListUsers();
  EXPECT_EQ(AwsErrorCode(users.status()), "SignatureDoesNotMatch");
}

TEST_F(IamClientAgainstMoto, FullUserLifecycle) {
  auto client = Client(Admin());
  IamClient iam(*client);
  const std::string doc =
      R"({"Version": "2012-10-17", "Statement": [{"Sid": "x y/z+=", "Effect": "Deny", "Action": "*", "Resource": "*"}]})";
  auto user = iam.CreateUser("m.garcia", "/users/engineering/");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->arn, "arn:aws:iam::" + sandbox_->account_id + ":user/users/engineering/m.garcia");
  auto put = iam.PutUserPolicy("m.garcia", "baseline-access", doc);
  ASSERT_TRUE(put.ok()) << put.ToString();
  auto got = iam.GetUserPolicy("m.garcia", "baseline-access");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, doc);
  auto policies = iam.ListUserPolicies("m.garcia");
  ASSERT_TRUE(policies.ok());
  EXPECT_EQ(*policies, std::vector<std::string>{"baseline-access"});

  auto key = iam.CreateAccessKey("m.garcia");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->secret_access_key.size(), 40u);
  // The new key really works (and is denied everything but GetCallerIdentity).
  auto as_user = Client({key->access_key_id, key->secret_access_key, "", "minted"});
  auto id = StsClient(*as_user).GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->arn, user->arn);
  EXPECT_EQ(IamClient(*as_user).ListUsers().status().code(), StatusCode::kPermissionDenied);

  ASSERT_TRUE(iam.UpdateAccessKey("m.garcia", key->access_key_id, false).ok());
  auto keys = iam.ListAccessKeys("m.garcia");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].status, "Inactive");
  auto last = iam.GetAccessKeyLastUsed(key->access_key_id);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->user_name, "m.garcia");

  auto users = iam.ListUsers("/users/");
  ASSERT_TRUE(users.ok());
  bool listed = false;
  for (const auto& u : *users) listed |= u.user_name == "m.garcia";
  EXPECT_TRUE(listed);

  ASSERT_TRUE(iam.DeleteAccessKey("m.garcia", key->access_key_id).ok());
  ASSERT_TRUE(iam.DeleteUserPolicy("m.garcia", "baseline-access").ok());
  ASSERT_TRUE(iam.DeleteUser("m.garcia").ok());
  EXPECT_EQ(iam.GetUser("m.garcia").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace spacecrab
