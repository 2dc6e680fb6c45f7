// Parsing alerts back from JSON (the outbox stores AlertToJson's output), the
// envelope machine sinks send, and reading an event's enrichment object.
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "alert/sink.h"
#include "core/alert.h"
#include "core/status.h"

namespace spacecrab::alert {

// Inverse of AlertToJson. kDataLoss when the text is not such an object.
// Unknown fields are ignored, missing ones left empty (older rows parse).
Expected<Alert> AlertFromJson(std::string_view json);

// What the webhook, exec and JSON-lines sinks emit:
//   {"kind":"trigger","dedup_key":"inc_...","outbox_id":7,"attempt":1,"alert":{...}}
std::string MessageToJson(const AlertMessage& message);

// Reads the enrichment{} object src/enrich stores on an event (its JSON
// contract, see enrich/enrichment.h): country, asn (number), as_org,
// tor_exit, cloud{provider,service,region}, aws_internal/aws_service,
// tool{family,version}. Missing keys and nulls stay empty; anything
// unparsable yields an empty enrichment.
AlertEnrichment EnrichmentFromJson(std::string_view json);

}  // namespace spacecrab::alert
