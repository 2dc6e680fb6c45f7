// TokenRoutes: /api/v1/tokens — issue, list, show, update, revoke, delete,
// rotate — over TokenService.
//
// Scopes: read may GET; deploy may also create, update and rotate (a fleet
// script re-planting its machine's key); only admin may revoke or delete.
// Deploy keys live on many machines and CI systems, the most exposed places,
// so they cannot retire tokens one by one (rotation retires the old key only
// while handing out a replacement for the same placement).
//
// Credentials appear only in the create and rotate responses.
// Thread-safety: handlers are safe to run concurrently (TokenService is).
#pragma once

#include <vector>

#include "api/route.h"
#include "service/token_service.h"

namespace spacecrab {

class TokenRoutes final : public RouteGroup {
 public:
  // `tokens` must outlive the routes.
  explicit TokenRoutes(TokenService& tokens) : tokens_(tokens) {}
  std::vector<Route> Routes() override;
  nlohmann::json Schemas() override;

 private:
  Expected<ApiResponse> Create(const ApiRequest& request);
  Expected<ApiResponse> List(const ApiRequest& request);
  Expected<ApiResponse> Show(const ApiRequest& request);
  Expected<ApiResponse> Update(const ApiRequest& request);
  Expected<ApiResponse> Revoke(const ApiRequest& request);
  Expected<ApiResponse> Delete(const ApiRequest& request);
  Expected<ApiResponse> Rotate(const ApiRequest& request);

  TokenService& tokens_;
};

}  // namespace spacecrab
