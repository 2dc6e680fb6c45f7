#include "api/system_routes.h"

#include <fmt/format.h>

namespace spacecrab {

using json = nlohmann::json;

std::vector<Route> SystemRoutes::Routes() {
  std::vector<Route> routes;
  RouteDoc doc;

  doc = {};
  doc.summary = "Liveness: the process is serving";
  doc.tag = "system";
  doc.response_schema = {{"type", "object"}, {"properties", {{"status", {{"type", "string"}}}}}};
  routes.push_back({"GET", "/api/v1/healthz", std::nullopt,
                    [](const ApiRequest&) {
                      return ApiResponse::Json(200, {{"status", "ok"}});
                    },
                    doc});

  doc.summary = "Readiness: the store answers (503 when it does not)";
  routes.push_back({"GET", "/api/v1/readyz", std::nullopt,
                    [this](const ApiRequest&) {
                      Status ping = store_.Ping();
                      if (!ping.ok())
                        return ApiResponse::Problem(503, "store unavailable: " + ping.message());
                      return ApiResponse::Json(200, {{"status", "ready"}});
                    },
                    doc});

  doc = {};
  doc.summary = "Prometheus metrics (text format 0.0.4)";
  doc.tag = "system";
  doc.response_schema = {{"type", "string"}};
  doc.response_content_type = "text/plain";
  routes.push_back({"GET", "/api/v1/metrics", ApiScope::kRead,
                    [this](const ApiRequest&) {
                      ApiResponse r;
                      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                      r.body = metrics_.Render();
                      return r;
                    },
                    doc});

  doc = {};
  doc.summary = "This OpenAPI 3.0 document";
  doc.tag = "system";
  doc.response_schema = {{"type", "object"}};
  routes.push_back({"GET", "/api/v1/openapi.json", std::nullopt,
                    [this](const ApiRequest&) { return ApiResponse::Json(200, openapi_()); }, doc});
  return routes;
}

MetricsRegistry::Collector TokenCountCollector(Store& store) {
  return [&store](std::string& out) {
    out += "# HELP spacecrab_tokens Tokens in the store by status.\n";
    out += "# TYPE spacecrab_tokens gauge\n";
    for (TokenStatus s : {TokenStatus::kActive, TokenStatus::kRevoked, TokenStatus::kExpired,
                          TokenStatus::kDeleted}) {
      TokenFilter filter;
      filter.status = s;
      auto n = store.CountTokens(filter);
      if (n.ok()) out += fmt::format("spacecrab_tokens{{status=\"{}\"}} {}\n", ToString(s), *n);
    }
  };
}

}  // namespace spacecrab
