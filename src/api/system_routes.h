// SystemRoutes: the service's own endpoints.
//
//   GET /api/v1/healthz       no auth: the process is up and serving
//   GET /api/v1/readyz        no auth: the store answers (503 otherwise)
//   GET /api/v1/openapi.json  no auth: the generated OpenAPI document (no secrets in it)
//   GET /api/v1/metrics       read scope: Prometheus text. It needs a key because
//                             counts and route names describe the deployment;
//                             Prometheus sends one with `authorization:
//                             {type: Bearer, credentials_file: ...}`.
//
// Thread-safety: handlers are safe to run concurrently.
#pragma once

#include <functional>
#include <vector>

#include "api/metrics.h"
#include "api/route.h"
#include "store/store.h"

namespace spacecrab {

class SystemRoutes final : public RouteGroup {
 public:
  // All three must outlive the routes; `openapi` is called per request
  // (ApiServer::OpenApiDocument caches).
  SystemRoutes(Store& store, MetricsRegistry& metrics,
               std::function<const nlohmann::json&()> openapi)
      : store_(store), metrics_(metrics), openapi_(std::move(openapi)) {}
  std::vector<Route> Routes() override;

 private:
  Store& store_;
  MetricsRegistry& metrics_;
  std::function<const nlohmann::json&()> openapi_;
};

// A collector for MetricsRegistry: token counts by status (spacecrab_tokens).
MetricsRegistry::Collector TokenCountCollector(Store& store);

}  // namespace spacecrab
