#include "service/api_key_service.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "service/service_test_util.h"

namespace spacecrab {
namespace {

using testing::ServiceWorld;

class ApiKeyServiceTest : public ::testing::Test {
 protected:
  ApiKeyServiceTest() : keys_({w_.store.get(), &w_.clock, &w_.random, std::chrono::minutes(1)}) {}

  ServiceWorld w_;
  ApiKeyService keys_;
  Actor actor_{"system:first-start", ""};
};

TEST_F(ApiKeyServiceTest, CreateReturnsTheSecretOnceAndStoresOnlyItsHash) {
  auto created = keys_.Create("fleet deploy", ApiScope::kDeploy, actor_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::string& secret = created->secret;
  EXPECT_TRUE(ApiKeyService::LooksLikeApiKey(secret)) << secret;
  EXPECT_EQ(secret.size(), 47u);
  EXPECT_EQ(secret.rfind("sck_", 0), 0u);
  auto listed = keys_.List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const ApiKey& stored = listed->front();
  EXPECT_EQ(stored.secret_hash, Sha256Hex(secret));
  EXPECT_EQ(stored.prefix, secret.substr(0, 8));
  EXPECT_EQ(stored.scope, ApiScope::kDeploy);
  auto audit = w_.store->ListAudit(10, 0);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "apikey.create");
  EXPECT_EQ((*audit)[0].detail_json.find(secret), std::string::npos);
  EXPECT_NE(keys_.Create("fleet deploy", ApiScope::kDeploy, actor_)->secret, secret);
}

TEST_F(ApiKeyServiceTest, AuthenticateAcceptsOnlyKnownUnrevokedKeys) {
  auto admin = keys_.Create("admin", ApiScope::kAdmin, actor_);
  auto reader = keys_.Create("dashboards", ApiScope::kRead, actor_);
  ASSERT_TRUE(admin.ok() && reader.ok());
  auto who = keys_.Authenticate(reader->secret);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->id, reader->key.id);
  EXPECT_EQ(who->scope, ApiScope::kRead);

  std::string wrong = reader->secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad : {wrong, std::string(), std::string("sck_short"),
                                 std::string("Bearer ") + reader->secret, reader->key.secret_hash})
    EXPECT_EQ(keys_.Authenticate(bad).status().code(), StatusCode::kUnauthenticated) << bad;

  ASSERT_TRUE(keys_.Revoke(reader->key.id, actor_).ok());
  EXPECT_EQ(keys_.Authenticate(reader->secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(keys_.Authenticate(admin->secret).ok());
}

TEST_F(ApiKeyServiceTest, ARevokeByAnotherProcessTakesEffectWithinTheCacheInterval) {
  auto admin = keys_.Create("admin", ApiScope::kAdmin, actor_);
  auto ci = keys_.Create("ci", ApiScope::kDeploy, actor_);
  ASSERT_TRUE(admin.ok() && ci.ok());
  ASSERT_TRUE(keys_.Authenticate(ci->secret).ok());  // now remembered
  // `spacecrab apikey revoke` from another process writes the store directly.
  ASSERT_TRUE(w_.store->RevokeApiKey(ci->key.id, w_.clock.Now()).ok());
  w_.clock.Advance(std::chrono::milliseconds(900));
  EXPECT_TRUE(keys_.Authenticate(ci->secret).ok());  // within the 1 s it is trusted
  w_.clock.Advance(std::chrono::milliseconds(200));
  EXPECT_EQ(keys_.Authenticate(ci->secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(keys_.Authenticate(admin->secret).ok());
}

TEST_F(ApiKeyServiceTest, WithoutACacheEveryRequestReadsTheStore) {
  ApiKeyService uncached({w_.store.get(), &w_.clock, &w_.random, std::chrono::minutes(1),
                          std::chrono::milliseconds(0)});
  auto ci = uncached.Create("ci", ApiScope::kDeploy, actor_);
  ASSERT_TRUE(ci.ok());
  ASSERT_TRUE(uncached.Authenticate(ci->secret).ok());
  ASSERT_TRUE(w_.store->RevokeApiKey(ci->key.id, w_.clock.Now()).ok());
  EXPECT_EQ(uncached.Authenticate(ci->secret).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ApiKeyServiceTest, LastUsedIsWrittenAtMostOncePerInterval) {
  auto key = keys_.Create("ci", ApiScope::kDeploy, actor_);
  ASSERT_TRUE(key.ok());
  const Timestamp t0 = w_.clock.Now();
  ASSERT_TRUE(keys_.Authenticate(key->secret).ok());
  EXPECT_EQ(keys_.List()->front().last_used_at, t0);
  w_.clock.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(keys_.Authenticate(key->secret).ok());
  EXPECT_EQ(keys_.List()->front().last_used_at, t0);
  w_.clock.Advance(std::chrono::seconds(31));
  ASSERT_TRUE(keys_.Authenticate(key->secret).ok());
  EXPECT_EQ(keys_.List()->front().last_used_at, w_.clock.Now());
}

TEST_F(ApiKeyServiceTest, TheLastActiveAdminKeyCannotBeRevoked) {
  auto first = keys_.Create("admin-1", ApiScope::kAdmin, actor_);
  auto deploy = keys_.Create("deploy", ApiScope::kDeploy, actor_);
  ASSERT_TRUE(first.ok() && deploy.ok());
  EXPECT_EQ(keys_.Revoke(first->key.id, actor_).status().code(), StatusCode::kFailedPrecondition);
  auto second = keys_.Create("admin-2", ApiScope::kAdmin, actor_);
  ASSERT_TRUE(keys_.Revoke(first->key.id, actor_).ok());
  EXPECT_EQ(keys_.Revoke(second->key.id, actor_).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(keys_.Revoke(deploy->key.id, actor_).ok());
  EXPECT_TRUE(keys_.Revoke(deploy->key.id, actor_).ok());  // idempotent
  EXPECT_EQ(keys_.Revoke("key_01JZZZZZZZZZZZZZZZZZZZZZZZ", actor_).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(*keys_.Count(), 3);
}

TEST_F(ApiKeyServiceTest, NamesAreValidated) {
  EXPECT_FALSE(keys_.Create("", ApiScope::kRead, actor_).ok());
  EXPECT_FALSE(keys_.Create(std::string(129, 'n'), ApiScope::kRead, actor_).ok());
  EXPECT_FALSE(keys_.Create("tab\there", ApiScope::kRead, actor_).ok());
  EXPECT_TRUE(keys_.Create("Grafana (read-only) — ops", ApiScope::kRead, actor_).ok());
}

}  // namespace
}  // namespace spacecrab
