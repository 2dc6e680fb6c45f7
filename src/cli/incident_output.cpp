#include "cli/incident_output.h"

#include <cstdio>

#include "cli/client_command.h"
#include "core/incident.h"

namespace spacecrab::cli {
namespace {

using json = nlohmann::json;

// A cell: Cell() (null -> "-"), made terminal-safe.
std::string Safe(const json& object, const char* field, size_t max_chars = 200) {
  return TerminalSafe(Cell(object, field), max_chars);
}

std::string Str(const json& object, const char* field) {
  if (!object.is_object() || !object.contains(field) || !object[field].is_string()) return "";
  return object[field].get<std::string>();
}

std::string Joined(const json& object, const char* field, size_t max_chars) {
  if (!object.is_object() || !object.contains(field) || !object[field].is_array()) return "-";
  std::string out;
  for (const auto& v : object[field]) {
    if (!v.is_string()) continue;
    out += (out.empty() ? "" : ",") + v.get<std::string>();
  }
  return out.empty() ? "-" : TerminalSafe(out, max_chars);
}

}  // namespace

std::string TerminalSafe(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else if (c == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      out += '?';  // a C1 control (U+0080..U+009F), e.g. CSI
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.size() > max_chars && max_chars >= 3) {
    size_t cut = max_chars - 3;
    // Never split a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out = out.substr(0, cut) + "...";
  }
  return out;
}

std::vector<std::string> IncidentHeader() {
  return {"ID",        "STATUS", "SEVERITY",   "PROFILE",   "TOKEN",
          "SOURCE IP", "EVENTS", "FIRST SEEN", "LAST SEEN", "ACTIONS"};
}

TableRows IncidentRows(const json& incidents) {
  TableRows rows;
  for (const auto& i : incidents) {
    rows.push_back({Safe(i, "id"), Safe(i, "status"), Safe(i, "severity"), Safe(i, "profile"),
                    Safe(i, "token_id"), Safe(i, "source_ip"), Safe(i, "event_count"),
                    Safe(i, "first_seen"), Safe(i, "last_seen"), Joined(i, "actions", 60)});
  }
  return rows;
}

std::vector<std::string> EventHeader() {
  return {"TIME",  "ACTION",     "REGION",   "SOURCE IP", "ERROR",
          "TOKEN", "USER AGENT", "INCIDENT", "ID"};
}

TableRows EventRows(const json& events) {
  TableRows rows;
  for (const auto& e : events) {
    const std::string action = ActionName(Str(e, "event_source"), Str(e, "event_name"));
    rows.push_back({Safe(e, "event_time"), TerminalSafe(action.empty() ? "-" : action, 80),
                    Safe(e, "aws_region"), Safe(e, "source_ip"), Safe(e, "error_code", 40),
                    Safe(e, "token_id"), Safe(e, "user_agent", 50), Safe(e, "incident_id"),
                    Safe(e, "id", 64)});
  }
  return rows;
}

std::vector<std::string> OutboxHeader() {
  return {"ID",       "INCIDENT", "SINK",         "KIND", "STATE",
          "ATTEMPTS", "CREATED",  "NEXT ATTEMPT", "SENT", "LAST ERROR"};
}

TableRows OutboxRows(const json& outbox) {
  TableRows rows;
  for (const auto& r : outbox) {
    rows.push_back({Safe(r, "id"), Safe(r, "incident_id"), Safe(r, "sink"), Safe(r, "kind"),
                    Safe(r, "state"), Safe(r, "attempts"), Safe(r, "created_at"),
                    Str(r, "state") == "pending" ? Safe(r, "next_attempt_at") : "-",
                    Safe(r, "sent_at"), Safe(r, "last_error", 80)});
  }
  return rows;
}

std::vector<std::string> SinkCheckHeader() { return {"SINK", "TYPE", "RESULT", "MS", "ERROR"}; }

TableRows SinkCheckRows(const json& checks) {
  TableRows rows;
  for (const auto& c : checks) {
    const bool ok = c.is_object() && c.value("ok", false);
    rows.push_back({Safe(c, "sink"), Safe(c, "type"), ok ? "ok" : "FAILED", Safe(c, "elapsed_ms"),
                    Safe(c, "error")});
  }
  return rows;
}

void PrintIncident(const json& incident) {
  static constexpr const char* kFields[] = {"id",
                                            "status",
                                            "severity",
                                            "profile",
                                            "trigger",
                                            "token_id",
                                            "source_ip",
                                            "first_seen",
                                            "last_seen",
                                            "event_count",
                                            "retired_token",
                                            "allowlisted",
                                            "allowlist_reason",
                                            "paged",
                                            "acknowledged_at",
                                            "acknowledged_by",
                                            "resolved_at",
                                            "resolved_by",
                                            "created_at",
                                            "updated_at"};
  auto line = [](const char* name, const std::string& value) {
    std::printf("%-17s %s\n", (std::string(name) + ":").c_str(), value.c_str());
  };
  for (const char* f : kFields) {
    if (incident.contains(f)) line(f, Safe(incident, f));
  }
  line("actions", Joined(incident, "actions", 2000));
  line("services", Joined(incident, "services", 500));
  if (incident.contains("token") && incident["token"].is_object()) {
    const json& t = incident["token"];
    line("token", Safe(t, "id") + "  " + Safe(t, "location") + "  (owner " + Safe(t, "owner") +
                      ", " + Safe(t, "status") + ")");
  }
  if (!incident.contains("events") || !incident["events"].is_array()) return;
  const json& events = incident["events"];
  std::printf("\nevents, newest first");
  if (incident.value("events_truncated", false))
    std::printf(" (the newest %zu of %s; all: spacecrab event list --incident %s)", events.size(),
                Safe(incident, "event_count").c_str(), Safe(incident, "id").c_str());
  std::printf(":\n");
  PrintTable(EventHeader(), EventRows(events));
}

}  // namespace spacecrab::cli
