#include "crypto/random.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

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

TEST(OpenSslRandom, SmallDrawsNeverRepeatAcrossThreadsOrBlocks) {
  // 8 threads x 600 draws of 24 bytes: each thread crosses several of its
  // 4 KiB blocks; no draw may repeat another (anywhere).
  OpenSslRandom random;
  std::vector<std::vector<std::vector<uint8_t>>> drawn(8);
  std::vector<std::thread> threads;
  for (auto& mine : drawn) {
    threads.emplace_back([&random, &mine] {
      for (int i = 0; i < 600; ++i) mine.push_back(RandomBytes(random, 24));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::vector<uint8_t>> seen;
  for (const auto& mine : drawn) seen.insert(mine.begin(), mine.end());
  EXPECT_EQ(seen.size(), 8u * 600u);
}

TEST(OpenSslRandom, AForkedChildDoesNotRepeatItsParentsBytes) {
  OpenSslRandom random;
  RandomBytes(random, 16);  // this thread now holds a block with bytes left
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const auto bytes = RandomBytes(random, 32);
    _exit(write(fds[1], bytes.data(), bytes.size()) == 32 ? 0 : 1);
  }
  const auto mine = RandomBytes(random, 32);
  std::vector<uint8_t> theirs(32);
  ASSERT_EQ(read(fds[0], theirs.data(), theirs.size()), 32);
  int status = 0;
  waitpid(child, &status, 0);
  close(fds[0]);
  close(fds[1]);
  EXPECT_EQ(status, 0);
  EXPECT_NE(mine, theirs);
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
