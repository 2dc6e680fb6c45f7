#include "provider/warm_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/background_thread.h"

namespace spacecrab {

Expected<std::unique_ptr<WarmPool>> WarmPool::Create(WarmPoolOptions options) {
  if (!options.inner || !options.store || !options.box || !options.clock)
    return InvalidArgument("WarmPool needs a provider, a key pool store, a secret box and a clock");
  if (options.target < 0) return InvalidArgument("pool size must not be negative");
  if (options.max_mints_per_second <= 0)
    return InvalidArgument("pool refill rate must be positive");
  if (options.min_backoff.count() <= 0 || options.max_backoff < options.min_backoff)
    return InvalidArgument("pool backoff: need 0 < min_backoff <= max_backoff");
  return std::unique_ptr<WarmPool>(new WarmPool(std::move(options)));
}

WarmPool::WarmPool(WarmPoolOptions options) : options_(std::move(options)) {
  account_id_ = options_.inner->Room().account_id;
  stats_.name = options_.name;
  stats_.account_id = account_id_;
  stats_.target = options_.target;
}

WarmPool::~WarmPool() { Stop(); }

Status WarmPool::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return Status::Ok();
  }
  SC_ASSIGN_OR_RETURN(std::vector<PooledKey> pooled, options_.store->List(account_id_));
  std::deque<PooledKey> ready;
  int dropped = 0;
  for (PooledKey& key : pooled) {
    if (key.kind != options_.inner->kind()) continue;
    if (options_.is_stored && options_.is_stored(key.access_key_id)) {
      // Handed out and stored just before a crash: the token owns it now.
      (void)options_.store->Remove(key.access_key_id);
      ++dropped;
      continue;
    }
    ready.push_back(std::move(key));
  }
  {
    std::lock_guard lock(mu_);
    for (PooledKey& key : ready) ready_.push_back(std::move(key));
    started_ = true;
    stopping_ = false;
    refilling_ = options_.target > 0;
  }
  spdlog::info("key pool {}: {} key(s) ready of {}{}", options_.name, ready.size(),
               options_.target,
               dropped ? fmt::format(" ({} already handed out before a restart)", dropped) : "");
  if (options_.target > 0) refill_ = std::thread([this] { RefillLoop(); });
  return Status::Ok();
}

void WarmPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    refilling_ = false;
  }
  cv_.notify_all();
  if (refill_.joinable()) refill_.join();
  FlushRemovals();
}

PooledKey WarmPool::ToPooled(const MintedKey& key) const {
  PooledKey p;
  p.access_key_id = key.access_key_id;
  p.kind = key.kind;
  p.account_id = key.account_id;
  p.user_name = key.user_name;
  p.arn = key.arn;
  p.region = key.credentials.region;
  p.endpoint_url = key.credentials.endpoint_url;
  // Bound to its key id: a sealed secret copied onto another row does not open.
  p.sealed_secret = options_.box->Seal(key.credentials.secret_access_key, key.access_key_id);
  p.token_secret = key.sealed_secret;
  p.minted_at = options_.clock->Now();
  return p;
}

Expected<MintedKey> WarmPool::ToMinted(const PooledKey& p) const {
  SC_ASSIGN_OR_RETURN(std::string secret, options_.box->Open(p.sealed_secret, p.access_key_id));
  MintedKey m;
  m.kind = p.kind;
  m.access_key_id = p.access_key_id;
  m.account_id = p.account_id;
  m.user_name = p.user_name;
  m.arn = p.arn;
  m.sealed_secret = p.token_secret;
  m.credentials.access_key_id = p.access_key_id;
  m.credentials.secret_access_key = std::move(secret);
  m.credentials.region = p.region;
  m.credentials.endpoint_url = p.endpoint_url;
  return m;
}

Expected<MintedKey> WarmPool::Mint(const std::string& hint_user_name) {
  if (hint_user_name.empty()) {
    while (true) {
      PooledKey key;
      bool wake = false;
      {
        std::lock_guard lock(mu_);
        if (ready_.empty()) break;
        key = std::move(ready_.front());
        ready_.pop_front();
        handed_out_.insert(key.access_key_id);
        ++stats_.handed_out;
        // The refill has work again; while below target it is awake anyway.
        wake = int64_t(ready_.size()) == int64_t(options_.target) - 1;
      }
      if (wake) cv_.notify_all();
      auto minted = ToMinted(key);
      if (minted.ok()) return minted;
      // Sealed with another key file: nobody can hand this key out. Drop it
      // from the pool; the reconciler reports its user as untracked.
      spdlog::error("key pool {}: pooled key {} cannot be opened ({}); dropped", options_.name,
                    key.access_key_id, minted.status().message());
      (void)options_.store->Remove(key.access_key_id);
      std::lock_guard lock(mu_);
      handed_out_.erase(key.access_key_id);
    }
    std::lock_guard lock(mu_);
    ++stats_.misses;
  }
  return options_.inner->Mint(hint_user_name);
}

Status WarmPool::ConfirmStored(const std::string& access_key_id) {
  bool pooled = false;
  bool refilling = false;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    pooled = handed_out_.erase(access_key_id) > 0;
    refilling = refilling_ && !stopping_;
    if (pooled && refilling) {
      to_remove_.push_back(access_key_id);
      // Wake the refill thread to start the batch's clock, and when it is full.
      wake = to_remove_.size() == 1 || to_remove_.size() == options_.removal_batch;
    }
  }
  if (!pooled) return options_.inner->ConfirmStored(access_key_id);
  if (refilling) {
    if (wake) cv_.notify_all();
    return Status::Ok();
  }
  Status removed = options_.store->Remove(access_key_id);
  // If the row stays, Start finds the stored token and drops it then.
  if (!removed.ok())
    spdlog::warn("key pool {}: removing handed-out key {}: {}", options_.name, access_key_id,
                 removed.ToString());
  return Status::Ok();
}

void WarmPool::FlushRemovals() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mu_);
    ids.swap(to_remove_);
  }
  if (ids.empty()) return;
  // If the rows stay, Start finds the stored tokens and drops them then.
  if (Status removed = options_.store->RemoveMany(ids); !removed.ok())
    spdlog::warn("key pool {}: removing {} handed-out key(s): {}", options_.name, ids.size(),
                 removed.ToString());
}

void WarmPool::Abandon(const MintedKey& key) {
  {
    std::lock_guard lock(mu_);
    if (handed_out_.erase(key.access_key_id) > 0) {
      ready_.push_front(ToPooled(key));  // same key, same sealed row: hand it out next
      if (stats_.handed_out > 0) --stats_.handed_out;
      cv_.notify_all();
      return;
    }
  }
  options_.inner->Abandon(key);
}

ProviderRoom WarmPool::Room() const {
  ProviderRoom room = options_.inner->Room();
  std::lock_guard lock(mu_);
  room.ready_keys = int64_t(ready_.size());
  return room;
}

WarmPoolStats WarmPool::Stats() const {
  std::lock_guard lock(mu_);
  WarmPoolStats s = stats_;
  s.ready = int64_t(ready_.size());
  return s;
}

bool WarmPool::WaitReady(int64_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return int64_t(ready_.size()) >= n; });
}

Status WarmPool::RefillOne() {
  SC_ASSIGN_OR_RETURN(MintedKey minted, options_.inner->Mint(""));
  PooledKey pooled = ToPooled(minted);
  if (Status put = options_.store->Put(pooled); !put.ok()) {
    // Not recorded anywhere we can hand it out from: let the provider undo it.
    options_.inner->Abandon(minted);
    return put;
  }
  // The pool row tracks the key now; IAM closes its intent.
  (void)options_.inner->ConfirmStored(minted.access_key_id);
  {
    std::lock_guard lock(mu_);
    ready_.push_back(std::move(pooled));
    ++stats_.minted;
    stats_.last_error.clear();
  }
  cv_.notify_all();
  return Status::Ok();
}

void WarmPool::RefillLoop() {
  MarkBackgroundThread("pool-refill");
  using std::chrono::milliseconds;
  const auto interval =
      std::chrono::duration_cast<milliseconds>(std::chrono::duration<double>(
          1.0 / options_.max_mints_per_second));
  milliseconds backoff = options_.min_backoff;
  std::string last_logged;
  while (true) {
    {
      std::unique_lock lock(mu_);
      const auto refill_due = [&] { return int64_t(ready_.size()) < int64_t(options_.target); };
      cv_.wait(lock, [&] { return stopping_ || !to_remove_.empty() || refill_due(); });
      if (stopping_) return;
      // Only removals to do: let a batch gather first.
      if (!refill_due() && to_remove_.size() < options_.removal_batch) {
        cv_.wait_for(lock, options_.removal_delay, [&] {
          return stopping_ || to_remove_.size() >= options_.removal_batch || refill_due();
        });
        if (stopping_) return;
      }
    }
    FlushRemovals();
    {
      std::lock_guard lock(mu_);
      if (int64_t(ready_.size()) >= int64_t(options_.target)) continue;
    }
    const Status s = RefillOne();
    milliseconds pause = interval;
    if (s.ok()) {
      backoff = options_.min_backoff;
      last_logged.clear();
    } else {
      pause = s.code() == StatusCode::kResourceExhausted ? options_.max_backoff : backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
      {
        std::lock_guard lock(mu_);
        ++stats_.refill_errors;
        stats_.last_error = s.ToString();
      }
      if (s.ToString() != last_logged) {  // one line per kind of trouble, not per retry
        spdlog::warn("key pool {}: refill failed, retrying in {} ms: {}", options_.name,
                     pause.count(), s.ToString());
        last_logged = s.ToString();
      }
    }
    FlushRemovals();
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, pause, [&] { return stopping_; })) return;
  }
}

}  // namespace spacecrab
