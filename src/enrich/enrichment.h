// Enrichment: what spacecrab learned about where one event came from, and its
// JSON form — the `enrichment{}` object of every event (stored in
// Event::enrichment_json, returned by the API, exported as JSON lines).
//
// JSON shape (every key always present; unknown values are null, so jq
// filters and SIEM field mappings see one stable schema):
//   {"ip_version":4, "country":"US", "asn":16509, "as_org":"AMAZON-02",
//    "network":"AS16509 AMAZON-02", "tor_exit":false,
//    "cloud":{"provider":"aws","service":"EC2","region":"us-west-2","prefix":"18.236.0.0/15"},
//    "aws_internal":false, "aws_service":null,
//    "tool":{"family":"aws-cli","category":"cli","version":"2.4.23","os":"windows",
//            "distro":null,"pentest_distro":false,"command":"s3.ls","exec_env":null,"sdk":null}}
// "cloud" and "tool" are null when there is no cloud match / no user agent.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/event.h"
#include "core/report.h"
#include "core/status.h"
#include "enrich/cloud_ranges.h"
#include "enrich/user_agent.h"

namespace spacecrab::enrich {

struct Enrichment {
  int ip_version = 0;           // 4 or 6; 0 when the source is not an address
  std::string country;          // ISO 3166 alpha-2, "US"
  uint32_t asn = 0;             // 0: unknown
  std::string as_org;
  bool tor_exit = false;
  std::optional<CloudMatch> cloud;
  // The call came from AWS itself: sourceIPAddress was "AWS Internal" or a
  // service name ("ec2.amazonaws.com", then in aws_service), or the user
  // agent is an AWS service's.
  bool aws_internal = false;
  std::string aws_service;
  std::optional<ToolInfo> tool;  // absent when there was no user agent

  // "AS16509 AMAZON-02", else "aws EC2 us-west-2", else "" — one label for
  // "which network" in alerts and reports.
  std::string NetworkLabel() const;
};

nlohmann::json EnrichmentToJsonValue(const Enrichment& e);
// Compact JSON text, for Event::enrichment_json.
std::string EnrichmentToJson(const Enrichment& e);
// Reads an enrichment{} object back. Tolerant of missing keys (events stored
// before a field existed, or "{}"); fails only on text that is not a JSON object.
Expected<Enrichment> ParseEnrichmentJson(std::string_view json_text);

// What the report (core/report.h) needs from an event: decoded from its
// enrichment_json; an event without usable enrichment gets an empty origin.
EventOrigin ToEventOrigin(const Enrichment& e);
EventOrigin DecodeEventOrigin(const Event& event);

}  // namespace spacecrab::enrich
