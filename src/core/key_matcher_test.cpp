#include "core/key_matcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

namespace spacecrab {
namespace {

IndexedKey Key(std::string key, std::string token, std::string account, std::string user,
               TokenStatus status = TokenStatus::kActive) {
  return IndexedKey{std::move(key), std::move(token), std::move(account), std::move(user),
                    TokenKind::kAws, status};
}

CloudTrailRecord CallBy(std::string_view type, std::string_view key, std::string_view account,
                        std::string_view user, std::string_view arn = {}) {
  CloudTrailRecord r;
  r.event_id = "e1";
  r.user_identity.type = type;
  r.user_identity.access_key_id = key;
  r.user_identity.account_id = account;
  r.user_identity.user_name = user;
  r.user_identity.arn = arn;
  return r;
}

constexpr char kAcct[] = "111122223333";
constexpr char kOther[] = "444455556666";
constexpr char kKey[] = "AKIAQAAAAAAAAAAAAAAA";

TEST(KeyMatcher, CallerKeyIsAUse) {
  KeyIndex index(std::vector{Key(kKey, "tok_1", kAcct, "svc-backup")});
  auto m = index.Match(CallBy("IAMUser", kKey, kAcct, "svc-backup"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->token_id, "tok_1");
  EXPECT_EQ(m->basis, MatchBasis::kAccessKeyId);
}

TEST(KeyMatcher, SessionKeyOfOurUserIsAUse) {
  KeyIndex index(std::vector{Key(kKey, "tok_1", kAcct, "svc-backup")});
  // An ASIA key from sts:GetSessionToken called with our key: the caller is still our user.
  auto m = index.Match(CallBy("IAMUser", "ASIAZZZZZZZZZZZZZZZZ", kAcct, "svc-backup"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->token_id, "tok_1");
  EXPECT_EQ(m->basis, MatchBasis::kIamUser);
  // The same user name in another account is somebody else.
  EXPECT_FALSE(index.Match(CallBy("IAMUser", "ASIAZZZZZZZZZZZZZZZZ", kOther, "svc-backup")));
  EXPECT_FALSE(index.Match(CallBy("AssumedRole", "ASIAZZZZZZZZZZZZZZZZ", kAcct, "svc-backup")));
}

TEST(KeyMatcher, EmptyKeyMatchesIamUserInTheTokensAccountOnly) {
  KeyIndex index(std::vector{Key(kKey, "tok_1", kAcct, "svc-backup")});
  auto m = index.Match(CallBy("IAMUser", "", kAcct, "svc-backup"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->basis, MatchBasis::kIamUser);
  EXPECT_EQ(m->access_key_id, kKey);
  EXPECT_FALSE(index.Match(CallBy("IAMUser", "", kOther, "svc-backup")));
  EXPECT_FALSE(index.Match(CallBy("AssumedRole", "", kAcct, "svc-backup")));
  EXPECT_FALSE(index.Match(CallBy("AWSService", "", "", "")));
}

TEST(KeyMatcher, EmptyKeyFallsBackToTheArn) {
  KeyIndex index(std::vector{Key(kKey, "tok_1", kAcct, "m.garcia")});
  auto m = index.Match(CallBy("IAMUser", "", "", "", "arn:aws:iam::111122223333:user/ops/m.garcia"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->token_id, "tok_1");
  EXPECT_FALSE(index.Match(CallBy("IAMUser", "", "", "", "arn:aws:iam::444455556666:user/m.garcia")));
}

TEST(KeyMatcher, RevokedKeyStaysMatchable) {
  KeyMatcher matcher;
  matcher.Reset(std::vector{Key(kKey, "tok_1", kAcct, "u1")});
  matcher.Apply(std::vector{Key(kKey, "tok_1", kAcct, "u1", TokenStatus::kDeleted)});
  auto m = matcher.Match(CallBy("IAMUser", kKey, kAcct, "u1"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->status, TokenStatus::kDeleted);
}

TEST(KeyMatcher, FollowsNewTokensWithoutRestart) {
  KeyMatcher matcher;
  EXPECT_FALSE(matcher.Match(CallBy("IAMUser", kKey, kAcct, "u1")));
  auto before = matcher.Snapshot();
  matcher.Apply(std::vector{Key(kKey, "tok_1", kAcct, "u1")});
  EXPECT_TRUE(matcher.Match(CallBy("IAMUser", kKey, kAcct, "u1")));
  // A reader holding the old snapshot keeps a consistent (old) view.
  EXPECT_EQ(before->size(), 0u);
}

TEST(KeyMatcher, RotatedUserPrefersTheActiveToken) {
  KeyIndex index(std::vector{Key("AKIAQAAAAAAAAAAAAAA1", "tok_1", kAcct, "u1", TokenStatus::kRevoked),
                             Key("AKIAQAAAAAAAAAAAAAA2", "tok_2", kAcct, "u1")});
  EXPECT_EQ(index.FindUser(kAcct, "u1")->token_id, "tok_2");
  index.Upsert(std::vector{Key("AKIAQAAAAAAAAAAAAAA2", "tok_2", kAcct, "u1", TokenStatus::kRevoked)});
  EXPECT_EQ(index.FindUser(kAcct, "u1")->token_id, "tok_2");  // both retired: newest
  EXPECT_TRUE(index.HasUserName("u1"));
  EXPECT_FALSE(index.HasUserName("u2"));
}

TEST(KeyMatcher, ConcurrentReadersSeeWholeSnapshots) {
  KeyMatcher matcher;
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop) {
      auto snap = matcher.Snapshot();
      // Writers add keys in pairs; a snapshot never holds half a pair.
      if (snap->size() % 2 != 0) ++torn;
    }
  });
  for (int i = 0; i < 200; ++i) {
    char a[21], b[21];
    std::snprintf(a, sizeof a, "AKIAQAAAAAAAAAA%05d", 2 * i);
    std::snprintf(b, sizeof b, "AKIAQAAAAAAAAAA%05d", 2 * i + 1);
    matcher.Apply(std::vector{Key(a, "tok_a", kAcct, "u"), Key(b, "tok_b", kAcct, "u")});
  }
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(matcher.Snapshot()->size(), 400u);
}

TEST(KeyMatcher, LastChangeOfAKeyInOneBatchWins) {
  KeyMatcher matcher;
  matcher.Apply(std::vector{Key(kKey, "tok_1", kAcct, "u1"),
                            Key(kKey, "tok_1", kAcct, "u1", TokenStatus::kRevoked),
                            Key(kKey, "tok_1", kAcct, "u1", TokenStatus::kDeleted)});
  auto snap = matcher.Snapshot();
  EXPECT_EQ(snap->size(), 1u);
  EXPECT_EQ(snap->FindKey(kKey)->status, TokenStatus::kDeleted);
  EXPECT_EQ(snap->FindUser(kAcct, "u1")->status, TokenStatus::kDeleted);
}

std::string SerialKey(size_t n) {
  char key[32];
  std::snprintf(key, sizeof key, "AKIAQ%015zu", n);
  return key;
}

TEST(KeyMatcher, ManySmallRefreshesKeepLookupsShort) {
  // 3,000 refreshes of one to three keys: a refresh must not copy the index,
  // nor leave a lookup probing one table per refresh.
  KeyMatcher matcher;
  std::vector<std::shared_ptr<const KeyIndex>> held;  // readers holding old snapshots
  size_t keys = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<IndexedKey> batch;
    for (int j = 0; j <= i % 3; ++j, ++keys)
      batch.push_back(Key(SerialKey(keys), "tok_" + std::to_string(keys), kAcct,
                          "u" + std::to_string(keys % 500)));
    matcher.Apply(batch);
    if (i % 500 == 0) held.push_back(matcher.Snapshot());
    ASSERT_LE(matcher.Snapshot()->segment_count(), 14u) << "after " << keys << " keys";
  }
  auto snap = matcher.Snapshot();
  EXPECT_EQ(snap->size(), keys);
  for (size_t n = 0; n < keys; n += 97) ASSERT_NE(snap->FindKey(SerialKey(n)), nullptr) << n;
  // Old snapshots still answer for exactly what they held.
  for (const auto& old : held) {
    EXPECT_NE(old->FindKey(SerialKey(old->size() - 1)), nullptr);
    EXPECT_EQ(old->FindKey(SerialKey(old->size())), nullptr);
  }
}

TEST(KeyMatcher, SmallChangesOverManyKeysMatchAnIndexBuiltAtOnce) {
  // 6,000 keys on 900 users in 3 accounts (rotated users share a name),
  // applied in batches of 1-40 with status changes mixed in, so the overlay
  // is folded into the base several times. After each batch the published
  // index answers exactly like one built from scratch from the same keys.
  std::mt19937 rng(20261203);
  const char* accounts[] = {kAcct, kOther, "777788889999"};
  std::map<std::string, IndexedKey> truth;
  std::vector<std::string> ids;
  KeyMatcher matcher;
  int token = 0;
  auto check = [&] {
    std::vector<IndexedKey> all;
    for (const auto& [id, k] : truth) all.push_back(k);
    const KeyIndex fresh(all);
    auto snap = matcher.Snapshot();
    ASSERT_EQ(snap->size(), fresh.size());
    for (const auto& [id, k] : truth) {
      const IndexedKey* got = snap->FindKey(id);
      ASSERT_NE(got, nullptr) << id;
      EXPECT_EQ(got->status, k.status) << id;
      EXPECT_TRUE(snap->MayHaveKey(id)) << id;
      EXPECT_TRUE(snap->HasUserName(k.user_name));
      EXPECT_TRUE(snap->MayHaveUserName(k.user_name));
      EXPECT_EQ(snap->FindUser(k.account_id, k.user_name)->access_key_id,
                fresh.FindUser(k.account_id, k.user_name)->access_key_id)
          << k.account_id << "/" << k.user_name;
    }
    EXPECT_EQ(snap->FindKey("AKIAQZZZZZZZZZZZZZZZ"), nullptr);
  };
  while (ids.size() < 6000) {
    std::vector<IndexedKey> batch;
    const int n = 1 + int(rng() % 40);
    for (int i = 0; i < n; ++i) {
      if (!ids.empty() && rng() % 5 == 0) {  // an existing key changes status
        IndexedKey k = truth[ids[rng() % ids.size()]];
        k.status = rng() % 2 ? TokenStatus::kRevoked : TokenStatus::kActive;
        truth[k.access_key_id] = k;
        batch.push_back(k);
        continue;
      }
      char key[21];
      std::snprintf(key, sizeof key, "AKIAQ%015u", unsigned(rng()));
      if (truth.count(key)) continue;
      const std::string user = "user-" + std::to_string(rng() % 900);
      IndexedKey k = Key(key, "tok_" + std::to_string(100000 + token++),
                         accounts[rng() % 3], user);
      truth[key] = k;
      ids.push_back(key);
      batch.push_back(k);
    }
    matcher.Apply(batch);
    if (ids.size() % 7 == 0 || ids.size() >= 6000) check();
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace spacecrab
