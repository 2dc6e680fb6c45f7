// Report rendering: JSON and CSV (text tables are in report_text.cpp). Core
// has no JSON library, so the (write-only) JSON here is produced by hand;
// every string goes through JsonString, which escapes and repairs invalid
// UTF-8 from user agents.
#include <array>
#include <cstdio>

#include "core/report.h"
#include "core/report_render_util.h"

namespace spacecrab {
namespace {

using std::chrono::milliseconds;
using report_internal::Joined;
using report_internal::Number;
using report_internal::Seconds;
using report_internal::Utf8SequenceLength;

// ------------------------------------------------------------------ JSON ---

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  return out + "\"";
}

// A tiny builder for one JSON object; keys are written in call order.
class JsonObject {
 public:
  JsonObject& Raw(std::string_view key, const std::string& raw) {
    if (!body_.empty()) body_ += ",";
    body_ += JsonString(key) + ":" + raw;
    return *this;
  }
  JsonObject& Str(std::string_view key, std::string_view v) { return Raw(key, JsonString(v)); }
  JsonObject& Int(std::string_view key, int64_t v) { return Raw(key, std::to_string(v)); }
  JsonObject& Num(std::string_view key, double v, int decimals) { return Raw(key, Number(v, decimals)); }
  JsonObject& Bool(std::string_view key, bool v) { return Raw(key, v ? "true" : "false"); }
  JsonObject& Time(std::string_view key, const std::optional<Timestamp>& t) {
    return Raw(key, t ? JsonString(FormatRfc3339(*t)) : "null");
  }
  std::string Done() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

template <typename T, typename F>
std::string JsonArray(const std::vector<T>& items, F to_json) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += to_json(items[i]);
  }
  return out + "]";
}

std::string StringArray(const std::vector<std::string>& items) {
  return JsonArray(items, [](const std::string& s) { return JsonString(s); });
}

std::string DelayJson(const std::optional<DelayStats>& d) {
  if (!d) return "null";
  return JsonObject()
      .Num("min_seconds", Seconds(d->min), 3)
      .Num("p50_seconds", Seconds(d->p50), 3)
      .Num("p90_seconds", Seconds(d->p90), 3)
      .Num("max_seconds", Seconds(d->max), 3)
      .Str("min", FormatDelay(d->min))
      .Str("p50", FormatDelay(d->p50))
      .Str("p90", FormatDelay(d->p90))
      .Str("max", FormatDelay(d->max))
      .Done();
}

std::string PlacementJson(const PlacementRow& r) {
  return JsonObject()
      .Str("placement", r.placement)
      .Int("planted", r.planted)
      .Int("used", r.used)
      .Num("share_used", r.share_used, 4)
      .Raw("time_to_first_use", DelayJson(r.time_to_first_use))
      .Int("events", r.events)
      .Int("source_ips", r.source_ips)
      .Done();
}

std::string TopJson(const TopRow& r) {
  JsonObject o;
  o.Str("key", r.key).Int("events", r.events).Int("tokens", r.tokens);
  o.Time("first_seen", r.first_seen).Time("last_seen", r.last_seen);
  if (!r.detail.empty()) o.Str("detail", r.detail);
  return o.Done();
}

std::string TimelineJson(const TimelineEntry& t) {
  return JsonObject()
      .Time("time", t.time)
      .Str("action", t.action)
      .Str("source_ip", t.source_ip)
      .Str("country", t.country)
      .Str("network", t.network)
      .Bool("tor_exit", t.tor_exit)
      .Str("tool", t.tool)
      .Str("user_agent", t.user_agent)
      .Str("error_code", t.error_code)
      .Done();
}

std::string HistoryJson(const TokenHistory& h) {
  return JsonObject()
      .Str("token_id", h.token_id)
      .Str("access_key_id", h.access_key_id)
      .Str("location", h.location)
      .Str("placement", h.placement)
      .Str("owner", h.owner)
      .Str("status", h.status)
      .Time("planted_at", h.planted_at)
      .Bool("planted_marked", h.planted_marked)
      .Time("first_use", h.first_use)
      .Time("last_use", h.last_use)
      .Num("time_to_first_use_seconds", Seconds(h.time_to_first_use), 3)
      .Str("time_to_first_use", FormatDelay(h.time_to_first_use))
      .Int("events", h.events)
      .Raw("source_ips", StringArray(h.source_ips))
      .Raw("countries", StringArray(h.countries))
      .Raw("tools", StringArray(h.tools))
      .Raw("actions", StringArray(h.actions))
      .Str("profile", h.profile)
      .Bool("via_tor", h.via_tor)
      .Raw("timeline", JsonArray(h.timeline, TimelineJson))
      .Bool("timeline_truncated", h.timeline_truncated)
      .Done();
}

// ------------------------------------------------------------------- CSV ---

// Quotes when needed; text cells a spreadsheet would evaluate (=, +, -, @)
// get a leading apostrophe, since user agents are the attacker's to choose.
std::string CsvText(std::string_view s) {
  std::string v(s);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  const bool quote = v.find_first_of(",\"\r\n") != std::string::npos || (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvRow(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ",";
    out += cells[i];
  }
  return out + "\n";
}

std::string CsvDelay(const std::optional<DelayStats>& d, milliseconds DelayStats::*field) {
  return d ? Number(Seconds((*d).*field), 3) : "";
}

std::string CsvPlacements(const Report& r) {
  std::string out = CsvRow({"placement", "planted", "used", "share_used", "ttfu_min_seconds", "ttfu_p50_seconds",
                            "ttfu_p90_seconds", "ttfu_max_seconds", "events", "source_ips"});
  auto row = [&](const PlacementRow& p) {
    out += CsvRow({CsvText(p.placement), std::to_string(p.planted), std::to_string(p.used), Number(p.share_used, 4),
                   CsvDelay(p.time_to_first_use, &DelayStats::min), CsvDelay(p.time_to_first_use, &DelayStats::p50),
                   CsvDelay(p.time_to_first_use, &DelayStats::p90), CsvDelay(p.time_to_first_use, &DelayStats::max),
                   std::to_string(p.events), std::to_string(p.source_ips)});
  };
  for (const PlacementRow& p : r.placements) row(p);
  row(r.total);
  return out;
}

std::string CsvTop(const std::vector<TopRow>& rows) {
  std::string out = CsvRow({"key", "events", "tokens", "first_seen", "last_seen", "detail"});
  for (const TopRow& t : rows) {
    out += CsvRow({CsvText(t.key), std::to_string(t.events), std::to_string(t.tokens), FormatRfc3339(t.first_seen),
                   FormatRfc3339(t.last_seen), CsvText(t.detail)});
  }
  return out;
}

std::string CsvTokens(const Report& r) {
  std::string out = CsvRow({"token_id", "access_key_id", "placement", "location", "owner", "status", "planted_at",
                            "first_use", "last_use", "ttfu_seconds", "events", "source_ips", "countries", "tools",
                            "actions", "profile", "via_tor"});
  for (const TokenHistory& h : r.history) {
    out += CsvRow({CsvText(h.token_id), CsvText(h.access_key_id), CsvText(h.placement), CsvText(h.location),
                   CsvText(h.owner), CsvText(h.status), FormatRfc3339(h.planted_at), FormatRfc3339(h.first_use),
                   FormatRfc3339(h.last_use), Number(Seconds(h.time_to_first_use), 3), std::to_string(h.events),
                   CsvText(Joined(h.source_ips)), CsvText(Joined(h.countries)), CsvText(Joined(h.tools)),
                   CsvText(Joined(h.actions)), CsvText(h.profile), h.via_tor ? "true" : "false"});
  }
  return out;
}

std::string CsvEvents(const Report& r) {
  std::string out = CsvRow({"time", "token_id", "placement", "action", "source_ip", "country", "network", "tor_exit",
                            "tool", "user_agent", "error_code"});
  for (const TokenHistory& h : r.history) {
    for (const TimelineEntry& t : h.timeline) {
      out += CsvRow({FormatRfc3339(t.time), CsvText(h.token_id), CsvText(h.placement), CsvText(t.action),
                     CsvText(t.source_ip), CsvText(t.country), CsvText(t.network), t.tor_exit ? "true" : "false",
                     CsvText(t.tool), CsvText(t.user_agent), CsvText(t.error_code)});
    }
  }
  return out;
}

constexpr std::array<std::string_view, 10> kCsvTables = {
    "placements", "source_ips", "countries", "networks", "tools",
    "user_agents", "api_calls", "error_codes", "tokens", "events"};

}  // namespace

std::string FormatDelay(milliseconds d) {
  if (d.count() < 0) d = milliseconds(0);
  int64_t s = d.count() / 1000;
  const int64_t days = s / 86400;
  const int64_t hours = (s % 86400) / 3600;
  const int64_t minutes = (s % 3600) / 60;
  const int64_t seconds = s % 60;
  char buf[48];
  if (days > 0) {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(days), static_cast<long long>(hours));
  } else if (hours > 0) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(hours), static_cast<long long>(minutes));
  } else if (minutes > 0) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(minutes), static_cast<long long>(seconds));
  } else {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(seconds));
  }
  return buf;
}

std::string RenderReportJson(const Report& r) {
  JsonObject top;
  top.Raw("source_ips", JsonArray(r.top_source_ips, TopJson))
      .Raw("countries", JsonArray(r.top_countries, TopJson))
      .Raw("networks", JsonArray(r.top_networks, TopJson))
      .Raw("tools", JsonArray(r.top_tools, TopJson))
      .Raw("user_agents", JsonArray(r.top_user_agents, TopJson))
      .Raw("api_calls", JsonArray(r.top_api_calls, TopJson))
      .Raw("error_codes", JsonArray(r.top_error_codes, TopJson));
  JsonObject summary;
  summary.Int("tokens", r.tokens)
      .Int("tokens_used", r.tokens_used)
      .Num("share_used", r.total.share_used, 4)
      .Int("events", r.events)
      .Int("source_ips", r.source_ips)
      .Int("cloud_events", r.cloud_events)
      .Int("aws_internal_events", r.aws_internal_events);
  JsonObject tor;
  tor.Int("events", r.tor.events).Num("share", r.tor.share, 4).Int("source_ips", r.tor.source_ips).Int("tokens", r.tor.tokens);
  return JsonObject()
             .Time("from", r.from)
             .Time("to", r.to)
             .Str("group_by", r.group_by)
             .Raw("summary", summary.Done())
             .Raw("placements", JsonArray(r.placements, PlacementJson))
             .Raw("total", PlacementJson(r.total))
             .Raw("top", top.Done())
             .Raw("tor", tor.Done())
             .Raw("tokens", JsonArray(r.history, HistoryJson))
             .Done() +
         "\n";
}

Expected<std::string> RenderReportCsv(const Report& r, std::string_view table) {
  if (table.empty() || table == "placements") return CsvPlacements(r);
  if (table == "source_ips") return CsvTop(r.top_source_ips);
  if (table == "countries") return CsvTop(r.top_countries);
  if (table == "networks") return CsvTop(r.top_networks);
  if (table == "tools") return CsvTop(r.top_tools);
  if (table == "user_agents") return CsvTop(r.top_user_agents);
  if (table == "api_calls") return CsvTop(r.top_api_calls);
  if (table == "error_codes") return CsvTop(r.top_error_codes);
  if (table == "tokens") return CsvTokens(r);
  if (table == "events") return CsvEvents(r);
  std::string names;
  for (std::string_view n : kCsvTables) names += (names.empty() ? "" : ", ") + std::string(n);
  return InvalidArgument("report: unknown CSV table '" + std::string(table) + "' (one of " + names + ")");
}

std::span<const std::string_view> ReportCsvTables() { return kCsvTables; }

}  // namespace spacecrab
