#include "core/access_key.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace spacecrab {
namespace {

std::vector<uint8_t> Bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = uint8_t(rng());
  return v;
}

TEST(AccessKey, DecodesPublishedExample) {
  // Public research example: this temporary key id belongs to account 609629065308.
  EXPECT_EQ(AccountIdFromAccessKeyId("ASIAY34FZKBOKMUTVV7A"), "609629065308");
}

TEST(AccessKey, MintedIdsDecodeToTheirAccount) {
  const char* accounts[] = {"000000000000", "123456789012", "999999999999", "000000000001",
                            "609629065308"};
  uint32_t seed = 1;
  for (const char* account : accounts) {
    for (int i = 0; i < 500; ++i) {
      auto id = MakeAccessKeyId(account, Bytes(kAccessKeyIdEntropyBytes, seed++));
      ASSERT_TRUE(id.ok());
      EXPECT_TRUE(LooksLikeAccessKeyId(*id)) << *id;
      EXPECT_EQ(id->substr(0, 4), "AKIA");
      EXPECT_EQ(AccountIdFromAccessKeyId(*id), account) << *id;
    }
  }
}

TEST(AccessKey, MintedIdsDiffer) {
  auto a = MakeAccessKeyId("123456789012", Bytes(10, 1));
  auto b = MakeAccessKeyId("123456789012", Bytes(10, 2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(AccessKey, RejectsBadAccount) {
  EXPECT_FALSE(MakeAccessKeyId("12345", Bytes(10, 1)).ok());
  EXPECT_FALSE(MakeAccessKeyId("12345678901a", Bytes(10, 1)).ok());
}

TEST(AccessKey, RejectsMalformedIds) {
  EXPECT_FALSE(AccountIdFromAccessKeyId("AKIA123").has_value());
  EXPECT_FALSE(AccountIdFromAccessKeyId("AKIAIOSFODNN7EXAMPL1").has_value());  // '1' not base32
  EXPECT_FALSE(LooksLikeAccessKeyId("AKIAiosfodnn7example"));
  EXPECT_TRUE(LooksLikeAccessKeyId("AKIAIOSFODNN7EXAMPLE"));
}

TEST(AccessKey, SecretHasAwsShape) {
  const std::string s = MakeSecretAccessKey(Bytes(kSecretEntropyBytes, 7));
  ASSERT_EQ(s.size(), 40u);
  for (char c : s) EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/');
}

}  // namespace
}  // namespace spacecrab
