#include "alert/syslog_format.h"

#include <array>

namespace spacecrab::alert {
namespace {

// RFC 5424 PARAM-VALUE: escape '"', '\' and ']'; drop control characters.
std::string SdEscape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

// HOSTNAME / APP-NAME / PROCID / MSGID: printable US-ASCII, no spaces, bounded.
std::string Token(std::string_view v, size_t max) {
  std::string out;
  for (char c : v) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u > 32 && u < 127) out += c;
    if (out.size() == max) break;
  }
  return out.empty() ? "-" : out;
}

std::string OneLine(std::string_view v) {
  std::string out;
  for (char c : v) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

// CEF header fields escape '\' and '|'; extension values escape '\', '=' and
// turn newlines into \n.
std::string CefHeader(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string CefValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '=') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

int SyslogFacility(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "kern", "user", "mail", "daemon", "auth",     "syslog",
      "lpr",  "news", "uucp", "cron",   "authpriv", "ftp"};
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<int>(i);
  if (name.size() == 6 && name.substr(0, 5) == "local" && name[5] >= '0' && name[5] <= '7') {
    return 16 + (name[5] - '0');
  }
  return -1;
}

int SyslogSeverity(const AlertMessage& m) {
  if (m.kind == AlertKind::kResolve) return 5;
  const std::string& s = m.alert.incident.severity;
  if (s == "error") return 3;
  if (s == "warning") return 4;
  if (s == "info") return 6;
  return 2;
}

std::string FormatRfc5424(const AlertMessage& m, const SyslogFormatOptions& o, Timestamp now) {
  const Alert& a = m.alert;
  std::string out = "<" + std::to_string(o.facility * 8 + SyslogSeverity(m)) + ">1 " +
                    FormatRfc3339(now) + " " + Token(o.hostname, 255) + " " +
                    Token(o.app_name, 48) + " " + Token(o.procid, 128) + " " +
                    Token(ToString(m.kind), 32) + " ";
  out += "[alert@32473 incident=\"" + SdEscape(a.incident.id) + "\" token=\"" +
         SdEscape(a.token.id) + "\" src=\"" + SdEscape(a.source.ip) + "\" severity=\"" +
         SdEscape(a.incident.severity) + "\" profile=\"" + SdEscape(a.incident.profile) +
         "\" count=\"" + std::to_string(a.incident.event_count) + "\"]";
  out += " ";
  out += o.cef ? FormatCef(m) : OneLine(AlertSummary(a));
  return out;
}

std::string FormatCef(const AlertMessage& m) {
  const Alert& a = m.alert;
  const std::string& s = a.incident.severity;
  int sev = s == "critical" ? 10 : s == "error" ? 8 : s == "warning" ? 5 : 3;
  if (m.kind == AlertKind::kResolve) sev = 1;
  std::string out = "CEF:0|spacecrab|spacecrab|1|" + CefHeader(a.incident.trigger) + "|" +
                    CefHeader((m.kind == AlertKind::kResolve ? "Resolved: " : "") + a.title) + "|" +
                    std::to_string(sev) + "|";
  std::vector<std::pair<std::string, std::string>> ext = {
      {"act", ToString(m.kind).data()},
      {"externalId", a.incident.id},
      {"src", a.source.ip},
      {"requestClientApplication", a.source.user_agent},
      {"cs1Label", "token"},
      {"cs1", a.token.id},
      {"cs2Label", "location"},
      {"cs2", a.token.location},
      {"cs3Label", "eventName"},
      {"cs3",
       a.event.event_source.empty() ? "" : ActionName(a.event.event_source, a.event.event_name)},
      {"cs4Label", "profile"},
      {"cs4", a.incident.profile},
      {"cs5Label", "accessKeyId"},
      {"cs5", a.token.access_key_id},
      {"suser", a.token.owner},
      {"cnt", std::to_string(a.incident.event_count)},
      {"reason", a.event.error_code},
      {"request", a.dashboard_url},
  };
  if (a.event.time) ext.push_back({"rt", std::to_string(ToUnixMillis(*a.event.time))});
  bool first = true;
  for (const auto& [k, v] : ext) {
    if (v.empty()) continue;
    out += (first ? "" : " ") + k + "=" + CefValue(v);
    first = false;
  }
  return out;
}

std::string OctetCounted(std::string_view message) {
  return std::to_string(message.size()) + " " + std::string(message);
}

}  // namespace spacecrab::alert
