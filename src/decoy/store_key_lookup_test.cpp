#include "decoy/store_key_lookup.h"

#include <gtest/gtest.h>

#include "core/ids.h"
#include "decoy/test_requests.h"
#include "store/store_factory.h"

namespace spacecrab::decoy {
namespace {

class StoreKeyLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite::memory:");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    token_ = AddToken(1, TokenStatus::kActive);
  }

  HoneyToken AddToken(int n, TokenStatus status) {
    const DecoyKey key = testing::MakeKey(n);
    std::vector<uint8_t> entropy(kIdEntropyBytes, static_cast<uint8_t>(n));
    HoneyToken t;
    t.id = MakeId("tok", testing::TestTime(), entropy);
    t.kind = TokenKind::kDecoy;
    t.status = status;
    t.access_key_id = key.access_key_id;
    t.account_id = key.account_id;
    t.user_name = key.user_name;
    t.arn = key.arn;
    t.created_at = t.issued_at = testing::TestTime();
    t.sealed_secret = box_.Seal(testing::kSecret, t.access_key_id);
    EXPECT_TRUE(store_->InsertTokens({&t, 1}).ok());
    return t;
  }

  StoreKeyLookup Make() {
    StoreKeyLookupOptions o;
    o.store = store_.get();
    o.secret_box = &box_;
    o.clock = &clock_;
    o.positive_ttl = std::chrono::seconds(30);
    o.negative_ttl = std::chrono::seconds(5);
    return StoreKeyLookup(o);
  }

  SeededRandom random_{3};
  SecretBox box_ = SecretBox::Generate(random_);
  std::unique_ptr<Store> store_;
  HoneyToken token_;
  ManualClock clock_{testing::TestTime()};
};

TEST_F(StoreKeyLookupTest, FindsTokenAndOpensItsSecret) {
  StoreKeyLookup lookup = Make();
  auto key = lookup.Find(token_.access_key_id);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->token_id, token_.id);
  EXPECT_EQ(key->arn, token_.arn);
  EXPECT_EQ(key->user_name, token_.user_name);
  EXPECT_EQ(key->secret, testing::kSecret);
  EXPECT_EQ(key->status, TokenStatus::kActive);
}

TEST_F(StoreKeyLookupTest, CachesHitsUntilTheTtlThenSeesRevocation) {
  StoreKeyLookup lookup = Make();
  ASSERT_TRUE(lookup.Find(token_.access_key_id).ok());
  ASSERT_TRUE(lookup.Find(token_.access_key_id).ok());
  EXPECT_EQ(lookup.store_reads(), 1u);
  HoneyToken revoked = token_;
  revoked.status = TokenStatus::kRevoked;
  revoked.retired_at = testing::TestTime();
  ASSERT_TRUE(store_->UpdateToken(revoked).ok());
  EXPECT_EQ(lookup.Find(token_.access_key_id)->status, TokenStatus::kActive) << "still cached";
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_EQ(lookup.Find(token_.access_key_id)->status, TokenStatus::kRevoked);
  EXPECT_EQ(lookup.store_reads(), 2u);
}

TEST_F(StoreKeyLookupTest, UnknownIdsAreRememberedBriefly) {
  StoreKeyLookup lookup = Make();
  const std::string stranger = testing::MakeKey(77).access_key_id;
  EXPECT_EQ(lookup.Find(stranger).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(lookup.Find(stranger).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(lookup.store_reads(), 1u);
  clock_.Advance(std::chrono::seconds(6));
  EXPECT_EQ(lookup.Find(stranger).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(lookup.store_reads(), 2u);
}

TEST_F(StoreKeyLookupTest, IdsThatCannotBeKeysNeverReachTheStore) {
  StoreKeyLookup lookup = Make();
  EXPECT_EQ(lookup.Find("AKID").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(lookup.Find("' OR 1=1 --").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(lookup.store_reads(), 0u);
}

TEST_F(StoreKeyLookupTest, SecretSealedForAnotherKeyDoesNotOpen) {
  HoneyToken other = AddToken(2, TokenStatus::kActive);
  other.sealed_secret = token_.sealed_secret;  // copied from another row
  ASSERT_TRUE(store_->UpdateToken(other).ok());
  StoreKeyLookup lookup = Make();
  auto key = lookup.Find(other.access_key_id);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->secret.empty());
}

}  // namespace
}  // namespace spacecrab::decoy
