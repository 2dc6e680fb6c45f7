// Alert: everything one page carries (DESIGN "Example: what one alert
// carries"), as one value every sink renders in its own format.
//
// An Alert is a snapshot taken when the outbox row is written, so a retried
// page says what was true when it was queued. Enrichment fields are empty
// strings / nullopt until the enrichment stage fills them.
//
// The JSON rendering (AlertToJson) is the one contract for machine consumers:
// the webhook and exec sinks send it, the JSON-lines sink writes it, and
// src/alert parses it back from the outbox. Field names only ever get added.
//
// Thread-safety: plain values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/honey_token.h"
#include "core/incident.h"
#include "core/time.h"

namespace spacecrab {

struct AlertToken {
  std::string id;
  std::string kind;           // "aws" | "decoy"
  std::string status;         // "active" | "revoked" | "expired" | "deleted"
  std::string access_key_id;  // not a secret: the id an attacker already holds
  std::string account_id;
  std::string user_name;
  std::string location;
  std::string owner;
  std::string notes;
  std::map<std::string, std::string> tags;
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> planted_at;
  // Time from planting (or issue, when planted_at is unknown) to first use.
  std::optional<int64_t> age_at_first_use_seconds;
  bool retired = false;  // retired when used (see Incident::retired_token)
};

struct AlertEvent {
  std::string id;  // CloudTrail eventID
  std::optional<Timestamp> time;
  std::string event_source;
  std::string event_name;
  std::string region;
  std::string error_code;
  std::string request_id;
};

// Where the call came from. Enrichment fields may be empty.
struct AlertSource {
  std::string ip;
  std::string country;  // ISO 3166 alpha-2
  std::string asn;      // "AS16509"
  std::string as_org;
  std::optional<bool> tor_exit;
  std::string cloud_network;  // "AMAZON us-east-1" or empty
  std::string user_agent;
  std::string tool;  // "aws-cli", "boto3", "TruffleHog", ...
  // Decoy endpoint only: "verified" (the caller holds the secret), "key_id_only"
  // (the signature did not verify: the key id leaked, maybe not the secret),
  // or empty (CloudTrail detections: AWS verified the signature).
  std::string key_check;
};

struct AlertIncident {
  std::string id;
  std::string status;
  std::optional<Timestamp> first_seen;
  std::optional<Timestamp> last_seen;
  int64_t event_count = 0;
  std::vector<std::string> actions;
  std::vector<std::string> services;
  std::string profile;   // "single probe" | "enumeration"
  std::string trigger;   // "first_use" | "retired_token_use" | "repeat_use"
  std::string severity;  // "info" | "warning" | "error" | "critical"
  bool allowlisted = false;
  std::string allowlist_reason;
};

struct Alert {
  std::string title;  // one line: what happened, where, from where
  AlertToken token;
  AlertEvent event;  // the latest event of the incident when queued
  AlertSource source;
  AlertIncident incident;
  std::string dashboard_url;  // link to the incident; empty if no public URL is known
  bool test = false;          // sent by `spacecrab alert test`, not by an attack
};

// Enrichment of one event as the alert needs it (filled by src/enrich later).
struct AlertEnrichment {
  std::string country;
  std::string asn;
  std::string as_org;
  std::optional<bool> tor_exit;
  std::string cloud_network;
  std::string tool;
  std::string key_check;  // see AlertSource::key_check
};

// Builds the alert for `incident` as of `latest` (its newest event).
// `public_url` is the dashboard base ("https://sc.example.com"); may be empty.
Alert BuildAlert(const Incident& incident, const HoneyToken& token, const Event& latest,
                 const AlertEnrichment& enrichment, std::string_view public_url);

// Compact JSON object, UTF-8, stable field names (see alert.cpp for the shape).
std::string AlertToJson(const Alert& alert);
// The one-line summary every sink uses as subject / title (<= 1024 bytes, as
// PagerDuty's summary allows).
std::string AlertSummary(const Alert& alert);
// A few lines of plain text for e-mail bodies, console and syslog.
std::string AlertText(const Alert& alert);

// JSON string literal (quotes included) with RFC 8259 escaping; invalid UTF-8
// bytes become U+FFFD so the output is always valid JSON.
std::string JsonQuote(std::string_view s);

}  // namespace spacecrab
