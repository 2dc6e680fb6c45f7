#include "alert/webhook_sink.h"

#include "alert/alert_json.h"
#include "crypto/hash.h"

namespace spacecrab::alert {
namespace {

bool ValidHeaderName(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Expected<WebhookConfig> ParseWebhookConfig(SinkSettings& s) {
  WebhookConfig c;
  c.url = s.RequiredString("url");
  if (!c.url.empty() && c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
    s.Fail("url", "expected an http:// or https:// URL");
  }
  c.unsigned_ = s.Bool("unsigned", false);
  c.secret = s.Secret("secret", !c.unsigned_);
  for (const auto& h : s.List("headers")) {
    size_t colon = h.find(':');
    std::string name = h.substr(0, colon);
    if (colon == std::string::npos || !ValidHeaderName(name) ||
        h.find_first_of("\r\n") != std::string::npos) {
      s.Fail("headers", "expected \"Name: value\" entries");
      break;
    }
    size_t v = h.find_first_not_of(' ', colon + 1);
    c.headers.emplace_back(name, v == std::string::npos ? "" : h.substr(v));
  }
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

std::string WebhookSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view body) {
  std::string signed_text;
  signed_text.reserve(timestamp.size() + 1 + body.size());
  signed_text.append(timestamp).append(".").append(body);
  return "sha256=" + HmacSha256Hex(secret, signed_text);
}

WebhookSink::WebhookSink(std::string name, WebhookConfig config, HttpClient* http,
                         const Clock* clock)
    : name_(std::move(name)), config_(std::move(config)), http_(http), clock_(clock) {}

Status WebhookSink::Send(const AlertMessage& message) {
  HttpRequest req;
  req.url = config_.url;
  req.body = MessageToJson(message);
  req.timeout = config_.policy.timeout;
  req.headers = config_.headers;
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("X-Dedup-Key", message.dedup_key);
  if (!config_.unsigned_) {
    const std::string ts = std::to_string(ToUnixMillis(clock_->Now()) / 1000);
    req.headers.emplace_back("X-Signature-Timestamp", ts);
    req.headers.emplace_back("X-Signature-256", WebhookSignature(config_.secret, ts, req.body));
  }
  SC_ASSIGN_OR_RETURN(HttpResponse resp, http_->Send(req));
  return StatusFromHttp(resp, "webhook '" + name_ + "' at " + UrlHost(config_.url));
}

}  // namespace spacecrab::alert
