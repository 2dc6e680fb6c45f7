// The KeyPoolStore contract (provider/key_pool_store.h), run against the
// reference InMemoryKeyPoolStore and SqliteKeyPool; then what only the
// SQLite pool promises (its keys survive a restart).
#include "store/sqlite_key_pool.h"

#include <gtest/gtest.h>

#include "store/store_factory.h"
#include "store/store_test_util.h"

namespace spacecrab {
namespace {

PooledKey Key(const std::string& id, const std::string& account, int64_t minted_ms) {
  PooledKey k;
  k.access_key_id = id;
  k.kind = TokenKind::kAws;
  k.account_id = account;
  k.user_name = "svc-" + id;
  k.arn = "arn:aws:iam::" + account + ":user/svc-" + id;
  k.region = "eu-west-1";
  k.sealed_secret = "sealed:" + id;
  k.minted_at = FromUnixMillis(minted_ms);
  return k;
}

std::vector<std::string> Ids(const Expected<std::vector<PooledKey>>& keys) {
  std::vector<std::string> ids;
  EXPECT_TRUE(keys.ok()) << keys.status().ToString();
  if (keys.ok())
    for (const auto& k : *keys) ids.push_back(k.access_key_id);
  return ids;
}

class KeyPoolContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      pool_ = std::make_unique<InMemoryKeyPoolStore>();
      return;
    }
    auto opened = OpenStoreBundle("sqlite:" + dir_.File("pool.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    pool_ = std::move(opened->key_pool);
  }
  testing::TempDir dir_;
  std::unique_ptr<KeyPoolStore> pool_;
};

TEST_P(KeyPoolContract, ListsByAccountOldestFirstAndRemoves) {
  ASSERT_TRUE(pool_->Put(Key("AKIAB", "111111111111", 2000)).ok());
  ASSERT_TRUE(pool_->Put(Key("AKIAA", "111111111111", 1000)).ok());
  ASSERT_TRUE(pool_->Put(Key("AKIAC", "222222222222", 500)).ok());
  EXPECT_EQ(pool_->Put(Key("AKIAA", "111111111111", 3000)).code(), StatusCode::kAlreadyExists);
  if (GetParam() != "memory") {  // the reference keeps insertion order
    EXPECT_EQ(Ids(pool_->List("111111111111")), (std::vector<std::string>{"AKIAA", "AKIAB"}));
  }
  EXPECT_EQ(Ids(pool_->List("222222222222")), (std::vector<std::string>{"AKIAC"}));
  EXPECT_EQ(Ids(pool_->List("")).size(), 3u);
  ASSERT_TRUE(pool_->Remove("AKIAB").ok());
  ASSERT_TRUE(pool_->Remove("AKIAB").ok());  // not pooled: still fine
  EXPECT_EQ(Ids(pool_->List("111111111111")), (std::vector<std::string>{"AKIAA"}));
}

TEST_P(KeyPoolContract, KeepsEveryField) {
  PooledKey k = Key("AKIAZ", "111111111111", 1234);
  k.kind = TokenKind::kDecoy;
  k.endpoint_url = "http://127.0.0.1:8081";
  k.token_secret = "box:abc";
  ASSERT_TRUE(pool_->Put(k).ok());
  auto listed = pool_->List("111111111111");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const PooledKey& got = listed->front();
  EXPECT_EQ(got.kind, TokenKind::kDecoy);
  EXPECT_EQ(got.user_name, k.user_name);
  EXPECT_EQ(got.arn, k.arn);
  EXPECT_EQ(got.region, "eu-west-1");
  EXPECT_EQ(got.endpoint_url, k.endpoint_url);
  EXPECT_EQ(got.sealed_secret, k.sealed_secret);
  EXPECT_EQ(got.token_secret, "box:abc");
  EXPECT_EQ(got.minted_at, k.minted_at);
}

INSTANTIATE_TEST_SUITE_P(Stores, KeyPoolContract, ::testing::Values("memory", "sqlite"));

TEST(SqliteKeyPool, KeysSurviveReopening) {
  testing::TempDir dir;
  const std::string url = "sqlite:" + dir.File("pool.db");
  {
    auto bundle = OpenStoreBundle(url);
    ASSERT_TRUE(bundle.ok());
    ASSERT_TRUE(bundle->key_pool->Put(Key("AKIAKEEP", "111111111111", 1)).ok());
  }
  auto bundle = OpenStoreBundle(url);
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(Ids(bundle->key_pool->List("")), (std::vector<std::string>{"AKIAKEEP"}));
}

}  // namespace
}  // namespace spacecrab
