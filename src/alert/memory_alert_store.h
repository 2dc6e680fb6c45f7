// MemoryAlertStore: AlertStore in process memory, for unit tests, the test
// driver and benchmarks. Same ordering, claiming and coalescing semantics as
// the SQL implementation is required to have (alert_store.h); nothing
// survives the process.
//
// Thread-safety: every method takes one mutex.
#pragma once

#include <map>
#include <mutex>
#include <set>

#include "alert/alert_store.h"

namespace spacecrab::alert {

class MemoryAlertStore final : public AlertStore {
 public:
  void PutToken(const HoneyToken& token);
  // What Store::RecordEvents does: the event exists, no incident yet.
  void PutEvent(const Event& event);
  // events.incident_id as CommitIncidents set it ("" if never set).
  std::string EventIncident(const std::string& event_id) const;
  // Fault injection: the next `n` CommitIncidents calls fail with kUnavailable
  // and change nothing.
  void FailNextCommits(int n);

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
  Expected<int64_t> SupersedeUpdates(const std::string& incident_id, Timestamp now) override;

 private:
  OutboxRow* Row(int64_t id);

  mutable std::mutex mu_;
  std::map<std::string, HoneyToken> tokens_;
  std::map<std::string, Incident> incidents_;
  std::map<std::string, std::string> event_incident_;
  std::vector<Event> events_;            // in recording order
  std::map<int64_t, OutboxRow> outbox_;  // by id, ascending
  std::set<int64_t> pending_;            // ids of pending rows (claims scan only these)
  int64_t next_id_ = 1;
  int fail_commits_ = 0;
};

}  // namespace spacecrab::alert
