// AlertStore: what the incident stage and the dispatcher persist — incidents,
// and the durable outbox of messages per sink.
//
// This is the seam to src/store: SqliteStore (and a future PostgreSQL store)
// implement it next to Store; MemoryAlertStore (memory_alert_store.h) is the
// in-process version for tests and benchmarks. The SQL each method needs is
// written down in src/alert/README.md.
//
// Durability contract (DESIGN "At-least-once in, exactly-one page out"):
//   * CommitIncidents writes incidents, their events' incident_id and the new
//     outbox rows in ONE transaction: after a crash either all are there and
//     every page will go out, or none and the detection is reprocessed.
//   * ClaimDue hands a row to one sender with a lease (next_attempt_at moves
//     to now + lease); a sender that dies simply lets the lease lapse and the
//     row is sent again — receivers deduplicate by incident id.
//   * Per (sink, incident) rows are delivered in id order: ClaimDue returns a
//     row only when no older row of the same (sink, incident) is pending.
//
// Thread-safety: implementations are safe to call from any thread; each call
// is atomic.
// Failure: kUnavailable (busy, I/O) or kInternal; kNotFound where noted.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/honey_token.h"
#include "core/incident.h"
#include "core/status.h"
#include "core/time.h"

namespace spacecrab::alert {

enum class OutboxState { kPending, kSent, kDead };
std::string_view ToString(OutboxState s);  // "pending" | "sent" | "dead"

struct OutboxRow {
  int64_t id = 0;  // assigned by the store, increasing
  std::string incident_id;
  std::string sink;
  AlertKind kind = AlertKind::kTrigger;
  std::string payload;  // AlertToJson of the alert when queued
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  Timestamp created_at{};
  Timestamp next_attempt_at{};
  std::string last_error;
  std::optional<Timestamp> sent_at;
};

// One incident's change, committed with its events and pages.
struct IncidentCommit {
  Incident incident;                   // inserted, or replaces the row with this id
  std::vector<std::string> event_ids;  // events.incident_id := incident.id
  std::vector<OutboxRow> outbox;       // new rows (id, incident_id, state: set by the store)
};

struct IncidentFilter {
  std::optional<IncidentStatus> status;
  std::string token_id;
  std::string after_id;  // cursor: ids strictly less than this (newest first)
  int limit = 100;
};

struct IncidentPage {
  std::vector<Incident> items;
  std::string next_cursor;
};

struct OutboxFilter {
  std::optional<OutboxState> state;
  std::string sink;
  std::string incident_id;
  int64_t after_id = 0;  // ascending ids
  int limit = 100;
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // ---- incidents ----------------------------------------------------------
  // The newest incident of (token, source IP) that is not resolved.
  virtual Expected<std::optional<Incident>> FindOpenIncident(const std::string& token_id,
                                                             const std::string& source_ip) = 0;
  virtual Expected<Incident> GetIncident(const std::string& id) = 0;  // kNotFound
  virtual Expected<IncidentPage> ListIncidents(const IncidentFilter& filter) = 0;
  // All or nothing, see above.
  virtual Status CommitIncidents(std::span<const IncidentCommit> commits) = 0;
  // The token an incident belongs to (tombstones included). kNotFound.
  virtual Expected<HoneyToken> GetToken(const std::string& token_id) = 0;
  // Recorded events that no incident has taken yet (incident_id IS NULL),
  // oldest first: the backlog after a crash between recording and
  // CommitIncidents, or after a failed commit.
  virtual Expected<std::vector<Event>> ListUnassignedEvents(int limit) = 0;

  // ---- outbox -------------------------------------------------------------
  // Up to `limit` rows of `sink` that are pending and due (next_attempt_at <=
  // now) and have no older pending row for the same incident, oldest first.
  // Each returned row's next_attempt_at becomes now + lease.
  virtual Expected<std::vector<OutboxRow>> ClaimDue(const std::string& sink, Timestamp now,
                                                    std::chrono::milliseconds lease, int limit) = 0;
  // Coalescing: when the claimed row `head` is an update, the newest pending
  // update of (sink, incident) that follows it with no trigger/resolve in
  // between replaces it: `head` and the updates between are marked sent
  // ("superseded by #N") and that newest row is returned, claimed like head.
  // Returns `head` unchanged when nothing follows.
  virtual Expected<OutboxRow> CoalesceUpdates(const OutboxRow& head, Timestamp now,
                                              std::chrono::milliseconds lease) = 0;
  virtual Status MarkSent(int64_t id, Timestamp at) = 0;
  // Back to pending at `next_attempt_at`; `attempted` adds one to attempts
  // (false when a rate limit deferred the row without trying it).
  virtual Status MarkRetry(int64_t id, Timestamp next_attempt_at, const std::string& error,
                           bool attempted) = 0;
  virtual Status MarkDead(int64_t id, Timestamp at, const std::string& error) = 0;
  virtual Expected<std::vector<OutboxRow>> ListOutbox(const OutboxFilter& filter) = 0;
  // Dead-letter replay (API/CLI): dead rows of the filter become pending now.
  virtual Expected<int64_t> RequeueDead(const OutboxFilter& filter, Timestamp now) = 0;
  // A resolve was queued: pending updates of the incident (every sink) are
  // moot — marked sent ("superseded by resolve") so the resolve does not
  // wait behind an update held back by update_interval. Returns how many.
  virtual Expected<int64_t> SupersedeUpdates(const std::string& incident_id, Timestamp now) = 0;
};

}  // namespace spacecrab::alert
