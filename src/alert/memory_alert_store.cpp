#include "alert/memory_alert_store.h"

#include <algorithm>
#include <set>

namespace spacecrab::alert {

std::string_view ToString(OutboxState s) {
  switch (s) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kSent:
      return "sent";
    case OutboxState::kDead:
      return "dead";
  }
  return "pending";
}

void MemoryAlertStore::PutToken(const HoneyToken& token) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_[token.id] = token;
}

void MemoryAlertStore::PutEvent(const Event& event) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(event);
}

Expected<std::vector<Event>> MemoryAlertStore::ListUnassignedEvents(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Event> out;
  for (const auto& e : events_) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (!event_incident_.count(e.id)) out.push_back(e);
  }
  return out;
}

std::string MemoryAlertStore::EventIncident(const std::string& event_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = event_incident_.find(event_id);
  return it == event_incident_.end() ? "" : it->second;
}

void MemoryAlertStore::FailNextCommits(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_commits_ = n;
}

Expected<std::optional<Incident>> MemoryAlertStore::FindOpenIncident(const std::string& token_id,
                                                                     const std::string& source_ip) {
  std::lock_guard<std::mutex> lock(mu_);
  const Incident* best = nullptr;
  for (const auto& [id, inc] : incidents_) {
    if (inc.token_id != token_id || inc.source_ip != source_ip ||
        inc.status == IncidentStatus::kResolved)
      continue;
    if (!best || inc.last_seen > best->last_seen) best = &inc;
  }
  if (!best) return std::optional<Incident>();
  return std::optional<Incident>(*best);
}

Expected<Incident> MemoryAlertStore::GetIncident(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return NotFound("incident " + id + " does not exist");
  return it->second;
}

Expected<IncidentPage> MemoryAlertStore::ListIncidents(const IncidentFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  IncidentPage page;
  int limit = std::clamp(f.limit, 1, 1000);
  for (auto it = incidents_.rbegin(); it != incidents_.rend(); ++it) {  // newest first
    const Incident& inc = it->second;
    if (!f.after_id.empty() && inc.id >= f.after_id) continue;
    if (f.status && inc.status != *f.status) continue;
    if (!f.token_id.empty() && inc.token_id != f.token_id) continue;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = page.items.back().id;
      break;
    }
    page.items.push_back(inc);
  }
  return page;
}

Status MemoryAlertStore::CommitIncidents(std::span<const IncidentCommit> commits) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_commits_ > 0) {
    --fail_commits_;
    return Unavailable("injected commit failure");
  }
  for (const auto& c : commits) {
    incidents_[c.incident.id] = c.incident;
    for (const auto& e : c.event_ids) event_incident_[e] = c.incident.id;
    for (OutboxRow row : c.outbox) {
      row.id = next_id_++;
      row.incident_id = c.incident.id;
      row.state = OutboxState::kPending;
      row.attempts = 0;
      pending_.insert(row.id);
      outbox_[row.id] = std::move(row);
    }
  }
  return Status::Ok();
}

Expected<HoneyToken> MemoryAlertStore::GetToken(const std::string& token_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(token_id);
  if (it == tokens_.end()) return NotFound("token " + token_id + " does not exist");
  return it->second;
}

OutboxRow* MemoryAlertStore::Row(int64_t id) {
  auto it = outbox_.find(id);
  return it == outbox_.end() ? nullptr : &it->second;
}

Expected<std::vector<OutboxRow>> MemoryAlertStore::ClaimDue(const std::string& sink, Timestamp now,
                                                            std::chrono::milliseconds lease,
                                                            int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutboxRow> out;
  std::set<std::string> blocked;  // incidents with an older pending row
  for (int64_t id : pending_) {
    if (static_cast<int>(out.size()) >= limit) break;
    OutboxRow& row = outbox_.at(id);
    if (row.sink != sink) continue;
    if (!blocked.insert(row.incident_id).second) continue;
    if (row.next_attempt_at > now) continue;
    row.next_attempt_at = now + lease;
    out.push_back(row);
  }
  return out;
}

Expected<OutboxRow> MemoryAlertStore::CoalesceUpdates(const OutboxRow& head, Timestamp now,
                                                      std::chrono::milliseconds lease) {
  std::lock_guard<std::mutex> lock(mu_);
  if (head.kind != AlertKind::kUpdate) return head;
  std::vector<int64_t> run;  // pending updates after head, up to the next other kind
  for (auto it = pending_.upper_bound(head.id); it != pending_.end(); ++it) {
    const OutboxRow& r = outbox_.at(*it);
    if (r.sink != head.sink || r.incident_id != head.incident_id ||
        r.state != OutboxState::kPending)
      continue;
    if (r.kind != AlertKind::kUpdate) break;
    run.push_back(r.id);
  }
  if (run.empty()) return head;
  const int64_t newest = run.back();
  run.pop_back();
  run.push_back(head.id);
  for (int64_t id : run) {
    OutboxRow* r = Row(id);
    r->state = OutboxState::kSent;
    pending_.erase(id);
    r->sent_at = now;
    r->last_error = "superseded by #" + std::to_string(newest);
  }
  OutboxRow* n = Row(newest);
  n->next_attempt_at = now + lease;
  return *n;
}

Status MemoryAlertStore::MarkSent(int64_t id, Timestamp at) {
  std::lock_guard<std::mutex> lock(mu_);
  OutboxRow* r = Row(id);
  if (!r) return NotFound("outbox row " + std::to_string(id));
  r->state = OutboxState::kSent;
  pending_.erase(id);
  r->sent_at = at;
  r->last_error.clear();
  return Status::Ok();
}

Status MemoryAlertStore::MarkRetry(int64_t id, Timestamp next_attempt_at, const std::string& error,
                                   bool attempted) {
  std::lock_guard<std::mutex> lock(mu_);
  OutboxRow* r = Row(id);
  if (!r) return NotFound("outbox row " + std::to_string(id));
  r->state = OutboxState::kPending;
  pending_.insert(id);
  r->next_attempt_at = next_attempt_at;
  if (!error.empty()) r->last_error = error;
  if (attempted) r->attempts += 1;
  return Status::Ok();
}

Status MemoryAlertStore::MarkDead(int64_t id, Timestamp at, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  OutboxRow* r = Row(id);
  if (!r) return NotFound("outbox row " + std::to_string(id));
  r->state = OutboxState::kDead;
  pending_.erase(id);
  r->sent_at = at;  // when it was given up
  r->attempts += 1;
  r->last_error = error;
  return Status::Ok();
}

Expected<std::vector<OutboxRow>> MemoryAlertStore::ListOutbox(const OutboxFilter& f) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutboxRow> out;
  int limit = std::clamp(f.limit, 1, 100000);
  for (auto it = outbox_.upper_bound(f.after_id); it != outbox_.end(); ++it) {
    const OutboxRow& r = it->second;
    if (f.state && r.state != *f.state) continue;
    if (!f.sink.empty() && r.sink != f.sink) continue;
    if (!f.incident_id.empty() && r.incident_id != f.incident_id) continue;
    out.push_back(r);
    if (static_cast<int>(out.size()) == limit) break;
  }
  return out;
}

Expected<int64_t> MemoryAlertStore::RequeueDead(const OutboxFilter& f, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (auto& [id, r] : outbox_) {
    if (r.state != OutboxState::kDead) continue;
    if (!f.sink.empty() && r.sink != f.sink) continue;
    if (!f.incident_id.empty() && r.incident_id != f.incident_id) continue;
    r.state = OutboxState::kPending;
    pending_.insert(id);
    r.next_attempt_at = now;
    r.attempts = 0;
    ++n;
  }
  return n;
}

Expected<int64_t> MemoryAlertStore::SupersedeUpdates(const std::string& incident_id,
                                                     Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (auto& [id, r] : outbox_) {
    if (r.state != OutboxState::kPending || r.kind != AlertKind::kUpdate ||
        r.incident_id != incident_id)
      continue;
    r.state = OutboxState::kSent;
    pending_.erase(id);
    r.sent_at = now;
    r.last_error = "superseded by resolve";
    ++n;
  }
  return n;
}

}  // namespace spacecrab::alert
