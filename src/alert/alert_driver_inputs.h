// Inputs of sc_alert_driver (alert_driver_main.cpp): tokens and events read
// from JSON, synthetic tokens, and the storm generator used by bench/alert.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/honey_token.h"

namespace spacecrab::alert {

struct StormSpec {
  int storm_events = 0;
  int storm_tokens = 50;
  int storm_sources = 1;
};

// A unique AKIA key id per n (SQLite keeps key ids unique).
std::string SyntheticKeyId(int n);
// {"id","kind","status","access_key_id","location","owner","notes","tags",
//  "created_at","planted_at","first_used_at","retired_at"}; missing times: a day ago.
HoneyToken TokenFromJson(const nlohmann::json& j, Timestamp now);
// A token for an id the input did not describe.
HoneyToken SyntheticToken(const std::string& id, Timestamp now);
// The event JSON shape of DESIGN ("enrichment" an object).
Event EventFromJson(const nlohmann::json& j);
// Storm: events over one minute of event time from `start`, tokens x sources,
// 20 actions like an enumeration tool.
std::vector<Event> StormEvents(const StormSpec& spec, Timestamp start);

}  // namespace spacecrab::alert
