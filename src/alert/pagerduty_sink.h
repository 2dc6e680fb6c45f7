// PagerDutySink: PagerDuty Events API v2.
//
// trigger and update -> POST {url}/v2/enqueue {"event_action":"trigger",
// "dedup_key": incident id, ...}: PagerDuty opens one incident per dedup key
// and folds later triggers with the same key into it, so a retried or
// updated page never pages twice. resolve -> {"event_action":"resolve"}.
// 202 is success; 429 and 5xx are retried; 400 (bad routing key or body) is
// final.
//
// Config ([sinks.NAME] type = "pagerduty"):
//   routing_key (secret, or routing_key_env / routing_key_file)   required
//   url = "https://events.pagerduty.com"   base URL (tests point it locally)
//   client = "spacecrab"                   shown in PagerDuty as the sender
// plus the common keys (sink_settings.h); rate_limit defaults to 100/m, under
// PagerDuty's per-key limit.
//
// Thread-safety: Send is safe from any thread (HttpClient is).
#pragma once

#include <string>

#include "alert/http_client.h"
#include "alert/sink.h"
#include "alert/sink_settings.h"

namespace spacecrab::alert {

struct PagerDutyConfig {
  std::string url = "https://events.pagerduty.com";
  std::string routing_key;
  std::string client = "spacecrab";
  DeliveryPolicy policy;
};

Expected<PagerDutyConfig> ParsePagerDutyConfig(SinkSettings& settings);

class PagerDutySink final : public Sink {
 public:
  // `http` is not owned and must outlive the sink.
  PagerDutySink(std::string name, PagerDutyConfig config, HttpClient* http);
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "pagerduty"; }
  Status Send(const AlertMessage& message) override;

  // The Events API v2 body for a message (exposed for tests).
  std::string Body(const AlertMessage& message) const;

 private:
  std::string name_;
  PagerDutyConfig config_;
  HttpClient* http_;
};

}  // namespace spacecrab::alert
