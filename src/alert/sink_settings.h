// SinkSettings: typed, validated reading of one [sinks.NAME] table, and the
// delivery policy keys every sink shares.
//
// Each sink's config struct is filled through this reader at start-up; the
// first problem is kept and Finish() reports it together with any key the
// sink did not read, so a typo ("routing_kye") fails start-up instead of
// being ignored. Messages name the sink and key, never a secret value:
//   sink 'ops' (pagerduty): routing_key: required
//
// Common keys (every sink):
//   timeout = "10s"          per attempt
//   retry_initial = "1s"     first backoff; doubles per attempt, with jitter
//   retry_max = "5m"         backoff cap
//   max_age = "24h"          older undelivered messages are dead-lettered
//   update_interval = "60s"  at most one update per incident per interval
//   rate_limit = "120/m"     messages per second/minute/hour ("0": unlimited)
//   workers = 1              concurrent senders (order per incident is kept)
//   send = "trigger,update,resolve"   which kinds this sink delivers
// Secrets (routing_key, password, secret, url of chat webhooks) may instead be
// given as KEY_env (an environment variable name) or KEY_file (a file path).
//
// Thread-safety: not thread-safe; used once per sink while building it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/incident.h"
#include "core/status.h"

namespace spacecrab::alert {

struct DeliveryPolicy {
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{5 * 60 * 1000};
  std::chrono::milliseconds max_age{24 * 3600 * 1000};
  std::chrono::milliseconds update_interval{60 * 1000};
  double rate_per_second = 0;  // 0: unlimited
  int workers = 1;
  std::set<AlertKind> kinds{AlertKind::kTrigger, AlertKind::kUpdate, AlertKind::kResolve};
};

class SinkSettings {
 public:
  // `env` resolves KEY_env settings (normally the process environment).
  SinkSettings(const SinkConfig& config, const std::map<std::string, std::string>& env);

  std::string String(const std::string& key, const std::string& fallback = "");
  std::string RequiredString(const std::string& key);
  // KEY, KEY_env or KEY_file (exactly one); trailing newline of a file dropped.
  std::string Secret(const std::string& key, bool required);
  int Int(const std::string& key, int fallback, int min, int max);
  bool Bool(const std::string& key, bool fallback);
  std::chrono::milliseconds Duration(const std::string& key, std::chrono::milliseconds fallback);
  // Comma-separated list (TOML arrays arrive joined with commas); blanks dropped.
  std::vector<std::string> List(const std::string& key);
  // One of `allowed`.
  std::string Choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed);
  // Reads the common keys above. `defaults` carries the sink kind's defaults.
  DeliveryPolicy Policy(DeliveryPolicy defaults);

  // Records a problem found by the sink's own checks.
  void Fail(const std::string& key, const std::string& why);
  // The first problem, or an unknown key, or OK.
  Status Finish();

  const std::string& sink_name() const { return config_.name; }

 private:
  const std::string* Raw(const std::string& key);

  const SinkConfig& config_;
  const std::map<std::string, std::string>& env_;
  std::set<std::string> used_;
  std::optional<Status> error_;
};

}  // namespace spacecrab::alert
