// IamProvider against moto with signature and policy checks: every claim is
// verified in moto's IAM state through an independent admin client.
#include "provider/iam/iam_provider.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "provider/iam/iam_policy.h"
#include "provider/iam/iam_test_support.h"

namespace spacecrab {
namespace {

using IamProviderTest = IamSandboxTest;

TEST_F(IamProviderTest, MintMakesADenyAllUserWithOneKeyInThatOrder) {
  auto provider = MakeProvider();
  ASSERT_TRUE(provider);
  auto m = provider->Mint("");
  ASSERT_TRUE(m.ok()) << m.status().ToString();

  const auto actions = faults_->Actions();
  std::vector<std::string> mint_calls(actions.end() - 3, actions.end());
  EXPECT_EQ(mint_calls,
            (std::vector<std::string>{"CreateUser", "PutUserPolicy", "CreateAccessKey"}));

  auto user = admin_->GetUser(m->user_name);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->arn, m->arn);
  EXPECT_EQ(m->account_id, sandbox_->account_id);
  EXPECT_TRUE(IamNameGenerator::IsPlausiblePath(user->path)) << user->path;
  auto policies = admin_->ListUserPolicies(m->user_name);
  ASSERT_TRUE(policies.ok());
  EXPECT_EQ(*policies, std::vector<std::string>{provider->policy_name()});
  auto doc = admin_->GetUserPolicy(m->user_name, provider->policy_name());
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(IsDenyAllPolicy(*doc)) << *doc;
  auto keys = admin_->ListAccessKeys(m->user_name);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].access_key_id, m->access_key_id);
  EXPECT_EQ((*keys)[0].status, "Active");
  EXPECT_EQ(m->credentials.secret_access_key.size(), 40u);
  EXPECT_TRUE(m->sealed_secret.empty()) << "an IAM secret is never kept";

  // Nothing attacker-visible names the product.
  const auto forbidden = DefaultIamNameGeneratorOptions().forbidden_words;
  EXPECT_FALSE(IamNameGenerator::ContainsForbiddenWord(m->arn, forbidden)) << m->arn;
  EXPECT_FALSE(IamNameGenerator::ContainsForbiddenWord(provider->policy_name(), forbidden));

  // The intent is open until the token is stored, then closed.
  auto open = intents_.ListOpen();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].state, IamIntentState::kKeyCreated);
  EXPECT_EQ((*open)[0].access_key_id, m->access_key_id);
  ASSERT_TRUE(provider->ConfirmStored(m->access_key_id).ok());
  EXPECT_TRUE(intents_.ListOpen()->empty());
}

TEST_F(IamProviderTest, MintedKeyIsDeniedEverythingButGetCallerIdentity) {
  auto provider = MakeProvider();
  auto m = provider->Mint("");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  AwsQueryClientOptions o;
  o.transport = &curl_;
  o.settings = sandbox_->AdminSettings();
  o.settings.credentials = {m->credentials.access_key_id, m->credentials.secret_access_key, "",
                            "minted"};
  AwsQueryClient as_attacker(std::move(o));
  auto id = StsClient(as_attacker).GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->arn, m->arn);
  auto list = IamClient(as_attacker).ListUsers();
  EXPECT_EQ(list.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(IamClient(as_attacker).CreateUser("backdoor", "/").status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(IamProviderTest, GeneratedNamesAvoidUsersThatAlreadyExist) {
  ASSERT_TRUE(admin_->CreateUser("jsmith", "/").ok());
  IamNameGeneratorOptions names;
  names.styles = {{"person", 1, {"{f}{last}"}, {"/"}}};
  names.words = {{"first", {"john", "jane"}}, {"last", {"smith"}}};
  names.forbidden_words = DefaultIamNameGeneratorOptions().forbidden_words;
  auto provider = MakeProvider(names);
  auto m = provider->Mint("");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NE(m->user_name, "jsmith");
  EXPECT_EQ(m->user_name.rfind("jsmith", 0), 0u) << m->user_name;
  EXPECT_EQ(faults_->Count("CreateUser"), 1) << "the collision was avoided, not hit";
}

TEST_F(IamProviderTest, HintNamesAreUsedAndTellTaleOnesRefused) {
  auto provider = MakeProvider();
  auto m = provider->Mint("t.okafor");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->user_name, "t.okafor");
  EXPECT_EQ(provider->Mint("honey-user").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(provider->Mint("6b1f3a2e-8c4d-4e5f-9a0b-1c2d3e4f5a6b").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(IamProviderTest, RevokeMakesTheKeyInactive) {
  auto provider = MakeProvider();
  auto m = provider->Mint("");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(provider->Revoke(TokenOf(*m)).ok());
  auto keys = admin_->ListAccessKeys(m->user_name);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].status, "Inactive");
  EXPECT_TRUE(UserExists(m->user_name)) << "revocation keeps the identity";
}

TEST_F(IamProviderTest, RotateKeepsTheUserAndMakesRoomByDroppingTheOldestInactiveKey) {
  auto provider = MakeProvider();
  auto first = provider->Mint("");
  ASSERT_TRUE(first.ok());
  auto second = provider->Rotate(TokenOf(*first));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->user_name, first->user_name);
  EXPECT_NE(second->access_key_id, first->access_key_id);
  ASSERT_TRUE(provider->Revoke(TokenOf(*first)).ok());  // what the caller does after Rotate

  auto keys = admin_->ListAccessKeys(first->user_name);
  ASSERT_TRUE(keys.ok());
  std::map<std::string, std::string> status;
  for (const auto& k : *keys) status[k.access_key_id] = k.status;
  EXPECT_EQ(status, (std::map<std::string, std::string>{{first->access_key_id, "Inactive"},
                                                        {second->access_key_id, "Active"}}));

  // A third key: IAM allows two, so the oldest inactive one (first) goes.
  auto third = provider->Rotate(TokenOf(*second));
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  ASSERT_TRUE(provider->Revoke(TokenOf(*second)).ok());
  keys = admin_->ListAccessKeys(first->user_name);
  ASSERT_TRUE(keys.ok());
  status.clear();
  for (const auto& k : *keys) status[k.access_key_id] = k.status;
  EXPECT_EQ(status, (std::map<std::string, std::string>{{second->access_key_id, "Inactive"},
                                                        {third->access_key_id, "Active"}}));
}

TEST_F(IamProviderTest, RotateRefusesWhenBothKeysAreActive) {
  auto provider = MakeProvider();
  auto first = provider->Mint("");
  ASSERT_TRUE(first.ok());
  auto second = provider->Rotate(TokenOf(*first));
  ASSERT_TRUE(second.ok());
  auto third = provider->Rotate(TokenOf(*second));
  EXPECT_EQ(third.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(admin_->ListAccessKeys(first->user_name)->size(), 2u);
}

TEST_F(IamProviderTest, DeleteRemovesKeyPolicyAndUser) {
  auto provider = MakeProvider();
  auto m = provider->Mint("");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(provider->Delete(TokenOf(*m)).ok());
  EXPECT_EQ(admin_->GetUser(m->user_name).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(admin_->GetUserPolicy(m->user_name, provider->policy_name()).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(provider->Delete(TokenOf(*m)).ok()) << "deleting twice is harmless";
}

TEST_F(IamProviderTest, DeleteKeepsTheUserWhileARotatedSiblingHoldsAKey) {
  auto provider = MakeProvider();
  auto first = provider->Mint("");
  ASSERT_TRUE(first.ok());
  auto second = provider->Rotate(TokenOf(*first));
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(provider->Delete(TokenOf(*first)).ok());
  auto keys = admin_->ListAccessKeys(first->user_name);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].access_key_id, second->access_key_id);
  EXPECT_TRUE(admin_->GetUserPolicy(first->user_name, provider->policy_name()).ok());
}

TEST_F(IamProviderTest, ConcurrentMintsMakeDistinctUsers) {
  auto provider = MakeProvider();
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> users, keys;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto m = provider->Mint("");
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      std::lock_guard lock(mu);
      users.insert(m->user_name);
      keys.insert(m->access_key_id);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(users.size(), 6u);
  EXPECT_EQ(keys.size(), 6u);
  for (const auto& u : users)
    EXPECT_TRUE(admin_->GetUserPolicy(u, provider->policy_name()).ok()) << u;
}

TEST_F(IamProviderTest, RoomCountsTheAccountsUsersThroughMintsFailuresAndDeletes) {
  auto provider = MakeProvider();
  ASSERT_TRUE(provider);
  auto listed = [&] { return static_cast<int64_t>(admin_->ListUsers("/")->size()); };
  ProviderRoom room = provider->Room();
  EXPECT_EQ(room.account_id, sandbox_->account_id);
  EXPECT_EQ(room.users_limit, 5000);
  EXPECT_EQ(room.ready_keys, 0);
  EXPECT_EQ(room.users_used, listed());  // every user in the account, not just ours
  EXPECT_TRUE(room.has_room());

  auto m = provider->Mint("");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(provider->Room().users_used, room.users_used + 1);

  // A mint that fails after CreateUser is rolled back: the user is gone and uncounted.
  faults_->FailNext("CreateAccessKey", 1, 409, "LimitExceeded");
  EXPECT_EQ(provider->Mint("").status().code(), StatusCode::kResourceExhausted);
  // One IAM refuses outright made nothing either.
  faults_->FailNext("CreateUser", 1, 409, "LimitExceeded");
  EXPECT_EQ(provider->Mint("").status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(provider->Room().users_used, room.users_used + 1);
  EXPECT_EQ(provider->Room().users_used, listed());

  ASSERT_TRUE(provider->Delete(TokenOf(*m)).ok());
  EXPECT_EQ(provider->Room().users_used, room.users_used);
  EXPECT_EQ(provider->Room().users_used, listed());
}

TEST_F(IamProviderTest, MaxUsersSetsTheReportedLimit) {
  IamProviderOptions o = ProviderOptions();
  o.max_users = 0;
  EXPECT_EQ(IamProvider::Create(o).status().code(), StatusCode::kInvalidArgument);
  o.max_users = 1;  // the account already holds more (the admin and earlier tests' users)
  auto p = IamProvider::Create(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->Room().users_limit, 1);
  EXPECT_FALSE((*p)->Room().has_room());
}

}  // namespace
}  // namespace spacecrab
