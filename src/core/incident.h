// Incident: the events of one token used from one source IP, grouped while
// the activity continues, and the decision of what that means for a pager.
//
// Grouping rule (DESIGN "Storms become incidents"): an event joins the
// incident of its (token, source IP) when that incident is not resolved and
// the event lies within `IncidentPolicy::window` of the incident's activity;
// otherwise it starts a new incident. Everything here is pure: the caller
// supplies the event, the token, the currently open incident (if any), a fresh
// id and "now", and stores what comes back.
//
// Thread-safety: plain values and pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/allowlist.h"
#include "core/event.h"
#include "core/honey_token.h"
#include "core/status.h"
#include "core/time.h"

namespace spacecrab {

enum class IncidentStatus { kOpen, kAcknowledged, kResolved };
// PagerDuty's four severities, lowest first (the order is used to compare).
enum class IncidentSeverity { kInfo, kWarning, kError, kCritical };
enum class IncidentProfile { kSingleProbe, kEnumeration };
// Why the incident exists, which decides its wording and base severity.
enum class IncidentTrigger {
  kFirstUse,         // no use of this token before this incident
  kRetiredTokenUse,  // the token was revoked/expired/deleted when used
  kRepeatUse,        // the token was used before (an earlier incident)
};
// What a change asks of the pager. Every sink receives messages of these kinds;
// all carry the incident id as their dedup key.
enum class AlertKind { kTrigger, kUpdate, kResolve };

std::string_view ToString(IncidentStatus s);    // "open" | "acknowledged" | "resolved"
std::string_view ToString(IncidentSeverity s);  // "info" | "warning" | "error" | "critical"
std::string_view ToString(IncidentProfile p);   // "single probe" | "enumeration"
std::string_view ToString(IncidentTrigger t);   // "first_use" | "retired_token_use" | "repeat_use"
std::string_view ToString(AlertKind k);         // "trigger" | "update" | "resolve"
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s);
std::optional<IncidentSeverity> ParseIncidentSeverity(std::string_view s);
std::optional<IncidentProfile> ParseIncidentProfile(std::string_view s);
std::optional<IncidentTrigger> ParseIncidentTrigger(std::string_view s);
std::optional<AlertKind> ParseAlertKind(std::string_view s);

struct Incident {
  std::string id;  // "inc_" + 26 chars; also every sink's dedup key
  std::string token_id;
  IncidentStatus status = IncidentStatus::kOpen;
  std::string source_ip;
  Timestamp first_seen{};
  Timestamp last_seen{};
  int64_t event_count = 0;
  // Distinct "service:EventName" (e.g. "sts:GetCallerIdentity"), in the order
  // first seen; at most IncidentPolicy::max_actions, then actions_truncated.
  std::vector<std::string> actions;
  bool actions_truncated = false;
  // Distinct event sources, short form ("sts", "s3", "iam").
  std::vector<std::string> services;
  IncidentSeverity severity = IncidentSeverity::kCritical;
  IncidentProfile profile = IncidentProfile::kSingleProbe;
  IncidentTrigger trigger = IncidentTrigger::kFirstUse;
  bool retired_token = false;
  // True while every event so far matched an allowlist entry: recorded and
  // shown, never paged. `allowlist_reason` names the entry.
  bool allowlisted = false;
  std::string allowlist_reason;
  bool paged = false;  // a trigger has been handed to the outbox
  std::string last_event_id;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> acknowledged_at;
  std::string acknowledged_by;
  std::optional<Timestamp> resolved_at;
  std::string resolved_by;
};

struct IncidentPolicy {
  // Quiet time after which the same (token, source IP) starts a new incident.
  std::chrono::milliseconds window = std::chrono::hours(1);
  // "enumeration" once an incident has this many distinct actions or services;
  // below both it is a "single probe" (one or two calls, like most scanners).
  int enumeration_min_actions = 3;
  int enumeration_min_services = 3;
  size_t max_actions = 256;  // bounds the stored action list under a storm
};

// "sts.amazonaws.com" -> "sts"; anything not ending in ".amazonaws.com" unchanged.
std::string ShortServiceName(std::string_view event_source);
// "sts.amazonaws.com" + "GetCallerIdentity" -> "sts:GetCallerIdentity".
std::string ActionName(std::string_view event_source, std::string_view event_name);

// True when `event` belongs to `incident`: same token and source IP, the
// incident is not resolved, and the event is within the window of its activity
// (late, out-of-order records inside the window count too).
bool IncidentAccepts(const IncidentPolicy& policy, const Incident& incident, const Event& event);

struct IncidentDecision {
  Incident incident;  // the state to store (new, or the open one updated)
  bool created = false;
  // The page this change asks for: a trigger the first time a pageable
  // incident is seen, an update when its picture changed materially (new
  // action or service, profile or severity raised), nothing otherwise.
  std::optional<AlertKind> page;
  bool new_action = false;
  bool profile_changed = false;
  bool severity_raised = false;
};

// Applies one newly recorded event. `open` is the latest unresolved incident
// for (event.token_id, event.source_ip), or null; if it does not accept the
// event, a new incident with id `new_id` is started. `allow` decides whether
// the event pages.
// REQUIRES: event.token_id == token.id; open (if set) has the same token and IP.
IncidentDecision ApplyEvent(const IncidentPolicy& policy, const Allowlist& allow,
                            const Event& event, const HoneyToken& token, const Incident* open,
                            std::string_view new_id, Timestamp now);

// Lifecycle. Acknowledge keeps grouping (the attack is still the same one);
// resolve closes the incident and asks sinks to resolve it. Both fail with
// kFailedPrecondition on a resolved incident.
struct LifecycleChange {
  Incident incident;
  std::optional<AlertKind> page;  // kResolve when sinks must be told
};
Expected<LifecycleChange> Acknowledge(const Incident& incident, std::string_view actor,
                                      Timestamp now);
Expected<LifecycleChange> Resolve(const Incident& incident, std::string_view actor, Timestamp now);

// One-line wording of why the incident pages: "First use of a key",
// "Use of a revoked key", "Repeat activity on a key".
std::string IncidentHeadline(const Incident& incident, const HoneyToken& token);

}  // namespace spacecrab
