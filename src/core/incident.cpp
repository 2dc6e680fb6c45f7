#include "core/incident.h"

#include <algorithm>

namespace spacecrab {

std::string_view ToString(IncidentStatus s) {
  switch (s) {
    case IncidentStatus::kOpen:
      return "open";
    case IncidentStatus::kAcknowledged:
      return "acknowledged";
    case IncidentStatus::kResolved:
      return "resolved";
  }
  return "open";
}

std::string_view ToString(IncidentSeverity s) {
  switch (s) {
    case IncidentSeverity::kInfo:
      return "info";
    case IncidentSeverity::kWarning:
      return "warning";
    case IncidentSeverity::kError:
      return "error";
    case IncidentSeverity::kCritical:
      return "critical";
  }
  return "critical";
}

std::string_view ToString(IncidentProfile p) {
  return p == IncidentProfile::kEnumeration ? "enumeration" : "single probe";
}

std::string_view ToString(IncidentTrigger t) {
  switch (t) {
    case IncidentTrigger::kFirstUse:
      return "first_use";
    case IncidentTrigger::kRetiredTokenUse:
      return "retired_token_use";
    case IncidentTrigger::kRepeatUse:
      return "repeat_use";
  }
  return "first_use";
}

std::string_view ToString(AlertKind k) {
  switch (k) {
    case AlertKind::kTrigger:
      return "trigger";
    case AlertKind::kUpdate:
      return "update";
    case AlertKind::kResolve:
      return "resolve";
  }
  return "trigger";
}

std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s) {
  for (auto v : {IncidentStatus::kOpen, IncidentStatus::kAcknowledged, IncidentStatus::kResolved})
    if (ToString(v) == s) return v;
  return std::nullopt;
}

std::optional<IncidentSeverity> ParseIncidentSeverity(std::string_view s) {
  for (auto v : {IncidentSeverity::kInfo, IncidentSeverity::kWarning, IncidentSeverity::kError,
                 IncidentSeverity::kCritical})
    if (ToString(v) == s) return v;
  return std::nullopt;
}

std::optional<IncidentProfile> ParseIncidentProfile(std::string_view s) {
  for (auto v : {IncidentProfile::kSingleProbe, IncidentProfile::kEnumeration})
    if (ToString(v) == s) return v;
  return std::nullopt;
}

std::optional<IncidentTrigger> ParseIncidentTrigger(std::string_view s) {
  for (auto v :
       {IncidentTrigger::kFirstUse, IncidentTrigger::kRetiredTokenUse, IncidentTrigger::kRepeatUse})
    if (ToString(v) == s) return v;
  return std::nullopt;
}

std::optional<AlertKind> ParseAlertKind(std::string_view s) {
  for (auto v : {AlertKind::kTrigger, AlertKind::kUpdate, AlertKind::kResolve})
    if (ToString(v) == s) return v;
  return std::nullopt;
}

std::string ShortServiceName(std::string_view event_source) {
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (event_source.size() > kSuffix.size() &&
      event_source.substr(event_source.size() - kSuffix.size()) == kSuffix) {
    event_source.remove_suffix(kSuffix.size());
  }
  return std::string(event_source);
}

std::string ActionName(std::string_view event_source, std::string_view event_name) {
  return ShortServiceName(event_source) + ":" + std::string(event_name);
}

bool IncidentAccepts(const IncidentPolicy& policy, const Incident& incident, const Event& event) {
  if (incident.status == IncidentStatus::kResolved) return false;
  if (incident.token_id != event.token_id || incident.source_ip != event.source_ip) return false;
  return event.event_time <= incident.last_seen + policy.window &&
         event.event_time >= incident.first_seen - policy.window;
}

namespace {

// A use is "retired" only if the key was already retired when it was used: a
// record delivered late for a use before the revocation is an ordinary use.
bool UsedWhileRetired(const HoneyToken& token, Timestamp when) {
  if (!IsRetired(token.status)) return false;
  return !token.retired_at || *token.retired_at <= when;
}

// First use: nothing recorded for the token strictly before this event. The
// ingest stage may already have counted this very event, hence ">=".
bool IsFirstUse(const HoneyToken& token, Timestamp when) {
  return !token.first_used_at || *token.first_used_at >= when;
}

IncidentSeverity BaseSeverity(IncidentTrigger trigger) {
  return trigger == IncidentTrigger::kFirstUse ? IncidentSeverity::kCritical
                                               : IncidentSeverity::kError;
}

IncidentProfile ProfileOf(const IncidentPolicy& policy, const Incident& incident) {
  bool many_actions =
      incident.actions.size() >= static_cast<size_t>(policy.enumeration_min_actions) ||
      incident.actions_truncated;
  bool many_services =
      incident.services.size() >= static_cast<size_t>(policy.enumeration_min_services);
  return many_actions || many_services ? IncidentProfile::kEnumeration
                                       : IncidentProfile::kSingleProbe;
}

// Severity from the incident's current picture; enumeration is always critical.
IncidentSeverity SeverityOf(const Incident& incident) {
  if (incident.allowlisted) return IncidentSeverity::kInfo;
  if (incident.profile == IncidentProfile::kEnumeration) return IncidentSeverity::kCritical;
  return BaseSeverity(incident.trigger);
}

bool AddDistinct(std::vector<std::string>& list, std::string value, size_t max, bool* truncated) {
  if (std::find(list.begin(), list.end(), value) != list.end()) return false;
  if (list.size() >= max) {
    if (truncated) *truncated = true;
    return false;
  }
  list.push_back(std::move(value));
  return true;
}

}  // namespace

IncidentDecision ApplyEvent(const IncidentPolicy& policy, const Allowlist& allow,
                            const Event& event, const HoneyToken& token, const Incident* open,
                            std::string_view new_id, Timestamp now) {
  IncidentDecision d;
  std::optional<std::string> allowed = allow.Match(event.source_ip, event.user_agent, token.tags);
  Incident& inc = d.incident;
  if (open && IncidentAccepts(policy, *open, event)) {
    inc = *open;
    inc.first_seen = std::min(inc.first_seen, event.event_time);
    inc.last_seen = std::max(inc.last_seen, event.event_time);
  } else {
    d.created = true;
    inc.id = std::string(new_id);
    inc.token_id = token.id;
    inc.source_ip = event.source_ip;
    inc.first_seen = inc.last_seen = event.event_time;
    inc.created_at = now;
    inc.retired_token = UsedWhileRetired(token, event.event_time);
    inc.trigger = inc.retired_token                     ? IncidentTrigger::kRetiredTokenUse
                  : IsFirstUse(token, event.event_time) ? IncidentTrigger::kFirstUse
                                                        : IncidentTrigger::kRepeatUse;
    inc.allowlisted = allowed.has_value();
    inc.allowlist_reason = allowed.value_or("");
  }
  // One event that is not allowlisted makes the whole incident pageable.
  if (!d.created && inc.allowlisted && !allowed) {
    inc.allowlisted = false;
  }
  if (!inc.retired_token && UsedWhileRetired(token, event.event_time)) inc.retired_token = true;

  const IncidentProfile old_profile = inc.profile;
  const IncidentSeverity old_severity = inc.severity;
  inc.event_count += 1;
  inc.last_event_id = event.id;
  inc.updated_at = now;
  d.new_action = AddDistinct(inc.actions, ActionName(event.event_source, event.event_name),
                             policy.max_actions, &inc.actions_truncated);
  d.new_action |=
      AddDistinct(inc.services, ShortServiceName(event.event_source), policy.max_actions, nullptr);
  inc.profile = ProfileOf(policy, inc);
  inc.severity = SeverityOf(inc);
  if (!d.created) {
    inc.severity = std::max(inc.severity, old_severity);  // never lowers within an incident
    d.profile_changed = inc.profile != old_profile;
    d.severity_raised = inc.severity > old_severity;
  }

  if (inc.allowlisted) return d;  // recorded, shown, never paged
  if (!inc.paged) {
    inc.paged = true;
    d.page = AlertKind::kTrigger;
  } else if (d.new_action || d.profile_changed || d.severity_raised) {
    d.page = AlertKind::kUpdate;
  }
  return d;
}

Expected<LifecycleChange> Acknowledge(const Incident& incident, std::string_view actor,
                                      Timestamp now) {
  if (incident.status == IncidentStatus::kResolved) {
    return FailedPrecondition("incident " + incident.id + " is resolved");
  }
  LifecycleChange c{incident, std::nullopt};
  if (incident.status == IncidentStatus::kOpen) {
    c.incident.status = IncidentStatus::kAcknowledged;
    c.incident.acknowledged_at = now;
    c.incident.acknowledged_by = std::string(actor);
    c.incident.updated_at = now;
  }
  return c;
}

Expected<LifecycleChange> Resolve(const Incident& incident, std::string_view actor, Timestamp now) {
  if (incident.status == IncidentStatus::kResolved) {
    return FailedPrecondition("incident " + incident.id + " is already resolved");
  }
  LifecycleChange c{incident, std::nullopt};
  c.incident.status = IncidentStatus::kResolved;
  c.incident.resolved_at = now;
  c.incident.resolved_by = std::string(actor);
  c.incident.updated_at = now;
  if (incident.paged) c.page = AlertKind::kResolve;  // nothing to resolve if never paged
  return c;
}

std::string IncidentHeadline(const Incident& incident, const HoneyToken& token) {
  std::string head;
  switch (incident.trigger) {
    case IncidentTrigger::kFirstUse:
      head = "First use of a key";
      break;
    case IncidentTrigger::kRetiredTokenUse:
      head = "Use of a " + std::string(ToString(token.status)) + " key";
      break;
    case IncidentTrigger::kRepeatUse:
      head = "Repeat activity on a key";
      break;
  }
  if (incident.trigger != IncidentTrigger::kRetiredTokenUse && incident.retired_token) {
    head += " (now " + std::string(ToString(token.status)) + ")";
  }
  return head;
}

}  // namespace spacecrab
