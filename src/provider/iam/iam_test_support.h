// Shared fixture for the IAM provider and reconciler tests: one sandbox
// (moto with signature checks, behind the CloudTrail recorder) per suite, a
// fault-injecting transport in front of the provider's client, an admin
// client straight to moto to check IAM's real state, and an in-memory
// token view standing in for the store. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include "awsclient/iam_client.h"
#include "awsclient/testing/aws_sandbox.h"
#include "awsclient/testing/fault_injecting_transport.h"
#include "core/clock.h"
#include "crypto/random.h"
#include "provider/iam/iam_provider.h"
#include "provider/iam/iam_reconciler.h"

namespace spacecrab {

class InMemoryTokenView final : public IamTokenView {
 public:
  void Put(const IamTokenRef& t) {
    std::lock_guard lock(mu_);
    tokens_[t.access_key_id] = t;
  }
  Expected<std::optional<IamTokenRef>> FindByAccessKeyId(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(key);
    if (it == tokens_.end()) return std::optional<IamTokenRef>();
    return std::optional<IamTokenRef>(it->second);
  }
  Status ForEachAwsToken(const std::function<void(const IamTokenRef&)>& fn) override {
    std::lock_guard lock(mu_);
    for (const auto& [k, t] : tokens_) fn(t);
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::map<std::string, IamTokenRef> tokens_;
};

class IamSandboxTest : public ::testing::Test {
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
    faults_ = std::make_unique<FaultInjectingTransport>(curl_);
    client_ = MakeClient(faults_.get(), sandbox_->endpoint);
    iam_ = std::make_unique<IamClient>(*client_);
    admin_client_ = MakeClient(&curl_, sandbox_->moto_endpoint);
    admin_ = std::make_unique<IamClient>(*admin_client_);
  }

  std::unique_ptr<AwsQueryClient> MakeClient(HttpTransport* transport,
                                             const std::string& endpoint) {
    AwsQueryClientOptions o;
    o.transport = transport;
    o.settings = sandbox_->AdminSettings();
    o.settings.endpoint_url = endpoint;
    o.retry = {4, std::chrono::milliseconds(1), std::chrono::milliseconds(5)};
    return std::make_unique<AwsQueryClient>(std::move(o));
  }

  // The fixture's IAM client, intent log, clock and random source, in the sandbox account.
  IamProviderOptions ProviderOptions() {
    IamProviderOptions o;
    o.iam = iam_.get();
    o.intents = &intents_;
    o.clock = &clock_;
    o.random = &random_;
    o.account_id = sandbox_->account_id;
    return o;
  }

  std::unique_ptr<IamProvider> MakeProvider(
      IamNameGeneratorOptions names = DefaultIamNameGeneratorOptions()) {
    IamProviderOptions o = ProviderOptions();
    o.names = std::move(names);
    auto p = IamProvider::Create(std::move(o));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  IamReconcileReport Reconcile(bool repair = true) {
    IamReconcileOptions o;
    o.iam = iam_.get();
    o.intents = &intents_;
    o.tokens = &tokens_;
    o.clock = &clock_;
    o.account_id = sandbox_->account_id;
    o.min_intent_age = std::chrono::milliseconds(0);
    o.repair = repair;
    auto r = ReconcileIam(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : IamReconcileReport{};
  }

  static HoneyToken TokenOf(const MintedKey& m, TokenStatus status = TokenStatus::kActive) {
    HoneyToken t;
    t.id = "tok_" + m.access_key_id;
    t.kind = TokenKind::kAws;
    t.status = status;
    t.access_key_id = m.access_key_id;
    t.account_id = m.account_id;
    t.user_name = m.user_name;
    t.arn = m.arn;
    return t;
  }
  void Store(const HoneyToken& t) {
    tokens_.Put({t.id, t.access_key_id, t.account_id, t.user_name, t.status});
  }
  bool UserExists(const std::string& name) { return admin_->GetUser(name).ok(); }

  static bool Has(const std::vector<IamFinding>& fs, const std::string& what,
                  const std::string& user) {
    for (const auto& f : fs) {
      if (f.what == what && f.user_name == user) return true;
    }
    return false;
  }

  static inline std::unique_ptr<AwsSandbox> sandbox_;
  static inline std::string skip_reason_;
  CurlHttpTransport curl_;
  std::unique_ptr<FaultInjectingTransport> faults_;
  std::unique_ptr<AwsQueryClient> client_;
  std::unique_ptr<IamClient> iam_;
  std::unique_ptr<AwsQueryClient> admin_client_;
  std::unique_ptr<IamClient> admin_;
  InMemoryIamIntentLog intents_;
  InMemoryTokenView tokens_;
  SystemClock clock_;
  OpenSslRandom random_;
};

}  // namespace spacecrab
