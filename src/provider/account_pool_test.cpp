// AccountPoolProvider over fake per-account providers: placement by room and
// ready keys, failover and cooldown, full accounts, routing by account.
#include "provider/account_pool.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace spacecrab {
namespace {

// One account's provider: counts users against a limit, hands out ready keys
// first, fails on demand, and records what it was asked to do.
class FakeAccount final : public Provider {
 public:
  FakeAccount(std::string account_id, int64_t limit, int64_t used = 0, int64_t ready = 0)
      : account_id_(std::move(account_id)), limit_(limit), used_(used), ready_(ready) {}

  TokenKind kind() const override { return TokenKind::kAws; }
  Expected<MintedKey> Mint(const std::string& hint) override {
    std::lock_guard lock(mu_);
    ++mint_calls_;
    if (!fail_.ok()) return fail_;
    if (hint.empty() && ready_ > 0) {
      --ready_;
    } else {
      if (limit_ >= 0 && used_ >= limit_) return ResourceExhausted("LimitExceeded: users quota");
      ++used_;
    }
    ++minted_;
    MintedKey m;
    m.kind = TokenKind::kAws;
    m.account_id = account_id_;
    m.access_key_id = fmt::format("AKIA{}{:04}", account_id_, minted_);
    m.user_name = hint.empty() ? fmt::format("user-{}", minted_) : hint;
    return m;
  }
  Status Revoke(const HoneyToken& t) override { return Note("revoke", t.access_key_id); }
  Status Delete(const HoneyToken& t) override {
    std::lock_guard lock(mu_);
    if (!fail_.ok()) return fail_;
    calls_.push_back("delete " + t.access_key_id);
    --used_;
    return Status::Ok();
  }
  Expected<MintedKey> Rotate(const HoneyToken& t) override {
    std::lock_guard lock(mu_);
    if (!fail_.ok()) return fail_;
    calls_.push_back("rotate " + t.access_key_id);
    MintedKey m;
    m.account_id = account_id_;
    m.access_key_id = t.access_key_id + "R";
    return m;
  }
  Status ConfirmStored(const std::string& key) override { return Note("confirm", key); }
  void Abandon(const MintedKey& key) override { (void)Note("abandon", key.access_key_id); }
  ProviderRoom Room() const override {
    std::lock_guard lock(mu_);
    return {account_id_, used_, limit_, ready_};
  }

  void Fail(Status s) {
    std::lock_guard lock(mu_);
    fail_ = std::move(s);
  }
  void Heal() { Fail(Status::Ok()); }
  void SetUsed(int64_t used) {
    std::lock_guard lock(mu_);
    used_ = used;
  }
  int mint_calls() const {
    std::lock_guard lock(mu_);
    return mint_calls_;
  }
  int64_t minted() const {
    std::lock_guard lock(mu_);
    return minted_;
  }
  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  Status Note(const std::string& what, const std::string& key) {
    std::lock_guard lock(mu_);
    if (!fail_.ok()) return fail_;
    calls_.push_back(what + " " + key);
    return Status::Ok();
  }
  const std::string account_id_;
  mutable std::mutex mu_;
  int64_t limit_, used_, ready_;
  int64_t minted_ = 0;
  int mint_calls_ = 0;
  Status fail_;
  std::vector<std::string> calls_;
};

constexpr const char* kA = "111111111111";
constexpr const char* kB = "222222222222";
constexpr const char* kC = "333333333333";

struct Pool {
  Pool() : clock(FromUnixMillis(1'800'000'000'000)) {}
  std::unique_ptr<AccountPoolProvider> Make(std::vector<PoolAccount> accounts) {
    AccountPoolOptions o;
    o.accounts = std::move(accounts);
    o.clock = &clock;
    o.cooldown = std::chrono::seconds(60);
    auto p = AccountPoolProvider::Create(std::move(o));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }
  ManualClock clock;
};

HoneyToken TokenIn(const std::string& account, const std::string& key) {
  HoneyToken t;
  t.kind = TokenKind::kAws;
  t.account_id = account;
  t.access_key_id = key;
  return t;
}

TEST(AccountPool, AnAccountAtItsLimitGetsNothing) {
  FakeAccount a(kA, 2, 2), b(kB, 10);
  FakeAccount c(kC, 5000, 3);  // room by IAM's quota, none by its override
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}, {"c", kC, &c, 3}});
  ASSERT_TRUE(pool);
  for (int i = 0; i < 5; ++i) {
    auto m = pool->Mint("");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->account_id, kB);
  }
  EXPECT_EQ(a.mint_calls(), 0);
  EXPECT_EQ(c.mint_calls(), 0);
  EXPECT_EQ(pool->Accounts()[2].room.users_limit, 3);
}

TEST(AccountPool, SpreadsByFreeRoomThenSaysEveryAccountIsFull) {
  FakeAccount a(kA, 4), b(kB, 10);
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  std::vector<std::string> order;
  for (int i = 0; i < 14; ++i) {
    auto m = pool->Mint("");
    ASSERT_TRUE(m.ok()) << i << ": " << m.status().ToString();
    order.push_back(m->account_id == kA ? "a" : "b");
  }
  // b until both have 4 free, then alternating from a (config order breaks ties).
  const std::vector<std::string> want = {"b", "b", "b", "b", "b", "b", "a",
                                         "b", "a", "b", "a", "b", "a", "b"};
  EXPECT_EQ(order, want);
  auto full = pool->Mint("");
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("every account is full"), std::string::npos)
      << full.status().message();
  EXPECT_NE(full.status().message().find("a 4 of 4 users"), std::string::npos);
  EXPECT_EQ(pool->Room().users_used, 14);
  EXPECT_EQ(pool->Room().users_limit, 14);
  EXPECT_FALSE(pool->Room().has_room());
}

class AccountPoolFailover : public ::testing::TestWithParam<StatusCode> {};

TEST_P(AccountPoolFailover, AFailingAccountIsSkippedUntilItsCooldownEnds) {
  FakeAccount a(kA, 100), b(kB, 100, 50);  // a has the most room: first choice
  a.Fail(Status(GetParam(), "InvalidClientTokenId: The security token is invalid"));
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  for (int i = 0; i < 5; ++i) {
    auto m = pool->Mint("");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->account_id, kB);
  }
  EXPECT_EQ(a.mint_calls(), 1);  // tried once, then left alone
  auto states = pool->Accounts();
  EXPECT_FALSE(states[0].healthy);
  ASSERT_TRUE(states[0].retry_at.has_value());
  EXPECT_EQ(*states[0].retry_at, p.clock.Now() + std::chrono::seconds(60));
  EXPECT_NE(states[0].last_error.find("InvalidClientTokenId"), std::string::npos);
  EXPECT_TRUE(states[1].healthy);
  EXPECT_EQ(states[1].last_error, "");

  a.Heal();
  p.clock.Advance(std::chrono::seconds(59));
  ASSERT_EQ(pool->Mint("")->account_id, kB);
  p.clock.Advance(std::chrono::seconds(1));  // cooldown over: a is tried again
  auto m = pool->Mint("");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->account_id, kA);
  EXPECT_TRUE(pool->Accounts()[0].healthy);
  EXPECT_EQ(pool->Accounts()[0].last_error, "");
}

INSTANTIATE_TEST_SUITE_P(HealthFailures, AccountPoolFailover,
                         ::testing::Values(StatusCode::kUnavailable, StatusCode::kUnauthenticated,
                                           StatusCode::kPermissionDenied));

TEST(AccountPool, WhenEveryAccountFailsTheErrorNamesEachAndWhy) {
  FakeAccount a(kA, 100), b(kB, 100), c(kC, 1, 1);
  a.Fail(Unavailable("Throttling: Rate exceeded"));
  b.Fail(PermissionDenied("AccessDenied: not authorized to perform iam:CreateUser"));
  Pool p;
  auto pool = p.Make({{"prod-a", kA, &a, {}}, {"prod-b", kB, &b, {}}, {"prod-c", kC, &c, {}}});
  ASSERT_TRUE(pool);
  auto m = pool->Mint("");
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable);
  const std::string& msg = m.status().message();
  EXPECT_NE(msg.find("prod-a: Unavailable: Throttling: Rate exceeded"), std::string::npos) << msg;
  EXPECT_NE(msg.find("prod-b: PermissionDenied: AccessDenied"), std::string::npos) << msg;
  // Within the cooldown nothing is called again; the error still says why.
  auto again = pool->Mint("");
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(again.status().message().find("Throttling"), std::string::npos);
  EXPECT_EQ(a.mint_calls() + b.mint_calls() + c.mint_calls(), 2);
}

TEST(AccountPool, OtherErrorsAreTheCallersAndNotRetriedElsewhere) {
  FakeAccount a(kA, 100), b(kB, 10);
  a.Fail(AlreadyExists("EntityAlreadyExists: User with name ci-bot already exists."));
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  auto m = pool->Mint("ci-bot");
  EXPECT_EQ(m.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(m.status().message().find("account a:"), std::string::npos);
  EXPECT_EQ(b.mint_calls(), 0);
  EXPECT_TRUE(pool->Accounts()[0].healthy);
}

TEST(AccountPool, ReadyKeysComeFirstMostReadyFirstButNotForAHint) {
  FakeAccount a(kA, 100), b(kB, 100, 10, 2), c(kC, 100, 10, 5);
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}, {"c", kC, &c, {}}});
  ASSERT_TRUE(pool);
  std::vector<std::string> got;
  for (int i = 0; i < 7; ++i) got.push_back(pool->Mint("")->account_id);
  // c (5 ready) until it has as few as b (2): tie -> b, then alternate; then a (most room).
  EXPECT_EQ(got, (std::vector<std::string>{kC, kC, kC, kB, kC, kB, kC}));
  EXPECT_EQ(pool->Mint("")->account_id, kA);  // no ready keys left anywhere: most free room
  FakeAccount d(kA, 100), e(kB, 100, 10, 3);
  Pool q;
  auto hinted = q.Make({{"d", kA, &d, {}}, {"e", kB, &e, {}}});
  ASSERT_TRUE(hinted);
  EXPECT_EQ(hinted->Mint("ci-bot")->account_id, kA);  // a hint makes a user: room decides
}

TEST(AccountPool, AnAccountAtItsLimitStillHandsOutReadyKeys) {
  FakeAccount a(kA, 10, 10, 1), b(kB, 10);
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->Mint("")->account_id, kA);
  EXPECT_EQ(pool->Mint("")->account_id, kB);
  EXPECT_EQ(a.mint_calls(), 1);
}

TEST(AccountPool, ResourceExhaustedMarksFullUntilTheRoomGrows) {
  FakeAccount a(kA, 100, 3), b(kB, 100, 50);
  a.Fail(ResourceExhausted("LimitExceeded: Cannot exceed quota for UsersPerAccount: 3"));
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->Mint("")->account_id, kB);
  EXPECT_EQ(pool->Mint("")->account_id, kB);
  EXPECT_EQ(a.mint_calls(), 1);
  EXPECT_TRUE(pool->Accounts()[0].full);
  EXPECT_TRUE(pool->Accounts()[0].healthy);  // full is not broken
  a.Heal();
  a.SetUsed(2);  // someone deleted a user there
  EXPECT_FALSE(pool->Accounts()[0].full);
  EXPECT_EQ(pool->Mint("")->account_id, kA);
}

TEST(AccountPool, ADeleteInAFullAccountMakesItACandidateAgain) {
  FakeAccount a(kA, 100, 3), b(kB, 100, 50);
  a.Fail(ResourceExhausted("LimitExceeded"));
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->Mint("")->account_id, kB);
  a.Heal();
  ASSERT_TRUE(pool->Delete(TokenIn(kA, "AKIAOLD")).ok());
  a.SetUsed(3);  // the count does not show it (a sibling key kept the user, say)
  EXPECT_EQ(pool->Mint("")->account_id, kA);
}

TEST(AccountPool, RevokeDeleteAndRotateGoToTheTokensAccount) {
  FakeAccount a(kA, 100), b(kB, 100);
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  ASSERT_TRUE(pool->Revoke(TokenIn(kB, "AKIAB1")).ok());
  ASSERT_TRUE(pool->Delete(TokenIn(kA, "AKIAA1")).ok());
  auto rotated = pool->Rotate(TokenIn(kB, "AKIAB2"));
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->account_id, kB);
  ASSERT_TRUE(pool->ConfirmStored(rotated->access_key_id).ok());
  EXPECT_EQ(a.calls(), (std::vector<std::string>{"delete AKIAA1"}));
  EXPECT_EQ(b.calls(),
            (std::vector<std::string>{"revoke AKIAB1", "rotate AKIAB2", "confirm AKIAB2R"}));

  auto stray = pool->Revoke(TokenIn(kC, "AKIAC1"));
  EXPECT_EQ(stray.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(stray.message().find(kC), std::string::npos) << stray.message();
  EXPECT_EQ(pool->Delete(TokenIn(kC, "AKIAC1")).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(pool->Rotate(TokenIn("", "AKIAC1")).status().code(), StatusCode::kFailedPrecondition);
}

TEST(AccountPool, RoutedFailuresStillReachTheAccountAndCountAgainstIt) {
  FakeAccount a(kA, 100), b(kB, 10);
  a.Fail(Unavailable("Throttling"));
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->Revoke(TokenIn(kA, "AKIAA1")).code(), StatusCode::kUnavailable);
  EXPECT_FALSE(pool->Accounts()[0].healthy);
  // A revoke is always tried, cooling down or not.
  a.Heal();
  EXPECT_TRUE(pool->Revoke(TokenIn(kA, "AKIAA1")).ok());
  EXPECT_TRUE(pool->Accounts()[0].healthy);
}

TEST(AccountPool, ConfirmAndAbandonGoToTheMintingAccount) {
  FakeAccount a(kA, 10), b(kB, 100);
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  auto kept = pool->Mint("");
  auto dropped = pool->Mint("");
  ASSERT_TRUE(kept.ok() && dropped.ok());
  ASSERT_EQ(kept->account_id, kB);
  ASSERT_EQ(dropped->account_id, kB);
  ASSERT_TRUE(pool->ConfirmStored(kept->access_key_id).ok());
  pool->Abandon(*dropped);
  EXPECT_EQ(b.calls(), (std::vector<std::string>{"confirm " + kept->access_key_id,
                                                 "abandon " + dropped->access_key_id}));
  EXPECT_TRUE(a.calls().empty());
  // Once confirmed the pool forgets the key; unknown keys are not guessed at.
  EXPECT_EQ(pool->ConfirmStored(kept->access_key_id).code(), StatusCode::kNotFound);
}

TEST(AccountPool, ConcurrentMintsNeverOverfillAnAccount) {
  FakeAccount a(kA, 40), b(kB, 60);
  Pool p;
  auto pool = p.Make({{"a", kA, &a, {}}, {"b", kB, &b, {}}});
  ASSERT_TRUE(pool);
  std::atomic<int> ok{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 13; ++i) {
        auto m = pool->Mint("");
        if (m.ok()) {
          ++ok;
        } else if (m.status().code() != StatusCode::kResourceExhausted) {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(a.minted(), 40);
  EXPECT_EQ(b.minted(), 60);
}

TEST(AccountPool, CreateRejectsMisconfiguredAccounts) {
  FakeAccount a(kA, 10), b(kB, 10);
  const auto create = [](std::vector<PoolAccount> accounts) {
    static ManualClock clock(FromUnixMillis(0));
    AccountPoolOptions o;
    o.accounts = std::move(accounts);
    o.clock = &clock;
    return AccountPoolProvider::Create(std::move(o)).status();
  };
  EXPECT_EQ(create({}).code(), StatusCode::kInvalidArgument);
  Status wrong = create({{"a", kB, &a, {}}});  // the credentials reach 111..., not 222...
  EXPECT_EQ(wrong.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.message().find("reach 111111111111"), std::string::npos) << wrong.message();
  EXPECT_EQ(create({{"a", kA, &a, {}}, {"a", kB, &b, {}}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create({{"a", kA, &a, {}}, {"b", kA, &a, {}}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create({{"a", kA, nullptr, {}}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create({{"a", kA, &a, 0}}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(create({{"a", "", &a, {}}}).ok());  // the id comes from the provider
}

}  // namespace
}  // namespace spacecrab
