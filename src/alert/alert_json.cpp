#include "alert/alert_json.h"

#include <nlohmann/json.hpp>

namespace spacecrab::alert {
namespace {

using nlohmann::json;

std::string Str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<Timestamp> Time(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return std::nullopt;
  return ParseRfc3339(it->get<std::string>());
}

std::optional<bool> OptBool(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::optional<int64_t> OptInt(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::vector<std::string> Strings(const json& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

const json& Obj(const json& o, const char* key) {
  static const json kEmpty = json::object();
  auto it = o.find(key);
  return it != o.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace

Expected<Alert> AlertFromJson(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return DataLoss("alert payload is not a JSON object");
  Alert a;
  a.title = Str(j, "title");
  a.test = OptBool(j, "test").value_or(false);
  const json& t = Obj(j, "token");
  a.token.id = Str(t, "id");
  a.token.kind = Str(t, "kind");
  a.token.status = Str(t, "status");
  a.token.access_key_id = Str(t, "access_key_id");
  a.token.account_id = Str(t, "account_id");
  a.token.user_name = Str(t, "user_name");
  a.token.location = Str(t, "location");
  a.token.owner = Str(t, "owner");
  a.token.notes = Str(t, "notes");
  for (const auto& [k, v] : Obj(t, "tags").items())
    if (v.is_string()) a.token.tags[k] = v.get<std::string>();
  a.token.created_at = Time(t, "created_at");
  a.token.planted_at = Time(t, "planted_at");
  a.token.age_at_first_use_seconds = OptInt(t, "age_at_first_use_seconds");
  a.token.retired = OptBool(t, "retired").value_or(false);
  const json& e = Obj(j, "event");
  a.event.id = Str(e, "id");
  a.event.time = Time(e, "time");
  a.event.event_source = Str(e, "event_source");
  a.event.event_name = Str(e, "event_name");
  a.event.region = Str(e, "region");
  a.event.error_code = Str(e, "error_code");
  a.event.request_id = Str(e, "request_id");
  const json& s = Obj(j, "source");
  a.source.ip = Str(s, "ip");
  a.source.country = Str(s, "country");
  a.source.asn = Str(s, "asn");
  a.source.as_org = Str(s, "as_org");
  a.source.tor_exit = OptBool(s, "tor_exit");
  a.source.cloud_network = Str(s, "cloud_network");
  a.source.user_agent = Str(s, "user_agent");
  a.source.tool = Str(s, "tool");
  a.source.key_check = Str(s, "key_check");
  const json& i = Obj(j, "incident");
  a.incident.id = Str(i, "id");
  a.incident.status = Str(i, "status");
  a.incident.first_seen = Time(i, "first_seen");
  a.incident.last_seen = Time(i, "last_seen");
  a.incident.event_count = OptInt(i, "event_count").value_or(0);
  a.incident.actions = Strings(i, "actions");
  a.incident.services = Strings(i, "services");
  a.incident.profile = Str(i, "profile");
  a.incident.trigger = Str(i, "trigger");
  a.incident.severity = Str(i, "severity");
  a.incident.allowlisted = OptBool(i, "allowlisted").value_or(false);
  a.incident.allowlist_reason = Str(i, "allowlist_reason");
  a.dashboard_url = Str(Obj(j, "links"), "dashboard");
  return a;
}

std::string MessageToJson(const AlertMessage& m) {
  std::string out = "{\"kind\":" + JsonQuote(ToString(m.kind)) +
                    ",\"dedup_key\":" + JsonQuote(m.dedup_key) +
                    ",\"outbox_id\":" + std::to_string(m.outbox_id) +
                    ",\"attempt\":" + std::to_string(m.attempt) + ",\"alert\":";
  out += AlertToJson(m.alert);
  out += "}";
  return out;
}

AlertEnrichment EnrichmentFromJson(std::string_view text) {
  AlertEnrichment out;
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  out.country = Str(j, "country");
  if (auto n = OptInt(j, "asn"); n && *n > 0) out.asn = "AS" + std::to_string(*n);
  if (out.asn.empty()) out.asn = Str(j, "asn");
  out.as_org = Str(j, "as_org");
  out.tor_exit = OptBool(j, "tor_exit");
  if (auto it = j.find("cloud"); it != j.end() && it->is_object()) {
    std::string label = Str(*it, "provider");
    for (const char* k : {"service", "region"}) {
      std::string v = Str(*it, k);
      if (!v.empty()) label += (label.empty() ? "" : " ") + v;
    }
    out.cloud_network = label;
  } else {
    out.cloud_network = Str(j, "cloud");
  }
  if (OptBool(j, "aws_internal").value_or(false)) {
    std::string svc = Str(j, "aws_service");
    out.cloud_network = "AWS internal" + (svc.empty() ? "" : " (" + svc + ")");
  }
  if (auto it = j.find("tool"); it != j.end() && it->is_object()) {
    out.tool = Str(*it, "family");
    std::string version = Str(*it, "version");
    if (!out.tool.empty() && !version.empty()) out.tool += " " + version;
  } else {
    out.tool = Str(j, "tool");
  }
  out.key_check = Str(j, "key_check");
  return out;
}

}  // namespace spacecrab::alert
