// SqliteAlertStore: AlertStore on the embedded SQLite database — incidents
// and the durable outbox in the tables src/store created (migration 1), so
// pages survive a crash.
//
// PROPOSAL for src/store: this belongs next to SqliteStore (one writer
// connection, the same pool). It lives here until the store module takes it;
// it opens its own connection to the same file (WAL; contention with
// SqliteStore's writer is absorbed by busy_timeout). EnsureSchema() applies
// the columns of the proposed migration 2 (README.md) when they are missing;
// drop it once that migration is in src/store/migrations.cpp.
//
// Thread-safety: every method takes one mutex (one connection).
// Failure: SQLite errors as SqliteStatus maps them (busy/IO -> kUnavailable).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "alert/alert_store.h"

namespace spacecrab {
class SqliteConnection;
class Store;
}  // namespace spacecrab

namespace spacecrab::alert {

struct SqliteAlertStoreOptions {
  std::string path;         // the database file SqliteStore uses (already migrated)
  Store* tokens = nullptr;  // for GetToken; not owned
};

class SqliteAlertStore final : public AlertStore {
 public:
  static Expected<std::unique_ptr<SqliteAlertStore>> Open(const SqliteAlertStoreOptions& options);
  ~SqliteAlertStore() override;
  SqliteAlertStore(const SqliteAlertStore&) = delete;
  SqliteAlertStore& operator=(const SqliteAlertStore&) = delete;

  Expected<std::optional<Incident>> FindOpenIncident(const std::string& token_id,
                                                     const std::string& source_ip) override;
  Expected<Incident> GetIncident(const std::string& id) override;
  Expected<IncidentPage> ListIncidents(const IncidentFilter& filter) override;
  Status CommitIncidents(std::span<const IncidentCommit> commits) override;
  Expected<HoneyToken> GetToken(const std::string& token_id) override;
  Expected<std::vector<Event>> ListUnassignedEvents(int limit) override;

  Expected<std::vector<OutboxRow>> ClaimDue(const std::string& sink, Timestamp now,
                                            std::chrono::milliseconds lease, int limit) override;
  Expected<OutboxRow> CoalesceUpdates(const OutboxRow& head, Timestamp now,
                                      std::chrono::milliseconds lease) override;
  Status MarkSent(int64_t id, Timestamp at) override;
  Status MarkRetry(int64_t id, Timestamp next_attempt_at, const std::string& error,
                   bool attempted) override;
  Status MarkDead(int64_t id, Timestamp at, const std::string& error) override;
  Expected<std::vector<OutboxRow>> ListOutbox(const OutboxFilter& filter) override;
  Expected<int64_t> RequeueDead(const OutboxFilter& filter, Timestamp now) override;

 private:
  SqliteAlertStore(std::unique_ptr<SqliteConnection> conn, Store* tokens);
  Status EnsureSchema();

  std::mutex mu_;
  std::unique_ptr<SqliteConnection> conn_;  // guarded by mu_
  Store* tokens_;
};

}  // namespace spacecrab::alert
