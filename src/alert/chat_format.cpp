#include "alert/chat_format.h"

namespace spacecrab::alert {

std::string Clip(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  const std::string_view ellipsis = "\xe2\x80\xa6";
  size_t cut = max >= ellipsis.size() ? max - ellipsis.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + std::string(ellipsis);
}

std::string ChatHeadline(const AlertMessage& m) {
  switch (m.kind) {
    case AlertKind::kTrigger:
      return AlertSummary(m.alert);
    case AlertKind::kUpdate:
      return "Update: " + AlertSummary(m.alert);
    case AlertKind::kResolve:
      return "Resolved: " + AlertSummary(m.alert);
  }
  return AlertSummary(m.alert);
}

std::vector<ChatFact> ChatFacts(const Alert& a) {
  std::vector<ChatFact> all = {
      {"Severity", a.incident.severity},
      {"Location", a.token.location},
      {"Owner", a.token.owner},
      {"Token", a.token.id + (a.token.retired ? " (" + a.token.status + ")" : "")},
      {"Source IP", a.source.ip},
      {"Country", a.source.country},
      {"Network", a.source.asn + (a.source.as_org.empty() ? "" : " " + a.source.as_org)},
      {"Tor exit", a.source.tor_exit ? (*a.source.tor_exit ? "yes" : "no") : ""},
      {"Tool", a.source.tool},
      {"User agent", a.source.user_agent},
      {"Action", a.event.event_name.empty()
                     ? ""
                     : ActionName(a.event.event_source, a.event.event_name) +
                           (a.event.region.empty() ? "" : " in " + a.event.region)},
      {"Error", a.event.error_code},
      {"Incident", a.incident.id + " (" + a.incident.profile + ")"},
      {"Events", std::to_string(a.incident.event_count)},
  };
  std::string actions;
  for (const auto& x : a.incident.actions) actions += (actions.empty() ? "" : ", ") + x;
  all.push_back({"Actions", actions});
  std::vector<ChatFact> out;
  for (auto& f : all)
    if (!f.value.empty() && f.value != " ") out.push_back(std::move(f));
  return out;
}

}  // namespace spacecrab::alert
