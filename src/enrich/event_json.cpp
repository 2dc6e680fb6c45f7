#include "enrich/event_json.h"

#include "core/time.h"

namespace spacecrab::enrich {
namespace {

using nlohmann::json;

json StringOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json ObjectOrEmpty(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  return (j.is_discarded() || !j.is_object()) ? json::object() : j;
}

}  // namespace

json EventToJsonValue(const Event& e, const EventJsonOptions& options) {
  json j = json::object();
  j["id"] = e.id;
  j["token_id"] = StringOrNull(e.token_id);
  j["access_key_id"] = StringOrNull(e.access_key_id);
  j["event_time"] = FormatRfc3339(e.event_time);
  j["event_source"] = StringOrNull(e.event_source);
  j["event_name"] = StringOrNull(e.event_name);
  j["aws_region"] = StringOrNull(e.aws_region);
  j["source_ip"] = StringOrNull(e.source_ip);
  j["user_agent"] = StringOrNull(e.user_agent);
  j["error_code"] = StringOrNull(e.error_code);
  j["request_id"] = StringOrNull(e.request_id);
  j["incident_id"] = StringOrNull(e.incident_id);
  j["origin"] = StringOrNull(e.origin);
  j["received_at"] = FormatRfc3339(e.received_at);
  j["enrichment"] = ObjectOrEmpty(e.enrichment_json);
  if (options.include_raw) {
    json raw = json::parse(e.raw_json.begin(), e.raw_json.end(), nullptr, false);
    j["raw"] = raw.is_discarded() ? json(nullptr) : raw;
  }
  return j;
}

std::string EventToJsonLine(const Event& event, const EventJsonOptions& options) {
  return EventToJsonValue(event, options).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string MergeEnrichmentJson(std::string_view existing, const Enrichment& enrichment) {
  json merged = ObjectOrEmpty(existing);
  merged.update(EnrichmentToJsonValue(enrichment));
  return merged.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace spacecrab::enrich
