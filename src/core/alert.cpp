#include "core/alert.h"

#include <chrono>

namespace spacecrab {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if (n == 2 && c < 0xc2) return 0;                                       // overlong
  if (n == 3 && c == 0xe0 && b(i + 1) < 0xa0) return 0;                   // overlong
  if (n == 3 && c == 0xed && b(i + 1) >= 0xa0) return 0;                  // surrogates
  if (n == 4 && c == 0xf0 && b(i + 1) < 0x90) return 0;                   // overlong
  if (n == 4 && (c > 0xf4 || (c == 0xf4 && b(i + 1) >= 0x90))) return 0;  // > U+10FFFF
  return n;
}

class JsonObject {
 public:
  JsonObject& Str(std::string_view key, std::string_view value) {
    return Raw(key, JsonQuote(value));
  }
  JsonObject& Time(std::string_view key, const std::optional<Timestamp>& t) {
    return Raw(key, t ? JsonQuote(FormatRfc3339(*t)) : "null");
  }
  JsonObject& Int(std::string_view key, std::optional<int64_t> v) {
    return Raw(key, v ? std::to_string(*v) : "null");
  }
  JsonObject& Bool(std::string_view key, std::optional<bool> v) {
    return Raw(key, v ? (*v ? "true" : "false") : "null");
  }
  JsonObject& List(std::string_view key, const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += ',';
      out += JsonQuote(items[i]);
    }
    return Raw(key, out + "]");
  }
  JsonObject& Map(std::string_view key, const std::map<std::string, std::string>& m) {
    JsonObject o;
    for (const auto& [k, v] : m) o.Str(k, v);
    return Raw(key, o.Done());
  }
  JsonObject& Raw(std::string_view key, std::string_view json) {
    body_ += body_.empty() ? "{" : ",";
    body_ += JsonQuote(key);
    body_ += ':';
    body_ += json;
    return *this;
  }
  std::string Done() const { return body_.empty() ? "{}" : body_ + "}"; }

 private:
  std::string body_;
};

std::string Or(std::string_view s, std::string_view fallback) {
  return std::string(s.empty() ? fallback : s);
}

}  // namespace

std::string JsonQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

Alert BuildAlert(const Incident& incident, const HoneyToken& token, const Event& latest,
                 const AlertEnrichment& enrichment, std::string_view public_url) {
  Alert a;
  a.token.id = token.id;
  a.token.kind = std::string(ToString(token.kind));
  a.token.status = std::string(ToString(token.status));
  a.token.access_key_id = token.access_key_id;
  a.token.account_id = token.account_id;
  a.token.user_name = token.user_name;
  a.token.location = token.location;
  a.token.owner = token.owner;
  a.token.notes = token.notes;
  a.token.tags = token.tags;
  a.token.created_at = token.created_at;
  a.token.planted_at = token.planted_at;
  a.token.retired = incident.retired_token;
  const Timestamp first_use = token.first_used_at.value_or(incident.first_seen);
  const Timestamp since = token.planted_at                 ? *token.planted_at
                          : token.issued_at != Timestamp{} ? token.issued_at
                                                           : token.created_at;
  if (since != Timestamp{} && first_use >= since) {
    a.token.age_at_first_use_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(first_use - since).count();
  }

  a.event.id = latest.id;
  a.event.time = latest.event_time;
  a.event.event_source = latest.event_source;
  a.event.event_name = latest.event_name;
  a.event.region = latest.aws_region;
  a.event.error_code = latest.error_code;
  a.event.request_id = latest.request_id;

  a.source.ip = latest.source_ip;
  a.source.user_agent = latest.user_agent;
  a.source.country = enrichment.country;
  a.source.asn = enrichment.asn;
  a.source.as_org = enrichment.as_org;
  a.source.tor_exit = enrichment.tor_exit;
  a.source.cloud_network = enrichment.cloud_network;
  a.source.tool = enrichment.tool;
  a.source.key_check = enrichment.key_check;

  a.incident.id = incident.id;
  a.incident.status = std::string(ToString(incident.status));
  a.incident.first_seen = incident.first_seen;
  a.incident.last_seen = incident.last_seen;
  a.incident.event_count = incident.event_count;
  a.incident.actions = incident.actions;
  a.incident.services = incident.services;
  a.incident.profile = std::string(ToString(incident.profile));
  a.incident.trigger = std::string(ToString(incident.trigger));
  a.incident.severity = std::string(ToString(incident.severity));
  a.incident.allowlisted = incident.allowlisted;
  a.incident.allowlist_reason = incident.allowlist_reason;

  if (!public_url.empty()) {
    std::string base(public_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    a.dashboard_url = base + "/incidents/" + incident.id;
  }
  a.title = IncidentHeadline(incident, token) + " planted at " + Or(token.location, "(unknown)") +
            " from " + Or(latest.source_ip, "(unknown source)");
  return a;
}

std::string AlertToJson(const Alert& a) {
  JsonObject token;
  token.Str("id", a.token.id)
      .Str("kind", a.token.kind)
      .Str("status", a.token.status)
      .Str("access_key_id", a.token.access_key_id)
      .Str("account_id", a.token.account_id)
      .Str("user_name", a.token.user_name)
      .Str("location", a.token.location)
      .Str("owner", a.token.owner)
      .Str("notes", a.token.notes)
      .Map("tags", a.token.tags)
      .Time("created_at", a.token.created_at)
      .Time("planted_at", a.token.planted_at)
      .Int("age_at_first_use_seconds", a.token.age_at_first_use_seconds)
      .Bool("retired", a.token.retired);
  JsonObject event;
  event.Str("id", a.event.id)
      .Time("time", a.event.time)
      .Str("event_source", a.event.event_source)
      .Str("event_name", a.event.event_name)
      .Str("region", a.event.region)
      .Str("error_code", a.event.error_code)
      .Str("request_id", a.event.request_id);
  JsonObject source;
  source.Str("ip", a.source.ip)
      .Str("country", a.source.country)
      .Str("asn", a.source.asn)
      .Str("as_org", a.source.as_org)
      .Bool("tor_exit", a.source.tor_exit)
      .Str("cloud_network", a.source.cloud_network)
      .Str("user_agent", a.source.user_agent)
      .Str("tool", a.source.tool)
      .Str("key_check", a.source.key_check);
  JsonObject incident;
  incident.Str("id", a.incident.id)
      .Str("status", a.incident.status)
      .Time("first_seen", a.incident.first_seen)
      .Time("last_seen", a.incident.last_seen)
      .Int("event_count", a.incident.event_count)
      .List("actions", a.incident.actions)
      .List("services", a.incident.services)
      .Str("profile", a.incident.profile)
      .Str("trigger", a.incident.trigger)
      .Str("severity", a.incident.severity)
      .Bool("allowlisted", a.incident.allowlisted)
      .Str("allowlist_reason", a.incident.allowlist_reason);
  JsonObject links;
  links.Str("dashboard", a.dashboard_url);
  JsonObject root;
  root.Int("version", 1)
      .Str("title", a.title)
      .Str("summary", AlertSummary(a))
      .Str("severity", a.incident.severity)
      .Bool("test", a.test)
      .Raw("token", token.Done())
      .Raw("event", event.Done())
      .Raw("source", source.Done())
      .Raw("incident", incident.Done())
      .Raw("links", links.Done());
  return root.Done();
}

std::string AlertSummary(const Alert& a) {
  std::string s = a.test ? "[TEST] " : "";
  s += a.title;
  if (!a.event.event_name.empty()) {
    s += ": " + ActionName(a.event.event_source, a.event.event_name);
  }
  s += " (" + std::to_string(a.incident.event_count) +
       (a.incident.event_count == 1 ? " call, " : " calls, ") + a.incident.profile + ")";
  if (s.size() > 1024) {
    size_t cut = 1021;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;  // keep UTF-8
    s = s.substr(0, cut) + "...";
  }
  return s;
}

std::string AlertText(const Alert& a) {
  auto line = [](std::string_view label, std::string_view value) {
    return value.empty() ? std::string() : std::string(label) + ": " + std::string(value) + "\n";
  };
  auto time = [](const std::optional<Timestamp>& t) { return t ? FormatRfc3339(*t) : ""; };
  std::string tags;
  for (const auto& [k, v] : a.token.tags) tags += (tags.empty() ? "" : ", ") + k + "=" + v;
  std::string out = AlertSummary(a) + "\n\n";
  out += line("Severity", a.incident.severity);
  out += line("Token", a.token.id + " (" + a.token.kind + ", " + a.token.status +
                           (a.token.retired ? ", retired when used" : "") + ")");
  out += line("Access key", a.token.access_key_id);
  out += line("Location", a.token.location);
  out += line("Owner", a.token.owner);
  out += line("Notes", a.token.notes);
  out += line("Tags", tags);
  out += line("Created", time(a.token.created_at));
  if (a.token.age_at_first_use_seconds) {
    out += line("Age at first use", std::to_string(*a.token.age_at_first_use_seconds) + "s");
  }
  out += line("Event", ActionName(a.event.event_source, a.event.event_name) + " in " +
                           Or(a.event.region, "?") + " at " + time(a.event.time));
  out += line("Error code", a.event.error_code);
  out += line("Event id", a.event.id);
  out += line("Request id", a.event.request_id);
  out += line("Source IP", a.source.ip);
  out += line("Country", a.source.country);
  out += line("Network", a.source.asn + (a.source.as_org.empty() ? "" : " " + a.source.as_org));
  if (a.source.tor_exit) out += line("Tor exit", *a.source.tor_exit ? "yes" : "no");
  out += line("Cloud network", a.source.cloud_network);
  out += line("User agent", a.source.user_agent);
  out += line("Tool", a.source.tool);
  if (a.source.key_check == "verified")
    out += line("Signature", "verified: the caller holds the secret key");
  else if (a.source.key_check == "key_id_only")
    out += line("Signature", "did not verify: the caller has the key id, maybe not the secret");
  std::string actions;
  for (const auto& x : a.incident.actions) actions += (actions.empty() ? "" : ", ") + x;
  out += line("Incident", a.incident.id + " (" + a.incident.status + ", " + a.incident.profile +
                              ", " + std::to_string(a.incident.event_count) + " events)");
  out += line("First seen", time(a.incident.first_seen));
  out += line("Last seen", time(a.incident.last_seen));
  out += line("Actions", actions);
  if (a.incident.allowlisted) out += line("Allowlisted", a.incident.allowlist_reason);
  out += line("Dashboard", a.dashboard_url);
  return out;
}

}  // namespace spacecrab
