// AlertRoutes: the incident, event and alert endpoints on the ApiServer.
//
//   GET  /api/v1/incidents                 read   filters: status, token_id; cursor, limit
//   GET  /api/v1/incidents/{id}            read   the incident with its events
//   POST /api/v1/incidents/{id}/ack        admin  -> IncidentStage::Acknowledge
//   POST /api/v1/incidents/{id}/resolve    admin  -> IncidentStage::Resolve (queues resolves)
//   GET  /api/v1/events                    read   filters as Store::ListEvents; cursor, limit
//   GET  /api/v1/alerts/outbox             read   filters: state, sink, incident_id
//   POST /api/v1/alerts/outbox/retry       admin  dead rows (of a filter) -> pending now
//   POST /api/v1/alerts/test               admin  {"sink": "NAME"?} -> SendSampleAlert
//
// JSON shapes follow DESIGN ("incident", "event", lists as {items, next_cursor}).
// Outbox rows never carry their payload. POST /alerts/test answers 200 with
// {"ok": all sinks ok, "items": [{sink, type, ok, error, elapsed_ms}]};
// 404 for an unknown sink name, 409 when no sink is configured. Ack, resolve,
// retry and test are written to the audit log.
//
// Thread-safety: handlers may run concurrently; everything they use is
// thread-safe. Ownership: nothing is owned; all of AlertRoutesDeps must
// outlive the routes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "alert/alert_store.h"
#include "alert/incident_stage.h"
#include "alert/sink_factory.h"
#include "api/route.h"
#include "core/clock.h"
#include "store/store.h"

namespace spacecrab::alert {

struct AlertRoutesDeps {
  IncidentStage* stage = nullptr;
  AlertStore* alerts = nullptr;
  Store* store = nullptr;                         // events
  const std::vector<BuiltSink>* sinks = nullptr;  // for POST /alerts/test
  const Clock* clock = nullptr;
  std::string public_url;  // dashboard base for links in test alerts; may be empty
};

class AlertRoutes final : public RouteGroup {
 public:
  explicit AlertRoutes(AlertRoutesDeps deps) : d_(std::move(deps)) {}
  std::vector<Route> Routes() override;
  // Incident, IncidentList, IncidentDetail, Event, EventList, OutboxRow,
  // OutboxList, AlertTestResult.
  nlohmann::json Schemas() override;

 private:
  AlertRoutesDeps d_;
};

}  // namespace spacecrab::alert
