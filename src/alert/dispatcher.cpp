#include "alert/dispatcher.h"

#include <algorithm>

#include "alert/alert_json.h"

namespace spacecrab::alert {

struct Dispatcher::SinkState {
  DispatchSink d;
  std::chrono::milliseconds lease{0};
  mutable std::mutex mu;  // guards everything below
  std::mt19937_64 rng;
  std::map<std::string, Timestamp> last_page;  // incident -> last trigger/update sent
  double tokens = 0;
  Timestamp refilled_at{};
  SinkStats stats;
};

Dispatcher::Dispatcher(DispatcherOptions options, std::vector<DispatchSink> sinks)
    : o_(std::move(options)) {
  std::random_device rd;
  for (auto& d : sinks) {
    auto s = std::make_unique<SinkState>();
    s->d = d;
    s->lease = d.policy.timeout + o_.lease_margin;
    s->rng.seed(o_.seed ? o_.seed + sinks_.size() : (uint64_t(rd()) << 32 | rd()));
    s->tokens = std::max(1.0, d.policy.rate_per_second);
    s->refilled_at = o_.clock->Now();
    sinks_.push_back(std::move(s));
  }
}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  stopping_ = false;
  for (auto& s : sinks_) {
    for (int i = 0; i < s->d.policy.workers; ++i) {
      threads_.emplace_back([this, st = s.get()] { Worker(*st); });
    }
  }
}

void Dispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Dispatcher::Notify() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    ++generation_;
  }
  wake_.notify_all();
}

SinkStats Dispatcher::Stats(const std::string& sink) const {
  for (const auto& s : sinks_) {
    if (s->d.sink->name() == sink) {
      std::lock_guard<std::mutex> lock(s->mu);
      return s->stats;
    }
  }
  return {};
}

std::chrono::milliseconds Dispatcher::BaseBackoff(const DeliveryPolicy& p, int attempt) {
  int64_t d = p.retry_initial.count();
  for (int i = 1; i < attempt && d < p.retry_max.count(); ++i) d *= 2;
  return std::chrono::milliseconds(std::min<int64_t>(d, p.retry_max.count()));
}

std::chrono::milliseconds Dispatcher::Jittered(SinkState& s, int attempt) {
  const int64_t d = BaseBackoff(s.d.policy, attempt).count();
  std::lock_guard<std::mutex> lock(s.mu);
  // "Equal jitter": at least half the backoff, so retries of many rows after
  // an outage spread out instead of arriving together.
  std::uniform_int_distribution<int64_t> dist(d / 2, d);
  return std::chrono::milliseconds(dist(s.rng));
}

bool Dispatcher::TakeToken(SinkState& s, Timestamp now, Timestamp* available_at) {
  const double rate = s.d.policy.rate_per_second;
  if (rate <= 0) return true;
  std::lock_guard<std::mutex> lock(s.mu);
  const double burst = std::max(1.0, rate);
  if (now > s.refilled_at) {
    s.tokens = std::min(burst, s.tokens + rate * double((now - s.refilled_at).count()) / 1000.0);
    s.refilled_at = now;
  }
  if (s.tokens >= 1.0) {
    s.tokens -= 1.0;
    return true;
  }
  auto wait_ms = static_cast<int64_t>((1.0 - s.tokens) * 1000.0 / rate) + 1;
  *available_at = now + std::chrono::milliseconds(wait_ms);
  return false;
}

Status Dispatcher::Process(SinkState& s, OutboxRow row) {
  AlertStore& store = *o_.store;
  const DeliveryPolicy& p = s.d.policy;
  Timestamp now = o_.clock->Now();
  auto count = [&](int64_t SinkStats::*field) {
    std::lock_guard<std::mutex> lock(s.mu);
    ++(s.stats.*field);
  };
  if (!p.kinds.count(row.kind)) return store.MarkSent(row.id, now);  // not for this sink
  if (now - row.created_at > p.max_age) {
    count(&SinkStats::dead);
    return store.MarkDead(row.id, now,
                          "expired after " + std::to_string(row.attempts) + " attempts" +
                              (row.last_error.empty() ? "" : ": " + row.last_error));
  }
  if (row.kind == AlertKind::kUpdate) {
    SC_ASSIGN_OR_RETURN(OutboxRow newest, store.CoalesceUpdates(row, now, s.lease));
    if (newest.id != row.id) count(&SinkStats::coalesced);
    row = std::move(newest);
    std::optional<Timestamp> last;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      auto it = s.last_page.find(row.incident_id);
      if (it != s.last_page.end()) last = it->second;
    }
    if (last && now < *last + p.update_interval) {
      count(&SinkStats::deferred);
      return store.MarkRetry(row.id, *last + p.update_interval, "", false);
    }
  }
  Timestamp available_at{};
  if (!TakeToken(s, now, &available_at)) {
    count(&SinkStats::deferred);
    return store.MarkRetry(row.id, available_at, "", false);
  }
  auto alert = AlertFromJson(row.payload);
  if (!alert.ok()) {
    count(&SinkStats::dead);
    return store.MarkDead(row.id, now, "corrupt payload: " + alert.status().message());
  }
  AlertMessage msg{row.kind, std::move(alert).value(), row.incident_id, row.id, row.attempts + 1};
  Status sent = s.d.sink->Send(msg);
  const Timestamp done = o_.clock->Now();
  if (sent.ok()) {
    {
      std::lock_guard<std::mutex> lock(s.mu);
      ++s.stats.sent;
      if (row.kind == AlertKind::kResolve) {
        s.last_page.erase(row.incident_id);
      } else {
        s.last_page[row.incident_id] = done;
      }
      // Bound memory: forget incidents quiet for longer than the interval.
      if (s.last_page.size() > 50000) {
        std::erase_if(s.last_page,
                      [&](const auto& kv) { return kv.second + p.update_interval < done; });
      }
    }
    return store.MarkSent(row.id, done);
  }
  const std::string error = sent.ToString();
  if (sent.code() != StatusCode::kUnavailable) {
    count(&SinkStats::dead);
    return store.MarkDead(row.id, done, error);
  }
  count(&SinkStats::failed_attempts);
  const Timestamp next = done + Jittered(s, row.attempts + 1);
  if (next - row.created_at > p.max_age) {
    count(&SinkStats::dead);
    return store.MarkDead(
        row.id, done,
        "gave up after " + std::to_string(row.attempts + 1) + " attempts (max_age): " + error);
  }
  return store.MarkRetry(row.id, next, error, true);
}

Expected<int64_t> Dispatcher::Pump(SinkState& s) {
  SC_ASSIGN_OR_RETURN(std::vector<OutboxRow> rows,
                      o_.store->ClaimDue(s.d.sink->name(), o_.clock->Now(), s.lease, o_.batch));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (stopping_) {
      // Hand unsent claims back instead of letting their leases run out.
      for (size_t j = i; j < rows.size(); ++j)
        (void)o_.store->MarkRetry(rows[j].id, o_.clock->Now(), "", false);
      break;
    }
    SC_RETURN_IF_ERROR(Process(s, std::move(rows[i])));
  }
  return static_cast<int64_t>(rows.size());
}

void Dispatcher::Worker(SinkState& s) {
  while (!stopping_) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      seen = generation_;
    }
    auto n = Pump(s);
    if (n.ok() && *n > 0) continue;
    // Nothing due (or the store failed): wait for new rows or the next poll.
    std::unique_lock<std::mutex> lock(wake_mu_);
    wake_.wait_for(lock, o_.poll_interval, [&] { return stopping_ || generation_ != seen; });
  }
}

Expected<int64_t> Dispatcher::RunOnce() {
  int64_t total = 0;
  for (auto& s : sinks_) {
    while (true) {
      SC_ASSIGN_OR_RETURN(int64_t n, Pump(*s));
      total += n;
      if (n == 0) break;
    }
  }
  return total;
}

}  // namespace spacecrab::alert
