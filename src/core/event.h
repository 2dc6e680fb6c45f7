// Event: one use of a honey token, as recorded (CloudTrail eventID is the key).
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace spacecrab {

struct Event {
  std::string id;             // CloudTrail eventID (or the decoy endpoint's own)
  std::string token_id;
  std::string access_key_id;
  Timestamp event_time{};
  std::string event_source;   // "sts.amazonaws.com"
  std::string event_name;     // "GetCallerIdentity"
  std::string aws_region;
  std::string source_ip;
  std::string user_agent;
  std::string error_code;     // "AccessDenied" or empty
  std::string request_id;
  std::string incident_id;    // set by the incident stage, empty until then
  std::string origin;         // "s3", "file", "eventbridge", "cloudwatch", "cloudtrail-push", "decoy"
  std::string enrichment_json = "{}";
  std::string raw_json;       // the record as received (bounded by ingest limits)
  Timestamp received_at{};    // when spacecrab saw it
};

}  // namespace spacecrab
