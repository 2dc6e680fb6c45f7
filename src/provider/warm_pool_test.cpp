#include "provider/warm_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace spacecrab {
namespace {

using namespace std::chrono_literals;

// A provider standing in for IAM: mints numbered keys, can be throttled for
// the next N mints, and can be held shut (every Mint blocks until opened).
class FakeIam final : public Provider {
 public:
  TokenKind kind() const override { return TokenKind::kAws; }
  Expected<MintedKey> Mint(const std::string& hint) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
    mint_times_.push_back(std::chrono::steady_clock::now());
    if (throttle_next_ > 0) {
      --throttle_next_;
      return Unavailable("Throttling: Rate exceeded");
    }
    if (full_) return ResourceExhausted("LimitExceeded: users");
    ++minted_;
    MintedKey k;
    k.kind = TokenKind::kAws;
    k.access_key_id = "AKIAFAKE" + std::to_string(100000 + minted_);
    k.account_id = "111111111111";
    k.user_name = hint.empty() ? "svc-" + std::to_string(minted_) : hint;
    k.arn = "arn:aws:iam::111111111111:user/" + k.user_name;
    k.credentials = {k.access_key_id, "secret-" + k.access_key_id, "", "eu-west-1"};
    return k;
  }
  Status Revoke(const HoneyToken&) override { return Status::Ok(); }
  Status Delete(const HoneyToken&) override { return Status::Ok(); }
  Expected<MintedKey> Rotate(const HoneyToken&) override { return FailedPrecondition("rotate"); }
  Status ConfirmStored(const std::string& id) override {
    std::lock_guard lock(mu_);
    confirmed_.push_back(id);
    return Status::Ok();
  }
  void Abandon(const MintedKey& key) override {
    std::lock_guard lock(mu_);
    abandoned_.push_back(key.access_key_id);
  }
  ProviderRoom Room() const override {
    std::lock_guard lock(mu_);
    return {"111111111111", minted_, 5000, 0};
  }

  void Throttle(int n) {
    std::lock_guard lock(mu_);
    throttle_next_ = n;
  }
  void SetOpen(bool open) {
    {
      std::lock_guard lock(mu_);
      open_ = open;
    }
    cv_.notify_all();
  }
  void SetFull(bool full) {
    std::lock_guard lock(mu_);
    full_ = full;
  }
  int minted() const {
    std::lock_guard lock(mu_);
    return int(minted_);
  }
  std::vector<std::chrono::steady_clock::time_point> mint_times() const {
    std::lock_guard lock(mu_);
    return mint_times_;
  }
  std::vector<std::string> confirmed() const {
    std::lock_guard lock(mu_);
    return confirmed_;
  }
  std::vector<std::string> abandoned() const {
    std::lock_guard lock(mu_);
    return abandoned_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  bool full_ = false;
  int throttle_next_ = 0;
  int64_t minted_ = 0;
  std::vector<std::chrono::steady_clock::time_point> mint_times_;
  std::vector<std::string> confirmed_;
  std::vector<std::string> abandoned_;
};

// A pool store whose Put can be made to fail.
class FlakyPoolStore final : public KeyPoolStore {
 public:
  Status Put(const PooledKey& key) override {
    if (fail_puts) return Unavailable("database is locked");
    return inner.Put(key);
  }
  Status Remove(const std::string& id) override { return inner.Remove(id); }
  Status RemoveMany(const std::vector<std::string>& ids) override {
    ++remove_calls;
    return inner.RemoveMany(ids);
  }
  Expected<std::vector<PooledKey>> List(const std::string& account) override {
    return inner.List(account);
  }
  std::atomic<bool> fail_puts{false};
  std::atomic<int> remove_calls{0};  // RemoveMany: one write transaction each
  InMemoryKeyPoolStore inner;
};

class WarmPoolTest : public ::testing::Test {
 protected:
  WarmPoolTest() : box_(SecretBox::Generate(random_)) {}

  std::unique_ptr<WarmPool> Make(int target, double rate = 1000,
                                 std::function<bool(const std::string&)> is_stored = {}) {
    WarmPoolOptions o;
    o.inner = &iam_;
    o.store = &store_;
    o.box = &box_;
    o.clock = &clock_;
    o.name = "honey-1";
    o.target = target;
    o.max_mints_per_second = rate;
    o.min_backoff = 2ms;
    o.max_backoff = 50ms;
    o.is_stored = std::move(is_stored);
    auto pool = WarmPool::Create(std::move(o));
    EXPECT_TRUE(pool.ok()) << pool.status().ToString();
    EXPECT_TRUE((*pool)->Start().ok());
    return std::move(pool).value();
  }

  OpenSslRandom random_;
  SecretBox box_;
  SystemClock clock_;
  FakeIam iam_;
  FlakyPoolStore store_;
};

TEST_F(WarmPoolTest, FillsToTargetWithSecretsSealedAtRest) {
  auto pool = Make(5);
  ASSERT_TRUE(pool->WaitReady(5, 5s));
  auto pooled = store_.List("111111111111");
  ASSERT_TRUE(pooled.ok());
  ASSERT_GE(pooled->size(), 5u);
  for (const PooledKey& k : *pooled) {
    EXPECT_EQ(k.sealed_secret.find("secret-"), std::string::npos) << "secret stored in plain text";
    EXPECT_EQ(k.region, "eu-west-1");
  }
  // Every pooled key was confirmed to the provider (IAM closes its intent).
  EXPECT_GE(iam_.confirmed().size(), 5u);
  EXPECT_EQ(pool->Room().ready_keys, pool->Stats().ready);
}

TEST_F(WarmPoolTest, HandoutNeverWaitsForTheProviderWhileKeysAreReady) {
  auto pool = Make(20);
  ASSERT_TRUE(pool->WaitReady(20, 5s));
  iam_.SetOpen(false);  // IAM hangs from now on
  auto handouts = std::async(std::launch::async, [&] {
    std::vector<MintedKey> keys;
    for (int i = 0; i < 20; ++i) {
      auto k = pool->Mint("");
      if (!k.ok()) break;
      keys.push_back(*k);
    }
    return keys;
  });
  ASSERT_EQ(handouts.wait_for(10s), std::future_status::ready)
      << "a handout waited on the provider although keys were ready";
  auto keys = handouts.get();
  ASSERT_EQ(keys.size(), 20u);
  for (const MintedKey& k : keys)
    EXPECT_EQ(k.credentials.secret_access_key, "secret-" + k.access_key_id);
  EXPECT_EQ(pool->Stats().handed_out, 20u);
  EXPECT_EQ(pool->Stats().misses, 0u);
  iam_.SetOpen(true);  // let the refill thread finish so Stop can join
  pool->Stop();
}

TEST_F(WarmPoolTest, RefillBacksOffUnderThrottlingAndRecovers) {
  iam_.Throttle(4);
  auto pool = Make(3);
  ASSERT_TRUE(pool->WaitReady(3, 10s));
  const WarmPoolStats stats = pool->Stats();
  EXPECT_EQ(stats.refill_errors, 4u);
  EXPECT_TRUE(stats.last_error.empty()) << stats.last_error;
  // Backoff doubles from 2 ms: at least 2, 4, 8, 16 ms between the throttled tries.
  auto times = iam_.mint_times();
  ASSERT_GE(times.size(), 5u);
  auto expected = 2ms;
  for (size_t i = 1; i <= 4; ++i) {
    EXPECT_GE(times[i] - times[i - 1], expected) << "try " << i;
    expected *= 2;
  }
}

TEST_F(WarmPoolTest, RefillKeepsToItsPace) {
  auto pool = Make(4, /*rate=*/20);  // one mint per 50 ms
  ASSERT_TRUE(pool->WaitReady(4, 5s));
  auto times = iam_.mint_times();
  ASSERT_GE(times.size(), 4u);
  for (size_t i = 1; i < 4; ++i) EXPECT_GE(times[i] - times[i - 1], 50ms);
}

TEST_F(WarmPoolTest, EmptyPoolMintsOnDemandAndCountsTheMiss) {
  auto pool = Make(0);
  auto k = pool->Mint("");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(iam_.minted(), 1);
  EXPECT_EQ(pool->Stats().misses, 1u);
  // A key minted on demand is the provider's to confirm.
  ASSERT_TRUE(pool->ConfirmStored(k->access_key_id).ok());
  EXPECT_EQ(iam_.confirmed(), std::vector<std::string>{k->access_key_id});
}

TEST_F(WarmPoolTest, NamedRequestGoesToTheProvider) {
  auto pool = Make(2);
  ASSERT_TRUE(pool->WaitReady(2, 5s));
  auto k = pool->Mint("jenkins-deploy");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->user_name, "jenkins-deploy");
  EXPECT_EQ(pool->Stats().handed_out, 0u);
}

TEST_F(WarmPoolTest, StoredKeyLeavesThePoolAndAbandonedKeyComesBackFirst) {
  auto pool = Make(3, /*rate=*/1000);
  ASSERT_TRUE(pool->WaitReady(3, 5s));
  pool->Stop();  // no refill while we look
  auto a = pool->Mint("");
  auto b = pool->Mint("");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(pool->ConfirmStored(a->access_key_id).ok());
  pool->Abandon(*b);
  auto ids = store_.List("");
  ASSERT_TRUE(ids.ok());
  for (const PooledKey& k : *ids) EXPECT_NE(k.access_key_id, a->access_key_id);
  auto again = pool->Mint("");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->access_key_id, b->access_key_id);
  EXPECT_EQ(again->credentials.secret_access_key, b->credentials.secret_access_key);
  EXPECT_TRUE(iam_.abandoned().empty()) << "a pooled key was given back to the provider";
}

TEST_F(WarmPoolTest, RunningPoolDeletesStoredKeysRowsInTheBackground) {
  auto pool = Make(3);
  ASSERT_TRUE(pool->WaitReady(3, 5s));
  auto k = pool->Mint("");
  ASSERT_TRUE(k.ok());
  ASSERT_TRUE(pool->ConfirmStored(k->access_key_id).ok());
  auto pooled = [&] {
    auto all = store_.List("");
    EXPECT_TRUE(all.ok());
    for (const PooledKey& p : *all)
      if (p.access_key_id == k->access_key_id) return true;
    return false;
  };
  for (int i = 0; i < 500 && pooled(); ++i) std::this_thread::sleep_for(2ms);
  EXPECT_FALSE(pooled()) << "the stored key's pool row was never deleted";
}

// The context switches of this process's thread named `name` (-1 if none).
long ContextSwitchesOf(const std::string& name) {
  namespace fs = std::filesystem;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string got;
    std::getline(comm, got);
    if (got != name) continue;
    std::ifstream status(task.path() / "status");
    long total = 0;
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
        total += std::stol(line.substr(line.find(':') + 1));
    }
    return total;
  }
  return -1;
}

TEST_F(WarmPoolTest, HandoutsDoNotWakeTheRefillThreadEachAndRowsGoInBatches) {
  {
    auto filler = Make(40);
    ASSERT_TRUE(filler->WaitReady(40, 5s));
  }
  // 40 keys ready for a target of 5: the 30 handouts below need no refill,
  // only their rows deleted.
  auto pool = Make(5, /*rate=*/1);
  ASSERT_EQ(pool->Stats().ready, 40);
  std::this_thread::sleep_for(50ms);  // the refill thread is parked
  const long before = ContextSwitchesOf("pool-refill");
  ASSERT_GE(before, 0) << "no thread named pool-refill";
  const int removes_before = store_.remove_calls;
  std::vector<std::string> handed;
  for (int i = 0; i < 30; ++i) {
    auto k = pool->Mint("");
    ASSERT_TRUE(k.ok());
    ASSERT_TRUE(pool->ConfirmStored(k->access_key_id).ok());
    handed.push_back(k->access_key_id);
    std::this_thread::sleep_for(1ms);  // handouts spread out, as requests come
  }
  auto rows_left = [&] {
    auto all = store_.List("");
    EXPECT_TRUE(all.ok());
    int n = 0;
    for (const PooledKey& p : *all)
      n += std::find(handed.begin(), handed.end(), p.access_key_id) != handed.end();
    return n;
  };
  for (int i = 0; i < 500 && rows_left() > 0; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(rows_left(), 0) << "stored keys' pool rows were never deleted";
  EXPECT_LE(store_.remove_calls - removes_before, 2) << "one delete transaction per handout";
  EXPECT_LE(ContextSwitchesOf("pool-refill") - before, 8) << "the refill thread woke per handout";
}

TEST_F(WarmPoolTest, RestartKeepsReadyKeysAndDropsOnesAlreadyStored) {
  std::string handed;
  {
    auto pool = Make(4);
    ASSERT_TRUE(pool->WaitReady(4, 5s));
    pool->Stop();
    auto k = pool->Mint("");  // handed out, token stored, then a crash before ConfirmStored
    ASSERT_TRUE(k.ok());
    handed = k->access_key_id;
  }
  const int minted_before = iam_.minted();
  auto pool = Make(0, 1000, [&](const std::string& id) { return id == handed; });
  EXPECT_EQ(pool->Stats().ready, minted_before - 1);
  for (int i = 0; i < minted_before - 1; ++i) {
    auto k = pool->Mint("");
    ASSERT_TRUE(k.ok());
    EXPECT_NE(k->access_key_id, handed);
    EXPECT_EQ(k->credentials.secret_access_key, "secret-" + k->access_key_id);
  }
  EXPECT_EQ(iam_.minted(), minted_before) << "restart should not need new keys";
  auto left = store_.List("");
  ASSERT_TRUE(left.ok());
  for (const PooledKey& k : *left) EXPECT_NE(k.access_key_id, handed);
}

TEST_F(WarmPoolTest, KeyThatCannotBeRecordedGoesBackToTheProvider) {
  store_.fail_puts = true;
  auto pool = Make(1);
  for (int i = 0; i < 200 && iam_.abandoned().empty(); ++i) std::this_thread::sleep_for(5ms);
  store_.fail_puts = false;
  ASSERT_TRUE(pool->WaitReady(1, 5s));
  ASSERT_FALSE(iam_.abandoned().empty());
  EXPECT_GE(pool->Stats().refill_errors, 1u);
}

TEST_F(WarmPoolTest, FullAccountWaitsTheLongBackoff) {
  iam_.SetFull(true);
  auto pool = Make(2);
  std::this_thread::sleep_for(120ms);
  // Backoff for "full" is max_backoff (50 ms) every time: ~3 tries, not dozens.
  EXPECT_LE(iam_.mint_times().size(), 4u);
  EXPECT_NE(pool->Stats().last_error.find("LimitExceeded"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab
