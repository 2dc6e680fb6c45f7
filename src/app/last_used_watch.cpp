#include "app/last_used_watch.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <vector>

#include "ingest/detection_sink.h"
#include "ingest/recorder.h"
#include "store/store.h"

namespace spacecrab {
namespace {

bool Known(const std::string& s) { return !s.empty() && s != "N/A"; }

Event UnloggedUse(const HoneyToken& token, const IamAccessKeyLastUsed& used, Timestamp now) {
  Event e;
  e.id = "lastused:" + token.access_key_id + ":" + FormatRfc3339(*used.last_used_date);
  e.token_id = token.id;
  e.access_key_id = token.access_key_id;
  e.event_time = *used.last_used_date;
  e.event_source = Known(used.service_name) ? used.service_name + ".amazonaws.com" : "";
  e.event_name = kUnloggedUseEventName;
  e.aws_region = Known(used.region) ? used.region : "";
  e.origin = kUnloggedUseOrigin;
  e.received_at = now;
  e.raw_json = nlohmann::json{{"eventID", e.id},
                              {"note", kUnloggedUseEventName},
                              {"UserName", used.user_name},
                              {"AccessKeyLastUsed",
                               {{"LastUsedDate", FormatRfc3339(*used.last_used_date)},
                                {"ServiceName", used.service_name},
                                {"Region", used.region}}}}
                   .dump();
  return e;
}

}  // namespace

LastUsedWatch::LastUsedWatch(LastUsedWatchOptions options) : o_(std::move(options)) {
  if (o_.calls_per_tick < 1) o_.calls_per_tick = 1;
}

LastUsedWatchStats LastUsedWatch::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void LastUsedWatch::Tick() {
  const Timestamp now = o_.clock->Now();
  if (!in_sweep_) {
    if (sweep_started_ && now < *sweep_started_ + o_.sweep_interval) return;
    in_sweep_ = true;
    sweep_started_ = now;
    cursor_.clear();
  }
  TokenFilter filter;
  filter.status = TokenStatus::kActive;
  filter.kind = TokenKind::kAws;
  filter.after_id = cursor_;
  filter.limit = o_.calls_per_tick;
  int calls = 0;
  while (calls < o_.calls_per_tick) {
    filter.limit = o_.calls_per_tick - calls;
    auto page = o_.store->ListTokens(filter);
    if (!page.ok()) {
      spdlog::warn("iam last-used watch: listing tokens: {}", page.status().ToString());
      std::lock_guard lock(mu_);
      ++stats_.errors;
      return;
    }
    for (const HoneyToken& token : page->items) {
      if (!o_.account_id.empty() && token.account_id != o_.account_id) {
        cursor_ = token.id;
        continue;
      }
      ++calls;
      if (!Check(token)) return;  // the same key again next tick
      cursor_ = token.id;
    }
    if (page->next_cursor.empty()) {
      in_sweep_ = false;
      std::lock_guard lock(mu_);
      ++stats_.sweeps;
      return;
    }
    filter.after_id = cursor_;
  }
}

bool LastUsedWatch::Check(const HoneyToken& token) {
  auto used = o_.lookup(token);
  if (!used.ok()) {
    const StatusCode code = used.status().code();
    if (code == StatusCode::kNotFound) return true;  // retired in IAM meanwhile: reconcile's business
    spdlog::warn("iam last-used watch: GetAccessKeyLastUsed {}: {}", token.access_key_id,
                 used.status().ToString());
    std::lock_guard lock(mu_);
    ++stats_.errors;
    return code != StatusCode::kResourceExhausted && code != StatusCode::kUnavailable;
  }
  const Timestamp now = o_.clock->Now();
  const LastUsedVerdict verdict = JudgeLastUsed(used->last_used_date, token.last_used_at, now, o_.policy);
  {
    std::lock_guard lock(mu_);
    ++stats_.checks;
  }
  if (verdict != LastUsedVerdict::kUnlogged) return true;

  ingest::Detection d;
  d.event = UnloggedUse(token, *used, now);
  d.token_status = token.status;
  d.token_kind = TokenKind::kAws;
  d.basis = MatchBasis::kAccessKeyId;
  auto fresh = o_.recorder->Record({d});
  if (!fresh.ok()) {
    spdlog::warn("iam last-used watch: recording {}: {}", d.event.id, fresh.status().ToString());
    std::lock_guard lock(mu_);
    ++stats_.errors;
    return false;
  }
  if (*fresh > 0) {
    spdlog::warn("{}: key {} (token {}) last used {} via {} in {}", kUnloggedUseEventName,
                 token.access_key_id, token.id, FormatRfc3339(d.event.event_time),
                 Known(used->service_name) ? used->service_name : "?",
                 Known(used->region) ? used->region : "?");
    std::lock_guard lock(mu_);
    stats_.unlogged += *fresh;
  }
  return true;
}

}  // namespace spacecrab
