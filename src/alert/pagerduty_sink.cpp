#include "alert/pagerduty_sink.h"

#include <nlohmann/json.hpp>

namespace spacecrab::alert {

Expected<PagerDutyConfig> ParsePagerDutyConfig(SinkSettings& s) {
  PagerDutyConfig c;
  c.routing_key = s.Secret("routing_key", true);
  c.url = s.String("url", c.url);
  while (!c.url.empty() && c.url.back() == '/') c.url.pop_back();
  if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
    s.Fail("url", "expected an http:// or https:// URL");
  }
  c.client = s.String("client", c.client);
  DeliveryPolicy defaults;
  defaults.rate_per_second = 100.0 / 60.0;
  c.policy = s.Policy(defaults);
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

PagerDutySink::PagerDutySink(std::string name, PagerDutyConfig config, HttpClient* http)
    : name_(std::move(name)), config_(std::move(config)), http_(http) {}

std::string PagerDutySink::Body(const AlertMessage& m) const {
  using nlohmann::json;
  json body;
  body["routing_key"] = config_.routing_key;
  body["dedup_key"] = m.dedup_key;
  if (m.kind == AlertKind::kResolve) {
    body["event_action"] = "resolve";
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  const Alert& a = m.alert;
  body["event_action"] = "trigger";
  json details = json::parse(AlertToJson(a), nullptr, false);
  json payload;
  payload["summary"] = AlertSummary(a);
  payload["source"] = a.token.location.empty() ? a.token.id : a.token.location;
  std::string sev = a.incident.severity;
  if (sev != "critical" && sev != "error" && sev != "warning" && sev != "info") sev = "critical";
  payload["severity"] = sev;
  if (a.event.time) payload["timestamp"] = FormatRfc3339(*a.event.time);
  payload["component"] = a.token.access_key_id.empty() ? a.token.id : a.token.access_key_id;
  if (!a.token.owner.empty()) payload["group"] = a.token.owner;
  payload["class"] = a.incident.trigger;
  json custom = json::object();
  if (details.is_object()) {
    for (const char* part : {"token", "event", "source", "incident"}) custom[part] = details[part];
  }
  if (m.kind == AlertKind::kUpdate) custom["update"] = true;
  payload["custom_details"] = custom;
  body["payload"] = payload;
  body["client"] = config_.client;
  if (!a.dashboard_url.empty()) {
    body["client_url"] = a.dashboard_url;
    body["links"] =
        json::array({{{"href", a.dashboard_url}, {"text", "Incident " + a.incident.id}}});
  }
  // Attacker-influenced strings (user agent, event name) may hold invalid
  // UTF-8; replace rather than fail the page.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status PagerDutySink::Send(const AlertMessage& message) {
  HttpRequest req;
  req.url = config_.url + "/v2/enqueue";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = Body(message);
  req.timeout = config_.policy.timeout;
  const std::string what = "pagerduty '" + name_ + "' at " + UrlHost(config_.url);
  SC_ASSIGN_OR_RETURN(HttpResponse resp, http_->Send(req));
  return StatusFromHttp(resp, what);
}

}  // namespace spacecrab::alert
