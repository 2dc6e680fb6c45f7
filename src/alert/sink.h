// Sink: one channel a page leaves through (PagerDuty, e-mail, Slack, a
// webhook, syslog, a file, a program, the console).
//
// Every sink has the same shape: a name (the config section), a kind (the
// config `type`), a typed config validated when the sink is built (see
// sink_factory.h), and Send(). The dispatcher calls Send from one worker per
// sink, so a slow or broken sink never holds up another.
//
// Failure contract for Send:
//   OK            delivered (or accepted by the remote end)
//   kUnavailable  transient: timeout, connection refused, HTTP 429/5xx; the
//                 dispatcher retries with backoff until the message's maximum age
//   anything else final: the remote end rejected the message (HTTP 400, bad
//                 address); the dispatcher dead-letters it at once
// Error messages never contain secrets (routing keys, passwords, webhook URLs
// that embed a token): sinks name the host only.
//
// Thread-safety: Send may be called concurrently when a sink is configured
// with several workers; implementations synchronise their own state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/alert.h"
#include "core/incident.h"
#include "core/status.h"

namespace spacecrab::alert {

struct AlertMessage {
  AlertKind kind = AlertKind::kTrigger;
  Alert alert;
  // Stable per incident (the incident id): PagerDuty's dedup_key, the
  // webhook's X-Dedup-Key, the e-mail thread. A retry never pages twice.
  std::string dedup_key;
  int64_t outbox_id = 0;  // 0 for messages that never went through the outbox
  int attempt = 1;        // 1 for the first try
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual const std::string& name() const = 0;
  virtual std::string_view kind() const = 0;
  virtual Status Send(const AlertMessage& message) = 0;
};

}  // namespace spacecrab::alert
