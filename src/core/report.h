// Report: what the tokens caught over a time range — per placement how many
// tokens were planted, how many were used and how fast, and who used them
// (source IPs, countries, networks, tools, user agents, API calls, Tor).
//
// Scope: tokens pass the filters (location prefix, tags, owner, optional
// planting window) and were planted before `to`; events are those of in-scope
// tokens with from <= event_time < to. A token's plant time is planted_at, or
// issued_at when it was never marked planted. Time to first use is its first
// in-scope event minus its plant time (never negative: a use recorded before
// the plant time counts as 0).
// Percentiles use the nearest-rank method (p50 of 1..10 is 5, p90 is 9).
//
// Pure: no clock, no I/O, no JSON library. The caller loads tokens and events
// and supplies an OriginDecoder that reads an event's enrichment_json (the
// enrich module provides one: enrich::DecodeEventOrigin).
// Rendering: JSON (the API's GET /report body), CSV (one table at a time) and
// aligned text tables for a terminal. Attacker-controlled text (user agents)
// is escaped for each format: control characters never reach a terminal, and
// CSV cells that a spreadsheet would run as formulas are neutralised.
//
// Thread-safety: pure functions over values.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/honey_token.h"
#include "core/status.h"
#include "core/time.h"

namespace spacecrab {

// The parts of an event's enrichment the report counts.
struct EventOrigin {
  std::string country;      // "US"; empty when unknown
  std::string network;      // "AS16509 AMAZON-02" or "aws EC2 us-west-2"; empty when unknown
  bool tor_exit = false;
  bool cloud = false;       // inside a published cloud provider network
  bool aws_internal = false;
  std::string tool;         // "aws-cli/2.4.23"; empty without a user agent
};
using OriginDecoder = std::function<EventOrigin(const Event&)>;

enum class PlacementGrouping {
  kLocation,        // the whole location string
  kLocationPrefix,  // the first `prefix_segments` segments of the location (split at ':', '/', '\')
  kPrefixList,      // the longest of `placement_prefixes` the location starts with
  kTag,             // the value of tag `group_tag`
};

struct ReportOptions {
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
  // Token filters.
  std::string location_prefix;
  std::map<std::string, std::string> tags;  // all must match
  std::string owner;
  std::optional<Timestamp> planted_from;    // cohort: plant time in [planted_from, planted_to)
  std::optional<Timestamp> planted_to;
  // Placements.
  PlacementGrouping group_by = PlacementGrouping::kLocationPrefix;
  int prefix_segments = 1;
  std::vector<std::string> placement_prefixes;
  std::string group_tag;
  // Sizes.
  size_t top_n = 10;              // rows per top list; 0 = all
  size_t history_events = 50;     // timeline rows per token; 0 = none
  // Attacker profile, as for incidents: "enumeration" from this many distinct
  // actions or services, else "single probe".
  int enumeration_min_actions = 3;
  int enumeration_min_services = 3;
};

// "location" | "prefix" | "prefix:N" | "tag:NAME" into options.group_by and
// its parameter. kInvalidArgument on anything else.
Status ParsePlacementGrouping(std::string_view spec, ReportOptions& options);
// The inverse, for display: "prefix:1", "tag:placement", "location", "prefixes".
std::string PlacementGroupingName(const ReportOptions& options);
// The placement a token belongs to under `options`; "(none)" for a missing
// tag, "(other)" for a location no listed prefix matches.
std::string PlacementOf(const HoneyToken& token, const ReportOptions& options);

struct DelayStats {
  std::chrono::milliseconds min{};
  std::chrono::milliseconds p50{};
  std::chrono::milliseconds p90{};
  std::chrono::milliseconds max{};
};

struct PlacementRow {
  std::string placement;
  int64_t planted = 0;
  int64_t used = 0;
  double share_used = 0;                       // used / planted, 0..1
  std::optional<DelayStats> time_to_first_use;  // over used tokens
  int64_t events = 0;
  int64_t source_ips = 0;
};

struct TopRow {
  std::string key;
  int64_t events = 0;
  int64_t tokens = 0;   // distinct tokens
  Timestamp first_seen{};
  Timestamp last_seen{};
  std::string detail;   // source IPs: "US · AS16509 AMAZON-02 · tor"
};

struct TimelineEntry {
  Timestamp time{};
  std::string action;  // "sts:GetCallerIdentity"
  std::string source_ip;
  std::string country;
  std::string network;
  bool tor_exit = false;
  std::string tool;
  std::string user_agent;
  std::string error_code;
};

struct TokenHistory {
  std::string token_id;
  std::string access_key_id;
  std::string location;
  std::string placement;
  std::string owner;
  std::string status;  // "active" | "revoked" | ...
  Timestamp planted_at{};
  bool planted_marked = false;  // planted_at was set (else issued_at was used)
  Timestamp first_use{};
  Timestamp last_use{};
  std::chrono::milliseconds time_to_first_use{};
  int64_t events = 0;
  std::vector<std::string> source_ips;  // distinct, in order first seen
  std::vector<std::string> countries;
  std::vector<std::string> tools;
  std::vector<std::string> actions;
  std::string profile;  // "single probe" | "enumeration"
  bool via_tor = false;
  std::vector<TimelineEntry> timeline;  // first history_events events
  bool timeline_truncated = false;
};

struct TorSummary {
  int64_t events = 0;
  double share = 0;  // of all in-scope events
  int64_t source_ips = 0;
  int64_t tokens = 0;
};

struct Report {
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  std::string group_by;
  int64_t tokens = 0;
  int64_t tokens_used = 0;
  int64_t events = 0;
  int64_t source_ips = 0;
  std::vector<PlacementRow> placements;  // by placement name
  PlacementRow total;
  std::vector<TopRow> top_source_ips;
  std::vector<TopRow> top_countries;
  std::vector<TopRow> top_networks;
  std::vector<TopRow> top_tools;
  std::vector<TopRow> top_user_agents;
  std::vector<TopRow> top_api_calls;
  std::vector<TopRow> top_error_codes;
  TorSummary tor;
  int64_t cloud_events = 0;
  int64_t aws_internal_events = 0;
  std::vector<TokenHistory> history;  // used tokens, by first use
};

// REQUIRES: `origin_of` callable (use [](const Event&) { return EventOrigin{}; }
// when there is no enrichment).
Report ComputeReport(std::span<const HoneyToken> tokens, std::span<const Event> events,
                     const ReportOptions& options, const OriginDecoder& origin_of);

// Nearest-rank percentile of sorted values. REQUIRES: non-empty, sorted.
std::chrono::milliseconds Percentile(std::span<const std::chrono::milliseconds> sorted, int pct);
// "45s", "30m12s", "12h05m", "2d03h": the two most significant units.
std::string FormatDelay(std::chrono::milliseconds d);

std::string RenderReportJson(const Report& report);
std::string RenderReportText(const Report& report);
// One table as CSV with a header row: "placements" (the default when empty),
// "source_ips", "countries", "networks", "tools", "user_agents", "api_calls",
// "error_codes", "tokens", "events". kInvalidArgument for any other name.
Expected<std::string> RenderReportCsv(const Report& report, std::string_view table);
std::span<const std::string_view> ReportCsvTables();

}  // namespace spacecrab
