#include "enrich/enrichment.h"

#include <nlohmann/json.hpp>

namespace spacecrab::enrich {
namespace {

using nlohmann::json;

json StringOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string GetString(const json& obj, const char* key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

bool GetBool(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

ToolCategory ParseCategory(std::string_view s) {
  for (ToolCategory c : {ToolCategory::kCli, ToolCategory::kSdk, ToolCategory::kOffensive, ToolCategory::kAudit,
                         ToolCategory::kGui, ToolCategory::kIac, ToolCategory::kHttpClient, ToolCategory::kBrowser,
                         ToolCategory::kConsole, ToolCategory::kAwsInternal}) {
    if (ToString(c) == s) return c;
  }
  return ToolCategory::kUnknown;
}

}  // namespace

std::string Enrichment::NetworkLabel() const {
  if (asn != 0) return as_org.empty() ? "AS" + std::to_string(asn) : "AS" + std::to_string(asn) + " " + as_org;
  if (cloud) {
    std::string label = cloud->provider;
    if (!cloud->service.empty()) label += " " + cloud->service;
    if (!cloud->region.empty()) label += " " + cloud->region;
    return label;
  }
  return {};
}

json EnrichmentToJsonValue(const Enrichment& e) {
  json j = json::object();
  j["ip_version"] = e.ip_version == 0 ? json(nullptr) : json(e.ip_version);
  j["country"] = StringOrNull(e.country);
  j["asn"] = e.asn == 0 ? json(nullptr) : json(e.asn);
  j["as_org"] = StringOrNull(e.as_org);
  j["network"] = StringOrNull(e.NetworkLabel());
  j["tor_exit"] = e.tor_exit;
  if (e.cloud) {
    j["cloud"] = {{"provider", e.cloud->provider},
                  {"service", e.cloud->service},
                  {"region", e.cloud->region},
                  {"prefix", e.cloud->prefix}};
  } else {
    j["cloud"] = nullptr;
  }
  j["aws_internal"] = e.aws_internal;
  j["aws_service"] = StringOrNull(e.aws_service);
  if (e.tool) {
    const ToolInfo& t = *e.tool;
    j["tool"] = {{"family", StringOrNull(t.family)},     {"category", std::string(ToString(t.category))},
                 {"version", StringOrNull(t.version)},   {"os", StringOrNull(t.os)},
                 {"distro", StringOrNull(t.distro)},     {"pentest_distro", t.pentest_distro},
                 {"command", StringOrNull(t.command)},   {"exec_env", StringOrNull(t.exec_env)},
                 {"sdk", StringOrNull(t.sdk)}};
  } else {
    j["tool"] = nullptr;
  }
  return j;
}

std::string EnrichmentToJson(const Enrichment& e) {
  // Tool fields come from the caller's user agent: invalid UTF-8 is replaced
  // rather than allowed to throw.
  return EnrichmentToJsonValue(e).dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<Enrichment> ParseEnrichmentJson(std::string_view json_text) {
  json j = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("enrichment: not a JSON object");
  Enrichment e;
  if (auto it = j.find("ip_version"); it != j.end() && it->is_number_integer()) e.ip_version = it->get<int>();
  e.country = GetString(j, "country");
  if (auto it = j.find("asn"); it != j.end() && it->is_number_unsigned()) e.asn = it->get<uint32_t>();
  e.as_org = GetString(j, "as_org");
  e.tor_exit = GetBool(j, "tor_exit");
  if (auto it = j.find("cloud"); it != j.end() && it->is_object()) {
    e.cloud = CloudMatch{GetString(*it, "provider"), GetString(*it, "service"), GetString(*it, "region"),
                         GetString(*it, "prefix")};
  }
  e.aws_internal = GetBool(j, "aws_internal");
  e.aws_service = GetString(j, "aws_service");
  if (auto it = j.find("tool"); it != j.end() && it->is_object()) {
    ToolInfo t;
    t.family = GetString(*it, "family");
    t.category = ParseCategory(GetString(*it, "category"));
    t.version = GetString(*it, "version");
    t.os = GetString(*it, "os");
    t.distro = GetString(*it, "distro");
    t.pentest_distro = GetBool(*it, "pentest_distro");
    t.command = GetString(*it, "command");
    t.exec_env = GetString(*it, "exec_env");
    t.sdk = GetString(*it, "sdk");
    e.tool = std::move(t);
  }
  return e;
}

EventOrigin ToEventOrigin(const Enrichment& e) {
  EventOrigin o;
  o.country = e.country;
  o.network = e.NetworkLabel();
  o.tor_exit = e.tor_exit;
  o.cloud = e.cloud.has_value();
  o.aws_internal = e.aws_internal;
  if (e.tool) o.tool = ToolLabel(*e.tool);
  return o;
}

EventOrigin DecodeEventOrigin(const Event& event) {
  auto e = ParseEnrichmentJson(event.enrichment_json);
  if (!e.ok()) return {};
  return ToEventOrigin(*e);
}

}  // namespace spacecrab::enrich
