// Events as JSON, with their enrichment{} as a real object: the DESIGN.md
// "event" shape, for GET /api/v1/events and for exports as JSON lines (one
// event per line, ready for `jq` and SIEM import).
//
//   {"id":"...","token_id":"tok_...","access_key_id":"AKIA...","event_time":"2026-...Z",
//    "event_source":"sts.amazonaws.com","event_name":"GetCallerIdentity",
//    "aws_region":"us-east-1","source_ip":"203.0.113.7","user_agent":"...",
//    "error_code":null,"request_id":"...","incident_id":"inc_...","origin":"s3",
//    "received_at":"...","enrichment":{...}}
// Empty strings are null. The raw CloudTrail record is added as "raw" (an
// object) only when asked for.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event.h"
#include "enrich/enrichment.h"

namespace spacecrab::enrich {

struct EventJsonOptions {
  bool include_raw = false;  // add the CloudTrail record as received
};

nlohmann::json EventToJsonValue(const Event& event, const EventJsonOptions& options = {});
// One compact line ending in "\n"; invalid UTF-8 in attacker-chosen fields
// (user agent) is replaced, so every line is valid JSON.
std::string EventToJsonLine(const Event& event, const EventJsonOptions& options = {});

// The enrichment object to store on an event: `existing` (e.g. the decoy
// endpoint's {"signature_verified":true,"key_check":"verified"}) with the
// enricher's keys written over it. Invalid or empty `existing` counts as {}.
std::string MergeEnrichmentJson(std::string_view existing, const Enrichment& enrichment);

}  // namespace spacecrab::enrich
