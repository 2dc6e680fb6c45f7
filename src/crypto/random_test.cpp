#include "crypto/random.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace spacecrab {
namespace {

TEST(OpenSslRandom, ProducesDistinctBuffers) {
  OpenSslRandom random;
  std::set<std::vector<uint8_t>> seen;
  for (int i = 0; i < 100; ++i) seen.insert(RandomBytes(random, 16));
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(RandomBytes(random, 0).size(), 0u);
  EXPECT_EQ(RandomBytes(random, 1000).size(), 1000u);
}

TEST(SeededRandom, SameSeedSameBytesDifferentSeedDifferentBytes) {
  SeededRandom a(42), b(42), c(43);
  const auto x = RandomBytes(a, 33);
  EXPECT_EQ(x, RandomBytes(b, 33));
  EXPECT_NE(x, RandomBytes(c, 33));
  EXPECT_NE(x, RandomBytes(a, 33));  // the stream moves on
}

TEST(RandomChars, UsesOnlyTheAlphabetAndCoversIt) {
  OpenSslRandom random;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string s = RandomChars(random, 4000, alphabet);
  ASSERT_EQ(s.size(), 4000u);
  std::set<char> used(s.begin(), s.end());
  for (char ch : used) EXPECT_NE(alphabet.find(ch), std::string::npos) << ch;
  EXPECT_EQ(used.size(), alphabet.size());  // 4000 draws miss one of 64 with p ~ 1e-26
}

TEST(RandomChars, IsUnbiasedForAlphabetsThatDoNotDivide256) {
  // 256 % 3 == 1, so plain modulo would favour 'a'; rejection sampling keeps
  // each count near n/3.
  SeededRandom random(7);
  const std::string s = RandomChars(random, 30000, "abc");
  int counts[3] = {0, 0, 0};
  for (char ch : s) counts[ch - 'a']++;
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

}  // namespace
}  // namespace spacecrab
