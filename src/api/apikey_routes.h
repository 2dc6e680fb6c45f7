// ApiKeyRoutes: /api/v1/apikeys (create, list, revoke) and /api/v1/audit
// (read the audit log). Admin scope only: whoever manages keys can grant
// any access, and the audit log shows everybody's activity.
//
// The create response is the only place a key's secret ever appears.
// Thread-safety: handlers are safe to run concurrently.
#pragma once

#include <vector>

#include "api/route.h"
#include "service/api_key_service.h"
#include "store/store.h"

namespace spacecrab {

class ApiKeyRoutes final : public RouteGroup {
 public:
  // Both must outlive the routes.
  ApiKeyRoutes(ApiKeyService& keys, Store& store) : keys_(keys), store_(store) {}
  std::vector<Route> Routes() override;
  nlohmann::json Schemas() override;

 private:
  Expected<ApiResponse> Create(const ApiRequest& request);
  Expected<ApiResponse> List(const ApiRequest& request);
  Expected<ApiResponse> Revoke(const ApiRequest& request);
  Expected<ApiResponse> Audit(const ApiRequest& request);

  ApiKeyService& keys_;
  Store& store_;
};

}  // namespace spacecrab
