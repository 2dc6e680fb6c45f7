#include "provider/decoy_provider.h"

#include <gtest/gtest.h>

#include <set>

#include "core/access_key.h"

namespace spacecrab {
namespace {

class DecoyProviderTest : public ::testing::Test {
 protected:
  DecoyProviderTest() : box_(SecretBox::Generate(random_)) {}

  std::unique_ptr<DecoyProvider> Make(const std::string& account = "123456789012") {
    auto provider =
        DecoyProvider::Create({account, "http://127.0.0.1:8081", "us-east-1", &box_, &random_});
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    return provider.ok() ? std::move(provider).value() : nullptr;
  }

  OpenSslRandom random_;
  SecretBox box_;
};

TEST_F(DecoyProviderTest, MintedKeyDecodesToTheDecoyAccount) {
  auto provider = Make("609629065308");
  for (int i = 0; i < 200; ++i) {
    auto key = provider->Mint("");
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_TRUE(LooksLikeAccessKeyId(key->access_key_id));
    EXPECT_EQ(key->access_key_id.substr(0, 4), "AKIA");
    EXPECT_EQ(AccountIdFromAccessKeyId(key->access_key_id), "609629065308");
    EXPECT_EQ(key->account_id, "609629065308");
    EXPECT_EQ(key->arn, "arn:aws:iam::609629065308:user/" + key->user_name);
    EXPECT_EQ(key->kind, TokenKind::kDecoy);
  }
}

TEST_F(DecoyProviderTest, SecretIsSealedBoundToTheKeyIdAndNeverStoredPlain) {
  auto provider = Make();
  auto key = provider->Mint("jenkins-deploy");
  ASSERT_TRUE(key.ok());
  const std::string& secret = key->credentials.secret_access_key;
  ASSERT_EQ(secret.size(), 40u);
  for (char c : secret)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/');
  EXPECT_EQ(key->sealed_secret.find(secret), std::string::npos);
  auto opened = box_.Open(key->sealed_secret, key->access_key_id);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, secret);
  // Bound to its own key id: opening with another id fails.
  EXPECT_FALSE(box_.Open(key->sealed_secret, "AKIAAAAAAAAAAAAAAAAA").ok());
  EXPECT_EQ(key->credentials.endpoint_url, "http://127.0.0.1:8081");
  EXPECT_EQ(key->credentials.access_key_id, key->access_key_id);
  EXPECT_EQ(key->user_name, "jenkins-deploy");
}

TEST_F(DecoyProviderTest, MintsDistinctKeysAndSecrets) {
  auto provider = Make();
  std::set<std::string> ids, secrets;
  for (int i = 0; i < 1000; ++i) {
    auto key = provider->Mint("");
    ASSERT_TRUE(key.ok());
    ids.insert(key->access_key_id);
    secrets.insert(key->credentials.secret_access_key);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(secrets.size(), 1000u);
}

TEST_F(DecoyProviderTest, RotateKeepsUserNameAndAccountWithANewKey) {
  auto provider = Make();
  HoneyToken old;
  old.account_id = "000000000042";
  old.user_name = "svc-backup-prod";
  old.access_key_id = "AKIAAAAAAAAAAAAAAAAA";
  auto key = provider->Rotate(old);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->user_name, "svc-backup-prod");
  EXPECT_EQ(key->account_id, "000000000042");
  EXPECT_EQ(AccountIdFromAccessKeyId(key->access_key_id), "000000000042");
  EXPECT_NE(key->access_key_id, old.access_key_id);
  EXPECT_TRUE(provider->Revoke(old).ok());
  EXPECT_TRUE(provider->Delete(old).ok());
}

TEST_F(DecoyProviderTest, RejectsBadAccountAndBadUserName) {
  EXPECT_FALSE(DecoyProvider::Create({"12345", "", "us-east-1", &box_, &random_}).ok());
  EXPECT_FALSE(DecoyProvider::Create({"123456789012", "", "us-east-1", nullptr, &random_}).ok());
  auto provider = Make();
  auto key = provider->Mint("has space");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spacecrab
