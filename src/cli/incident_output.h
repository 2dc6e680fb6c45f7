// Human-readable output for the incident, event and alert commands: table
// rows built from the API's JSON (testable), and the printers using them.
//
// Events carry attacker-chosen text (user agents, event names from forged
// records): every cell is passed through TerminalSafe, so a crafted value
// cannot move the cursor or recolour an operator's terminal.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace spacecrab::cli {

using TableRows = std::vector<std::vector<std::string>>;

// Control characters (C0, DEL, C1) replaced by '?'; longer than `max_chars`
// bytes: cut, ending in "...".
std::string TerminalSafe(std::string_view text, size_t max_chars = 200);

std::vector<std::string> IncidentHeader();
TableRows IncidentRows(const nlohmann::json& incidents);
std::vector<std::string> EventHeader();
TableRows EventRows(const nlohmann::json& events);
std::vector<std::string> OutboxHeader();
TableRows OutboxRows(const nlohmann::json& rows);
std::vector<std::string> SinkCheckHeader();
TableRows SinkCheckRows(const nlohmann::json& checks);

// GET /incidents/{id}: "field: value" lines, the token, then its events.
void PrintIncident(const nlohmann::json& incident);

}  // namespace spacecrab::cli
