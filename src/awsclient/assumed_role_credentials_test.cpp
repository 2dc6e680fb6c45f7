// AssumedRoleCredentials and StsClient::AssumeRole: the request and response
// with a scripted transport, caching and refresh on a manual clock, and the
// real thing against moto_server, where an assumed role's credentials act in
// the role's account.
#include "awsclient/assumed_role_credentials.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "awsclient/iam_client.h"
#include "awsclient/testing/aws_sandbox.h"
#include "awsclient/testing/moto_server.h"
#include "awsclient/testing/scripted_transport.h"

namespace spacecrab {
namespace {

constexpr const char* kRole = "arn:aws:iam::111111111111:role/x";
const Timestamp kT0 = *ParseRfc3339("2026-11-23T17:00:00Z");

std::string AssumeRoleResponse(int n, const std::string& expiration) {
  return fmt::format(
      R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAEXAMPLEROLEKEY0{}</AccessKeyId><SecretAccessKey>role-secret-{}</SecretAccessKey>
<SessionToken>session-token-{}</SessionToken><Expiration>{}</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:ops</AssumedRoleId><Arn>arn:aws:sts::111111111111:assumed-role/x/ops</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>req-{}</RequestId></ResponseMetadata></AssumeRoleResponse>)",
      n, n, n, expiration, n);
}

struct Base {
  Base() : clock(kT0) {
    AwsQueryClientOptions o;
    o.transport = &transport;
    o.settings.credentials = {"AKIAIOSFODNN7EXAMPLE", "base-secret-do-not-leak", "", "test"};
    o.settings.endpoint_url = "http://127.0.0.1:1";
    o.retry.max_attempts = 1;
    client = std::make_unique<AwsQueryClient>(std::move(o));
  }
  std::unique_ptr<AssumedRoleCredentials> Role(std::string external_id = "") {
    AssumedRoleOptions o;
    o.base = client.get();
    o.role_arn = kRole;
    o.external_id = std::move(external_id);
    o.session_name = "ops-session";
    o.duration = std::chrono::seconds(3600);
    o.clock = &clock;
    auto r = AssumedRoleCredentials::Create(std::move(o));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  ManualClock clock;
  ScriptedTransport transport;
  std::unique_ptr<AwsQueryClient> client;
};

TEST(StsAssumeRole, SendsTheRoleSessionAndExternalIdAndParsesTheCredentials) {
  Base b;
  b.transport.Push(200, AssumeRoleResponse(1, "2026-11-23T18:00:00Z"));
  auto c = StsClient(*b.client).AssumeRole(kRole, "ops-session", "ext-42", std::chrono::hours(1));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(b.transport.requests.size(), 1u);
  EXPECT_EQ(b.transport.requests[0].body,
            "Action=AssumeRole&DurationSeconds=3600&ExternalId=ext-42"
            "&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fx&RoleSessionName=ops-session"
            "&Version=2011-06-15");
  EXPECT_EQ(b.transport.requests[0].sigv4_provider, "aws:amz:us-east-1:sts");
  EXPECT_EQ(b.transport.requests[0].access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(c->access_key_id, "ASIAEXAMPLEROLEKEY01");
  EXPECT_EQ(c->secret_access_key, "role-secret-1");
  EXPECT_EQ(c->session_token, "session-token-1");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*c->expiration), "2026-11-23T18:00:00Z");
  EXPECT_EQ(c->source, std::string("assumed role ") + kRole);
}

TEST(StsAssumeRole, OmitsAnEmptyExternalIdAndRejectsBadArgumentsLocally) {
  Base b;
  b.transport.Push(200, AssumeRoleResponse(1, "2026-11-23T18:00:00Z"));
  StsClient sts(*b.client);
  ASSERT_TRUE(sts.AssumeRole(kRole, "ops-session", "", std::chrono::seconds(900)).ok());
  EXPECT_EQ(b.transport.requests.at(0).body.find("ExternalId"), std::string::npos);
  EXPECT_EQ(sts.AssumeRole("arn:aws:iam::111111111111:user/x", "ops", "", std::chrono::hours(1))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(sts.AssumeRole(kRole, "a b", "", std::chrono::hours(1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(sts.AssumeRole(kRole, "ops", "", std::chrono::seconds(60)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(b.transport.requests.size(), 1u);
}

TEST(StsAssumeRole, ResponseWithoutASessionTokenIsDataLoss) {
  Base b;
  b.transport.Push(200,
                   "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</"
                   "AccessKeyId><SecretAccessKey>s</SecretAccessKey></Credentials></"
                   "AssumeRoleResult></AssumeRoleResponse>");
  EXPECT_EQ(
      StsClient(*b.client).AssumeRole(kRole, "ops", "", std::chrono::hours(1)).status().code(),
      StatusCode::kDataLoss);
}

TEST(AssumedRoleCredentials, CachesTheSessionUntilFiveMinutesBeforeItExpires) {
  Base b;
  auto role = b.Role();
  ASSERT_TRUE(role);
  b.transport.Push(200, AssumeRoleResponse(1, "2026-11-23T18:00:00Z"));
  b.transport.Push(200, AssumeRoleResponse(2, "2026-11-23T19:00:00Z"));
  ASSERT_EQ(role->Get()->access_key_id, "ASIAEXAMPLEROLEKEY01");
  b.clock.Advance(std::chrono::minutes(54));
  ASSERT_EQ(role->Get()->access_key_id, "ASIAEXAMPLEROLEKEY01");
  EXPECT_EQ(b.transport.requests.size(), 1u);
  b.clock.Advance(std::chrono::minutes(2));  // 4 minutes left
  auto fresh = role->Get();
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->access_key_id, "ASIAEXAMPLEROLEKEY02");
  EXPECT_EQ(fresh->session_token, "session-token-2");
  EXPECT_EQ(role->sessions(), 2);
}

TEST(AssumedRoleCredentials, AsTheClientsSourceSignsWithTheRoleAndSendsItsToken) {
  Base b;
  auto role = b.Role();
  ASSERT_TRUE(role);
  b.transport.Push(200, AssumeRoleResponse(1, "2026-11-23T18:00:00Z"));
  ScriptedTransport account;
  AwsQueryClientOptions o;
  o.transport = &account;
  o.settings.endpoint_url = "http://127.0.0.1:2";
  o.credentials_source = role->AsSource();
  o.clock = &b.clock;
  AwsQueryClient client(std::move(o));
  account.Push(200,
               "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111111111111</"
               "Account></GetCallerIdentityResult></GetCallerIdentityResponse>");
  auto id = StsClient(client).GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->account, "111111111111");
  ASSERT_EQ(account.requests.size(), 1u);
  EXPECT_EQ(account.requests[0].access_key_id, "ASIAEXAMPLEROLEKEY01");
  EXPECT_EQ(account.requests[0].secret_access_key, "role-secret-1");
  EXPECT_EQ(HeaderOf(account.requests[0], "X-Amz-Security-Token"), "session-token-1");
  EXPECT_EQ(client.CurrentCredentials()->source, std::string("assumed role ") + kRole);
}

TEST(AssumedRoleCredentials, DeniedRoleIsUnavailableNamingTheRoleNotTheSecret) {
  Base b;
  auto role = b.Role();
  ASSERT_TRUE(role);
  b.transport.Push(403,
                   "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>"
                   "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: "
                   "sts:AssumeRole on resource: arn:aws:iam::111111111111:role/x</Message></"
                   "Error><RequestId>r</RequestId></ErrorResponse>");
  auto direct = role->Get();
  EXPECT_EQ(direct.status().code(), StatusCode::kPermissionDenied);

  b.transport.Push(403,
                   "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized</"
                   "Message></Error></ErrorResponse>");
  ScriptedTransport account;
  AwsQueryClientOptions o;
  o.transport = &account;
  o.credentials_source = role->AsSource();
  o.clock = &b.clock;
  AwsQueryClient client(std::move(o));
  Status s = StsClient(client).GetCallerIdentity().status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find(kRole), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("AccessDenied"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("base-secret"), std::string::npos);
  EXPECT_EQ(s.message().find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
  EXPECT_TRUE(account.requests.empty());
}

TEST(AssumedRoleCredentials, CreateRejectsAMissingClientOrABadRole) {
  AssumedRoleOptions o;
  o.role_arn = kRole;
  EXPECT_EQ(AssumedRoleCredentials::Create(o).status().code(), StatusCode::kInvalidArgument);
  Base b;
  o.base = b.client.get();
  o.role_arn = "x";
  EXPECT_EQ(AssumedRoleCredentials::Create(o).status().code(), StatusCode::kInvalidArgument);
  o.role_arn = kRole;
  o.duration = std::chrono::seconds(900);
  o.refresh_before = std::chrono::seconds(900);
  EXPECT_EQ(AssumedRoleCredentials::Create(o).status().code(), StatusCode::kInvalidArgument);
}

// --- against moto_server --------------------------------------------------

constexpr const char* kAllowAll =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
constexpr const char* kTrustAnyone =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]})";
// The bootstrap below spends exactly this many unchecked requests.
constexpr int kBootstrapActions = 6;

class AssumeRoleAgainstMoto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!AwsSandbox::Available(&why)) {
      skip_reason_ = why;
      return;
    }
    transport_ = std::make_unique<CurlHttpTransport>();
    auto m = MotoServer::Start({kBootstrapActions});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    moto_ = std::move(m).value();
    Bootstrap();
  }
  static void TearDownTestSuite() { moto_.reset(); }
  void SetUp() override {
    if (!moto_) GTEST_SKIP() << skip_reason_;
  }

  static std::unique_ptr<AwsQueryClient> Client(AwsCredentials creds) {
    AwsQueryClientOptions o;
    o.transport = transport_.get();
    o.settings.credentials = std::move(creds);
    o.settings.endpoint_url = moto_->endpoint;
    o.retry.max_attempts = 2;
    return std::make_unique<AwsQueryClient>(std::move(o));
  }

  // Unchecked phase: an admin user in the default account, then role x in
  // 111111111111 (created with credentials of that account: an assumed x).
  static void Bootstrap() {
    auto anon = Client({"AKIAIOSFODNN7EXAMPLE", std::string(40, 'x'), "", "bootstrap"});
    IamClient iam(*anon);
    ASSERT_TRUE(iam.CreateUser("ops", "/").ok());
    ASSERT_TRUE(iam.PutUserPolicy("ops", "all", kAllowAll).ok());
    auto key = iam.CreateAccessKey("ops");
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    admin_ = {key->access_key_id, key->secret_access_key, "", "moto admin"};
    auto admin = Client(admin_);
    auto boot = StsClient(*admin).AssumeRole(kRole, "bootstrap", "", std::chrono::hours(1));
    ASSERT_TRUE(boot.ok()) << boot.status().ToString();
    auto in_role = Client(*boot);
    ASSERT_TRUE(in_role
                    ->Call("iam", "CreateRole", "2010-05-08",
                           {{"RoleName", "x"}, {"AssumeRolePolicyDocument", kTrustAnyone}})
                    .ok());
    ASSERT_TRUE(
        in_role
            ->Call("iam", "PutRolePolicy", "2010-05-08",
                   {{"RoleName", "x"}, {"PolicyName", "all"}, {"PolicyDocument", kAllowAll}})
            .ok());
    // Checks are on from here: a wrong secret must now fail.
    auto bad = Client({admin_.access_key_id, std::string(40, 'y'), "", "wrong"});
    ASSERT_EQ(StsClient(*bad).GetCallerIdentity().status().code(), StatusCode::kUnauthenticated)
        << "moto is not checking signatures; the bootstrap count is off";
  }

  static inline std::unique_ptr<MotoServer> moto_;
  static inline std::string skip_reason_;
  static inline std::unique_ptr<CurlHttpTransport> transport_;
  static inline AwsCredentials admin_;
};

TEST_F(AssumeRoleAgainstMoto, AssumedCredentialsActInTheRolesAccount) {
  auto admin = Client(admin_);
  auto admin_id = StsClient(*admin).GetCallerIdentity();
  ASSERT_TRUE(admin_id.ok()) << admin_id.status().ToString();
  EXPECT_EQ(admin_id->account, MotoServer::kDefaultAccountId);

  AssumedRoleOptions ro;
  ro.base = admin.get();
  ro.role_arn = kRole;
  ro.session_name = "provisioning";
  ro.duration = std::chrono::seconds(900);
  ro.refresh_before = std::chrono::seconds(60);
  auto role = AssumedRoleCredentials::Create(ro);
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  AwsQueryClientOptions o;
  o.transport = transport_.get();
  o.settings.endpoint_url = moto_->endpoint;
  o.credentials_source = (*role)->AsSource();
  AwsQueryClient account(std::move(o));

  auto id = StsClient(account).GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->account, "111111111111");
  EXPECT_EQ(id->arn, "arn:aws:sts::111111111111:assumed-role/x/provisioning");

  IamClient in_account(account);
  auto user = in_account.CreateUser("build-agent", "/");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->arn, "arn:aws:iam::111111111111:user/build-agent");
  EXPECT_TRUE(in_account.GetUser("build-agent").ok());
  // Not in the default account: the accounts are apart.
  EXPECT_EQ(IamClient(*admin).GetUser("build-agent").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*role)->sessions(), 1);
}

TEST_F(AssumeRoleAgainstMoto, TemporaryKeyWithoutItsSessionTokenIsRejected) {
  auto admin = Client(admin_);
  auto creds = StsClient(*admin).AssumeRole(kRole, "provisioning", "", std::chrono::hours(1));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  auto with_token = Client(*creds);
  EXPECT_TRUE(IamClient(*with_token).ListUsers().ok());
  AwsCredentials stripped = *creds;
  stripped.session_token.clear();
  auto without = Client(stripped);
  Status s = IamClient(*without).ListUsers().status();
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  AwsCredentials forged = *creds;
  forged.session_token = "not-the-token";
  auto wrong = Client(forged);
  EXPECT_EQ(IamClient(*wrong).ListUsers().status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace spacecrab
