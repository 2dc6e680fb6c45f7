// ReportRoutes: the report (core/report.h) on the ApiServer.
//
//   GET /api/v1/report    scope read
//
// Query parameters (each at most once, all optional):
//   from, to         RFC 3339, or a duration back from now ("7d", "12h");
//                    events with from <= event_time < to
//   location_prefix  tokens whose location starts with this
//   owner            exact owner
//   tag              KEY=VALUE (exact)
//   group_by         placements: "prefix" | "prefix:N" | "location" | "tag:NAME"
//   top              rows per top list, 0-1000 (0 = all; default 10)
//   history          timeline events per token, 0-1000 (default 50)
//   format           "json" (default; RenderReportJson) | "text" (aligned tables,
//                    what `spacecrab report` prints) | "csv" (one table)
//   table            with format=csv: placements (default), source_ips, countries,
//                    networks, tools, user_agents, api_calls, error_codes, tokens, events
//
// Countries, networks, Tor and tools come from each event's stored
// enrichment{} (enrich::DecodeEventOrigin), written at detection time.
//
// Cost: the report is computed in memory from every in-scope token and every
// event in the window (at most kMaxReportEvents; more is a 400 asking for a
// narrower window). Raw CloudTrail records are dropped as pages load.
//
// Thread-safety: handlers may run concurrently (the Store and Clock are
// thread-safe). Ownership: the Store and Clock must outlive the routes.
#pragma once

#include <cstddef>
#include <vector>

#include "api/route.h"
#include "core/clock.h"
#include "core/report.h"
#include "store/store.h"

namespace spacecrab::enrich {

inline constexpr size_t kMaxReportEvents = 500'000;

// Loads the tokens passing `options`' token filters and the events in its
// window from `store`, and computes the report. InvalidArgument when the
// window holds more than `max_events` events.
Expected<Report> LoadReport(Store& store, const ReportOptions& options,
                            size_t max_events = kMaxReportEvents);

class ReportRoutes final : public RouteGroup {
 public:
  ReportRoutes(Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  std::vector<Route> Routes() override;

 private:
  Expected<ApiResponse> Get(const ApiRequest& request);

  Store& store_;
  const Clock& clock_;
};

}  // namespace spacecrab::enrich
