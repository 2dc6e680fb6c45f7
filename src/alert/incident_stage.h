// IncidentStage: newly recorded events -> incidents -> outbox rows, in one
// transaction per batch (AlertStore::CommitIncidents), then a nudge to the
// dispatcher. Also the incident lifecycle (acknowledge, resolve) that the
// API and CLI call.
//
// Per batch and incident at most one row per sink is queued: a trigger if the
// incident started paging in this batch, else an update if its picture
// changed materially; either carries the incident as it stands at the end of
// the batch. Sinks only get the kinds their `send` policy lists.
//
// Crash safety: events are recorded before they reach this stage. If the
// process dies (or the commit fails) in between, the events stay without an
// incident; ProcessBacklog() picks them up (call it at start-up and now and
// then), so every recorded use still pages.
//
// Thread-safety: all methods are safe from any thread; they are serialised
// internally, so one (token, source IP) never gets two open incidents.
#pragma once

#include <functional>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "alert/alert_store.h"
#include "core/allowlist.h"
#include "core/clock.h"
#include "core/event.h"
#include "core/incident.h"

namespace spacecrab::alert {

struct StageSink {
  std::string name;
  std::set<AlertKind> kinds{AlertKind::kTrigger, AlertKind::kUpdate, AlertKind::kResolve};
};

struct IncidentStageOptions {
  AlertStore* store = nullptr;   // not owned
  const Clock* clock = nullptr;  // not owned
  IncidentPolicy policy;
  Allowlist allowlist;
  std::string public_url;  // dashboard base for links; may be empty
  std::vector<StageSink> sinks;
  // Fresh incident ids ("inc_" + ULID); required.
  std::function<std::string(Timestamp)> new_incident_id;
  // Called after each successful commit that queued pages (Dispatcher::Notify).
  std::function<void()> on_queued;
};

struct IncidentStageStats {
  int64_t events = 0;
  int64_t incidents_created = 0;
  int64_t rows_queued = 0;
  int64_t allowlisted_events = 0;
  int64_t unknown_token_events = 0;
};

class IncidentStage {
 public:
  explicit IncidentStage(IncidentStageOptions options);

  // Events new to the store (unique by eventID). All or nothing: on error
  // nothing is stored and ProcessBacklog will retry them.
  Status OnEvents(std::span<const Event> events);
  // Processes recorded events without an incident, `batch` at a time, until
  // none are left. Returns how many were processed.
  Expected<int64_t> ProcessBacklog(int batch = 500);

  // Lifecycle (API/CLI). kNotFound, or kFailedPrecondition when resolved.
  Expected<Incident> Acknowledge(const std::string& incident_id, const std::string& actor);
  // Queues a resolve for every sink that paged and takes resolves.
  Expected<Incident> Resolve(const std::string& incident_id, const std::string& actor);

  IncidentStageStats Stats() const;

 private:
  std::vector<OutboxRow> Rows(AlertKind kind, const Incident& incident, const HoneyToken& token,
                              const Event& latest, Timestamp now) const;

  IncidentStageOptions o_;
  mutable std::mutex mu_;
  IncidentStageStats stats_;  // guarded by mu_
};

}  // namespace spacecrab::alert
