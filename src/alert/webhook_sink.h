// WebhookSink: a signed JSON POST any receiver can verify — the generic way
// to connect a ticket system, a SOAR playbook or an in-house bot.
//
// Request:
//   POST {url}
//   Content-Type: application/json
//   X-Signature-Timestamp: 1763920228                 (Unix seconds, sending time)
//   X-Signature-256: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   X-Dedup-Key: inc_...                              (same for every message of an incident)
//   body: {"kind":"trigger"|"update"|"resolve","dedup_key":...,"outbox_id":...,
//          "attempt":...,"alert":{...AlertToJson...}}
//
// To verify (any language): take the raw body bytes as received, compute
// HMAC-SHA256 with the shared secret over  <X-Signature-Timestamp> "." <body>,
// hex-encode it (lower case), compare with the part after "sha256=" in constant
// time, and reject timestamps more than a few minutes from your clock (replay).
// Deduplicate on X-Dedup-Key + kind: a retry re-sends the same message.
// See tests/receivers/webhook_receiver.py for a working receiver.
//
// Any 2xx is success; 408/429/5xx are retried; other statuses are final.
//
// Config ([sinks.NAME] type = "webhook"):
//   url                  required, http:// or https://
//   secret (or secret_env / secret_file)   required unless unsigned = true
//   unsigned = false     send without a signature (only for receivers that cannot verify)
//   headers = ["Authorization: Bearer x", ...]   extra request headers
// plus the common keys (sink_settings.h).
//
// Thread-safety: Send is safe from any thread.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "alert/http_client.h"
#include "alert/sink.h"
#include "alert/sink_settings.h"
#include "core/clock.h"

namespace spacecrab::alert {

struct WebhookConfig {
  std::string url;
  std::string secret;
  bool unsigned_ = false;
  std::vector<std::pair<std::string, std::string>> headers;
  DeliveryPolicy policy;
};

Expected<WebhookConfig> ParseWebhookConfig(SinkSettings& settings);

// "sha256=" + lower-case hex HMAC-SHA256(secret, timestamp + "." + body).
std::string WebhookSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view body);

class WebhookSink final : public Sink {
 public:
  // `http` and `clock` are not owned and must outlive the sink.
  WebhookSink(std::string name, WebhookConfig config, HttpClient* http, const Clock* clock);
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "webhook"; }
  Status Send(const AlertMessage& message) override;

 private:
  std::string name_;
  WebhookConfig config_;
  HttpClient* http_;
  const Clock* clock_;
};

}  // namespace spacecrab::alert
