#include "awsclient/aws_query_client.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "awsclient/iam_client.h"
#include "awsclient/testing/scripted_transport.h"
#include "core/clock.h"

namespace spacecrab {
namespace {

std::string Error(const std::string& code, const std::string& message) {
  return "<ErrorResponse "
         "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>" +
         code + "</Code><Message>" + message +
         "</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";
}

const char* kCreateUser = R"(<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <CreateUserResult><User><Path>/ci/</Path><UserName>jenkins-deploy</UserName><UserId>AIDAEXAMPLE</UserId>
  <Arn>arn:aws:iam::123456789012:user/ci/jenkins-deploy</Arn><CreateDate>2026-11-23T17:50:28Z</CreateDate>
  </User></CreateUserResult><ResponseMetadata><RequestId>req-7</RequestId></ResponseMetadata></CreateUserResponse>)";

struct Harness {
  explicit Harness(AwsRetryPolicy retry = {}, int concurrency = 4) {
    AwsQueryClientOptions o;
    o.transport = &transport;
    o.settings.credentials = {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"};
    o.settings.region = "eu-west-1";
    o.settings.endpoint_url = "http://127.0.0.1:1";
    o.retry = retry;
    o.max_concurrency = concurrency;
    o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    o.uniform01 = [] { return 1.0; };  // the top of the jitter range: deterministic bounds
    client = std::make_unique<AwsQueryClient>(std::move(o));
  }
  ScriptedTransport transport;
  std::vector<std::chrono::milliseconds> sleeps;
  std::unique_ptr<AwsQueryClient> client;
};

TEST(AwsQueryClient, SignsIamForUsEast1WithASortedEncodedBody) {
  Harness h;
  h.transport.Push(200, kCreateUser);
  IamClient iam(*h.client);
  auto u = iam.CreateUser("jenkins-deploy", "/ci/");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  ASSERT_EQ(h.transport.requests.size(), 1u);
  const HttpRequest& r = h.transport.requests[0];
  EXPECT_EQ(r.sigv4_provider, "aws:amz:us-east-1:iam");  // global service, not eu-west-1
  EXPECT_EQ(r.url, "http://127.0.0.1:1/");
  EXPECT_EQ(r.body, "Action=CreateUser&Path=%2Fci%2F&UserName=jenkins-deploy&Version=2010-05-08");
  EXPECT_EQ(u->arn, "arn:aws:iam::123456789012:user/ci/jenkins-deploy");
  EXPECT_EQ(u->path, "/ci/");
  EXPECT_EQ(u->user_id, "AIDAEXAMPLE");
  EXPECT_EQ(FormatRfc3339(u->create_date), "2026-11-23T17:50:28Z");
}

TEST(AwsQueryClient, RetriesThrottlingWithExponentialBackoff) {
  Harness h({5, std::chrono::milliseconds(100), std::chrono::milliseconds(10000)});
  h.transport.Push(400, Error("Throttling", "Rate exceeded"));
  h.transport.Push(503, "<html>busy</html>");
  h.transport.PushFailure();
  h.transport.Push(200, kCreateUser);
  auto r = h.client->Call("iam", "CreateUser", "2010-05-08", {{"UserName", "x"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 4);
  ASSERT_EQ(h.sleeps.size(), 3u);
  EXPECT_EQ(h.sleeps[0].count(), 100);
  EXPECT_EQ(h.sleeps[1].count(), 200);
  EXPECT_EQ(h.sleeps[2].count(), 400);
  EXPECT_EQ(r->request_id, "req-7");
}

TEST(AwsQueryClient, JitterStaysWithinTheCappedWindow) {
  Harness h({8, std::chrono::milliseconds(1000), std::chrono::milliseconds(3000)});
  for (int i = 0; i < 8; ++i) h.transport.Push(429, "");
  auto r = h.client->Call("iam", "ListUsers", "2010-05-08", {});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(AwsErrorCode(r.status()), "Throttling");
  ASSERT_EQ(h.sleeps.size(), 7u);
  for (auto d : h.sleeps) EXPECT_LE(d.count(), 3000);
  EXPECT_EQ(h.sleeps.back().count(), 3000);
}

TEST(AwsQueryClient, ClientErrorsAreNotRetried) {
  Harness h;
  h.transport.Push(404, Error("NoSuchEntity", "The user with name x cannot be found."));
  h.transport.Push(403, Error("AccessDenied", "no"));
  h.transport.Push(409, Error("EntityAlreadyExists", "User with name x already exists."));
  h.transport.Push(403, Error("SignatureDoesNotMatch", "bad"));
  h.transport.Push(409, Error("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"));
  IamClient iam(*h.client);
  auto missing = iam.GetUser("x");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(AwsErrorCode(missing.status()), "NoSuchEntity");
  EXPECT_NE(missing.status().message().find("req-1"), std::string::npos);
  EXPECT_EQ(iam.GetUser("x").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(iam.CreateUser("x", "/").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(iam.GetUser("x").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(iam.CreateAccessKey("x").status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(h.transport.requests.size(), 5u);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(AwsQueryClient, UnparseableSuccessIsDataLoss) {
  Harness h;
  h.transport.Push(200, "<not xml");
  EXPECT_EQ(h.client->Call("sts", "GetCallerIdentity", "2011-06-15", {}).status().code(),
            StatusCode::kDataLoss);
}

// Counts how many Sends overlap.
class SlowTransport final : public HttpTransport {
 public:
  Expected<HttpResponse> Send(const HttpRequest&) override {
    const int now = ++in_flight;
    int seen = max_seen.load();
    while (now > seen && !max_seen.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --in_flight;
    return HttpResponse{
        200,
        {},
        "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
        "</GetCallerIdentityResult></GetCallerIdentityResponse>"};
  }
  std::atomic<int> in_flight{0};
  std::atomic<int> max_seen{0};
};

TEST(AwsQueryClient, BoundsConcurrentRequests) {
  SlowTransport transport;
  AwsQueryClientOptions o;
  o.transport = &transport;
  o.settings.credentials = {"AKIAIOSFODNN7EXAMPLE", "secret", "", "test"};
  o.max_concurrency = 2;
  AwsQueryClient client(std::move(o));
  StsClient sts(client);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { ok += sts.GetCallerIdentity().ok() ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(transport.max_seen.load(), 2);
}

TEST(AwsQueryClient, SessionTokenTravelsAsAHeader) {
  Harness h;
  AwsQueryClientOptions o;
  o.transport = &h.transport;
  o.settings.credentials = {"ASIAIOSFODNN7EXAMPLE", "secret", "session-token", "test"};
  AwsQueryClient client(std::move(o));
  h.transport.Push(
      200,
      "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
      "</GetCallerIdentityResult></GetCallerIdentityResponse>");
  ASSERT_TRUE(StsClient(client).GetCallerIdentity().ok());
  const auto& headers = h.transport.requests.at(0).headers;
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::pair<std::string, std::string>{"X-Amz-Security-Token", "session-token"}),
            headers.end());
  EXPECT_EQ(h.transport.requests.at(0).url, "https://sts.amazonaws.com/");
}

// --- expiring credentials -------------------------------------------------

const char* kCallerIdentity =
    "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111111111111</Account>"
    "</GetCallerIdentityResult></GetCallerIdentityResponse>";

const Timestamp kT0 = FromUnixMillis(1'800'000'000'000);

// A credentials source handing out generation n: key ASIA...n, token tok-n,
// valid for an hour from the clock's now.
struct CountingSource {
  explicit CountingSource(const Clock& c) : clock(c) {}
  Expected<AwsCredentials> operator()() {
    const int n = ++calls;
    if (fail) return PermissionDenied("AssumeRole arn:aws:iam::111111111111:role/x failed: no");
    AwsCredentials c{fmt::format("ASIAEXAMPLEGENERATION{}", n), fmt::format("secret-{}", n),
                     fmt::format("tok-{}", n), "test"};
    c.expiration = clock.Now() + std::chrono::hours(1);
    return c;
  }
  const Clock& clock;
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
};

struct RefreshHarness {
  RefreshHarness() : clock(kT0), source(clock) {
    AwsQueryClientOptions o;
    o.transport = &transport;
    o.settings.endpoint_url = "http://127.0.0.1:1";
    o.credentials_source = [this] { return source(); };
    o.clock = &clock;
    o.retry.max_attempts = 1;
    client = std::make_unique<AwsQueryClient>(std::move(o));
  }
  Status CallOnce() {
    transport.Push(200, kCallerIdentity);
    return StsClient(*client).GetCallerIdentity().status();
  }
  ManualClock clock;
  CountingSource source;
  ScriptedTransport transport;
  std::unique_ptr<AwsQueryClient> client;
};

TEST(AwsQueryClient, RefreshesExpiringCredentialsFiveMinutesBeforeExpiry) {
  RefreshHarness h;
  ASSERT_TRUE(h.CallOnce().ok());
  EXPECT_EQ(h.source.calls.load(), 1);
  h.clock.Advance(std::chrono::minutes(54));  // 6 minutes left: still cached
  ASSERT_TRUE(h.CallOnce().ok());
  EXPECT_EQ(h.source.calls.load(), 1);
  h.clock.Advance(std::chrono::seconds(61));  // 4:59 left: refresh first
  ASSERT_TRUE(h.CallOnce().ok());
  EXPECT_EQ(h.source.calls.load(), 2);

  ASSERT_EQ(h.transport.requests.size(), 3u);
  const auto& first = h.transport.requests[0];
  const auto& cached = h.transport.requests[1];
  const auto& refreshed = h.transport.requests[2];
  EXPECT_EQ(first.access_key_id, "ASIAEXAMPLEGENERATION1");
  EXPECT_EQ(HeaderOf(first, "X-Amz-Security-Token"), "tok-1");
  EXPECT_EQ(cached.access_key_id, "ASIAEXAMPLEGENERATION1");
  EXPECT_EQ(HeaderOf(cached, "X-Amz-Security-Token"), "tok-1");
  EXPECT_EQ(refreshed.access_key_id, "ASIAEXAMPLEGENERATION2");
  EXPECT_EQ(refreshed.secret_access_key, "secret-2");
  EXPECT_EQ(HeaderOf(refreshed, "X-Amz-Security-Token"), "tok-2");
}

TEST(AwsQueryClient, StaticCredentialsSendNoSecurityToken) {
  Harness h;
  h.transport.Push(200, kCallerIdentity);
  ASSERT_TRUE(StsClient(*h.client).GetCallerIdentity().ok());
  for (const auto& [name, value] : h.transport.requests.at(0).headers)
    EXPECT_NE(name, "X-Amz-Security-Token");
}

TEST(AwsQueryClient, FailedRefreshUsesStillValidCredentialsThenIsUnavailable) {
  RefreshHarness h;
  ASSERT_TRUE(h.CallOnce().ok());
  h.source.fail = true;
  h.clock.Advance(std::chrono::minutes(57));  // 3 minutes left: refresh fails, old ones do
  ASSERT_TRUE(h.CallOnce().ok());
  EXPECT_EQ(h.transport.requests.back().access_key_id, "ASIAEXAMPLEGENERATION1");
  h.clock.Advance(std::chrono::minutes(2) + std::chrono::seconds(30));  // 30 s left: not enough
  const size_t sent = h.transport.requests.size();
  Status s = StsClient(*h.client).GetCallerIdentity().status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("arn:aws:iam::111111111111:role/x"), std::string::npos);
  EXPECT_EQ(h.transport.requests.size(), sent);  // nothing sent with doomed credentials
  h.source.fail = false;                         // STS is back: the next call refreshes
  ASSERT_TRUE(h.CallOnce().ok());
  EXPECT_EQ(HeaderOf(h.transport.requests.back(), "X-Amz-Security-Token"),
            fmt::format("tok-{}", h.source.calls.load()));
}

TEST(AwsQueryClient, ExpiredTokenAnswerForcesOneRefreshAndRetry) {
  RefreshHarness h;
  h.transport.Push(403, Error("ExpiredToken", "The security token is expired"));
  h.transport.Push(200, kCallerIdentity);
  auto id = StsClient(*h.client).GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(h.source.calls.load(), 2);
  ASSERT_EQ(h.transport.requests.size(), 2u);
  EXPECT_EQ(HeaderOf(h.transport.requests[1], "X-Amz-Security-Token"), "tok-2");
}

TEST(AwsQueryClient, ConcurrentCallersShareOneRefresh) {
  ManualClock clock(kT0);
  std::atomic<int> calls{0};
  SlowTransport transport;
  AwsQueryClientOptions o;
  o.transport = &transport;
  o.clock = &clock;
  o.max_concurrency = 8;
  o.credentials_source = [&]() -> Expected<AwsCredentials> {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    AwsCredentials c{"ASIAEXAMPLEEXAMPLE01", "secret", "tok", "test"};
    c.expiration = clock.Now() + std::chrono::hours(1);
    return c;
  };
  AwsQueryClient client(std::move(o));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] { ok += StsClient(client).GetCallerIdentity().ok() ? 1 : 0; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace spacecrab
