#include "alert/incident_stage.h"

#include <algorithm>
#include <map>
#include <optional>

#include "alert/alert_json.h"
#include "core/alert.h"

namespace spacecrab::alert {

IncidentStage::IncidentStage(IncidentStageOptions options) : o_(std::move(options)) {}

std::vector<OutboxRow> IncidentStage::Rows(AlertKind kind, const Incident& incident,
                                           const HoneyToken& token, const Event& latest,
                                           Timestamp now) const {
  std::vector<OutboxRow> rows;
  const std::string payload = AlertToJson(BuildAlert(
      incident, token, latest, EnrichmentFromJson(latest.enrichment_json), o_.public_url));
  for (const auto& sink : o_.sinks) {
    if (!sink.kinds.count(kind)) continue;
    OutboxRow r;
    r.incident_id = incident.id;
    r.sink = sink.name;
    r.kind = kind;
    r.payload = payload;
    r.created_at = now;
    r.next_attempt_at = now;
    rows.push_back(std::move(r));
  }
  return rows;
}

Status IncidentStage::OnEvents(std::span<const Event> events) {
  std::lock_guard<std::mutex> lock(mu_);
  const Timestamp now = o_.clock->Now();
  // Apply in event-time order so first/last seen and "first use" read right
  // even when a file delivers records out of order.
  std::vector<const Event*> ordered;
  for (const auto& e : events) ordered.push_back(&e);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Event* a, const Event* b) { return a->event_time < b->event_time; });

  struct Working {
    Incident incident;
    std::vector<std::string> event_ids;
    std::optional<AlertKind> page;  // trigger dominates update within a batch
    const Event* latest = nullptr;
  };
  std::map<std::string, Working> by_incident;                       // incident id -> state
  std::map<std::pair<std::string, std::string>, std::string> open;  // (token, ip) -> id
  std::map<std::string, HoneyToken> tokens;
  IncidentStageStats delta;

  for (const Event* e : ordered) {
    auto tok = tokens.find(e->token_id);
    if (tok == tokens.end()) {
      auto t = o_.store->GetToken(e->token_id);
      if (!t.ok()) {
        if (t.status().code() != StatusCode::kNotFound) return t.status();
        ++delta.unknown_token_events;  // matched a key we no longer know: nothing to page
        continue;
      }
      tok = tokens.emplace(e->token_id, std::move(t).value()).first;
    }
    HoneyToken& token = tok->second;
    const auto key = std::make_pair(e->token_id, e->source_ip);
    const Incident* current = nullptr;
    auto o = open.find(key);
    if (o != open.end()) {
      current = &by_incident.at(o->second).incident;
    } else {
      SC_ASSIGN_OR_RETURN(std::optional<Incident> found,
                          o_.store->FindOpenIncident(e->token_id, e->source_ip));
      if (found) {
        Working& w = by_incident[found->id];
        w.incident = std::move(*found);
        current = &w.incident;
      }
    }
    IncidentDecision d = ApplyEvent(o_.policy, o_.allowlist, *e, token, current,
                                    o_.new_incident_id(e->event_time), now);
    Working& w = by_incident[d.incident.id];
    open[key] = d.incident.id;
    w.incident = std::move(d.incident);
    w.event_ids.push_back(e->id);
    w.latest = e;
    if (d.page == AlertKind::kTrigger) w.page = AlertKind::kTrigger;
    if (d.page == AlertKind::kUpdate && !w.page) w.page = AlertKind::kUpdate;
    // Later incidents of this token in the same batch are repeats, even if
    // the store's token row was not updated by the ingest stage.
    if (!token.first_used_at || e->event_time < *token.first_used_at) {
      token.first_used_at = e->event_time;
    }
    ++delta.events;
    delta.incidents_created += d.created;
    delta.allowlisted_events += w.incident.allowlisted;
  }

  std::vector<IncidentCommit> commits;
  for (auto& [id, w] : by_incident) {
    if (w.event_ids.empty()) continue;  // looked up, never changed
    IncidentCommit c;
    c.incident = w.incident;
    c.event_ids = std::move(w.event_ids);
    if (w.page) {
      c.outbox = Rows(*w.page, w.incident, tokens.at(w.incident.token_id), *w.latest, now);
      delta.rows_queued += static_cast<int64_t>(c.outbox.size());
    }
    commits.push_back(std::move(c));
  }
  if (commits.empty()) {
    stats_.unknown_token_events += delta.unknown_token_events;
    return Status::Ok();
  }
  SC_RETURN_IF_ERROR(o_.store->CommitIncidents(commits));
  stats_.events += delta.events;
  stats_.incidents_created += delta.incidents_created;
  stats_.rows_queued += delta.rows_queued;
  stats_.allowlisted_events += delta.allowlisted_events;
  stats_.unknown_token_events += delta.unknown_token_events;
  if (delta.rows_queued > 0 && o_.on_queued) o_.on_queued();
  return Status::Ok();
}

Expected<int64_t> IncidentStage::ProcessBacklog(int batch) {
  int64_t total = 0;
  while (true) {
    SC_ASSIGN_OR_RETURN(std::vector<Event> events, o_.store->ListUnassignedEvents(batch));
    if (events.empty()) return total;
    const int64_t before = Stats().events;
    SC_RETURN_IF_ERROR(OnEvents(events));
    total += static_cast<int64_t>(events.size());
    // Events of unknown tokens stay unassigned; stop instead of spinning.
    if (Stats().events == before) return total;
  }
}

Expected<Incident> IncidentStage::Acknowledge(const std::string& incident_id,
                                              const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  SC_ASSIGN_OR_RETURN(Incident inc, o_.store->GetIncident(incident_id));
  SC_ASSIGN_OR_RETURN(LifecycleChange c, spacecrab::Acknowledge(inc, actor, o_.clock->Now()));
  IncidentCommit commit{c.incident, {}, {}};
  SC_RETURN_IF_ERROR(o_.store->CommitIncidents(std::span<const IncidentCommit>(&commit, 1)));
  return c.incident;
}

Expected<Incident> IncidentStage::Resolve(const std::string& incident_id,
                                          const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  const Timestamp now = o_.clock->Now();
  SC_ASSIGN_OR_RETURN(Incident inc, o_.store->GetIncident(incident_id));
  SC_ASSIGN_OR_RETURN(LifecycleChange c, spacecrab::Resolve(inc, actor, now));
  IncidentCommit commit{c.incident, {}, {}};
  if (c.page) {
    auto token = o_.store->GetToken(inc.token_id);
    HoneyToken t = token.ok() ? *token : HoneyToken{};
    if (!token.ok()) t.id = inc.token_id;
    Event last;  // resolves need no event details beyond these
    last.id = inc.last_event_id;
    last.token_id = inc.token_id;
    last.source_ip = inc.source_ip;
    last.event_time = inc.last_seen;
    commit.outbox = Rows(*c.page, c.incident, t, last, now);
  }
  SC_RETURN_IF_ERROR(o_.store->CommitIncidents(std::span<const IncidentCommit>(&commit, 1)));
  if (!commit.outbox.empty()) {
    // Updates still queued would hold the resolve back (pages of one incident
    // go in order). If this fails the resolve merely waits for them.
    auto superseded = o_.store->SupersedeUpdates(incident_id, now);
    (void)superseded;
    if (o_.on_queued) o_.on_queued();
  }
  return c.incident;
}

IncidentStageStats IncidentStage::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace spacecrab::alert
