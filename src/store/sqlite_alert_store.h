// SqliteAlertStore: the alert pipeline's AlertStore (alert/alert_store.h) —
// incidents and the durable outbox — kept in SqliteStore's own database.
//
// It borrows the SqliteStore's single writer and reader pool instead of
// opening connections of its own, so:
//   * CommitIncidents is ONE write transaction over incidents,
//     events.incident_id and alert_outbox: after a crash either all of a
//     batch is there or none of it (and its events stay in the backlog);
//   * events recorded through Store::RecordEvents are visible at once to
//     ListUnassignedEvents, and GetToken reads the same tokens table;
//   * ClaimDue's select-and-lease runs under BEGIN IMMEDIATE, so two claimers —
//     threads here, or another process on the same file — never hold the same
//     row while its lease lasts.
// Ordering: per (sink, incident) rows are handed out in id order (a row waits
// while an older one of its incident is pending, leased or backing off).
// Semantics match MemoryAlertStore case for case (alert_store_contract_test).
//
// Thread-safety: every method may be called from any thread; each is one
// transaction (writes) or one statement on a pooled reader (reads).
// Ownership: shares ownership of the SqliteStore, which therefore outlives it.
// Failure: SQLite errors as SqliteStatus maps them (busy/IO -> kUnavailable);
// kNotFound for unknown incident/token/outbox ids; kFailedPrecondition when a
// commit names an unknown token or incident (nothing of the batch is kept);
// kDataLoss for a stored value this build cannot read.
#pragma once

#include <memory>

#include "alert/alert_store.h"
#include "store/sqlite_store.h"

namespace spacecrab {

class SqliteAlertStore final : public alert::AlertStore {
 public:
  // REQUIRES: `db` is migrated (OpenStore / OpenStoreBundle do that).
  explicit SqliteAlertStore(std::shared_ptr<SqliteStore> db);
  SqliteAlertStore(const SqliteAlertStore&) = delete;
  SqliteAlertStore& operator=(const SqliteAlertStore&) = delete;
  ~SqliteAlertStore() override;

  // ---- incidents (sqlite_alert_store.cpp) -----------------------------------
  Expected<std::optional<Incident>> FindOpenIncident(const std::string& token_id,
                                                     const std::string& source_ip) override;
  Expected<Incident> GetIncident(const std::string& id) override;
  Expected<alert::IncidentPage> ListIncidents(const alert::IncidentFilter& filter) override;
  Status CommitIncidents(std::span<const alert::IncidentCommit> commits) override;
  Expected<HoneyToken> GetToken(const std::string& token_id) override;
  Expected<std::vector<Event>> ListUnassignedEvents(int limit) override;

  // ---- outbox (sqlite_alert_outbox.cpp) -------------------------------------
  Expected<std::vector<alert::OutboxRow>> ClaimDue(const std::string& sink, Timestamp now,
                                                   std::chrono::milliseconds lease,
                                                   int limit) override;
  Expected<alert::OutboxRow> CoalesceUpdates(const alert::OutboxRow& head, Timestamp now,
                                             std::chrono::milliseconds lease) override;
  Status MarkSent(int64_t id, Timestamp at) override;
  Status MarkRetry(int64_t id, Timestamp next_attempt_at, const std::string& error,
                   bool attempted) override;
  Status MarkDead(int64_t id, Timestamp at, const std::string& error) override;
  Expected<std::vector<alert::OutboxRow>> ListOutbox(const alert::OutboxFilter& filter) override;
  // Every dead row matching the filter's sink and incident (its state, cursor
  // and limit are not used), as MemoryAlertStore does.
  Expected<int64_t> RequeueDead(const alert::OutboxFilter& filter, Timestamp now) override;
  Expected<int64_t> SupersedeUpdates(const std::string& incident_id, Timestamp now) override;

 private:
  std::shared_ptr<SqliteStore> db_;
};

}  // namespace spacecrab
