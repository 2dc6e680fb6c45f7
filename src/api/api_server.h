// ApiServer: the REST API's HTTP server (cpp-httplib's parser on a bounded
// thread pool; idle keep-alive connections wait in epoll: parking_server.h).
//
// Every request goes through one dispatch path: route match (404/405) ->
// bearer authentication when the route has a scope (401 with
// WWW-Authenticate, or 403) -> query parameter and body limits (400/413/415)
// -> handler -> metrics and an access log line. Errors are
// application/problem+json. A handler that throws gets a 500; the server keeps
// serving. The access log names the route pattern, status, latency and API key
// id — never the Authorization header, a body or a query string.
//
// Lifecycle: construct, Mount() route groups, Bind() (port 0 picks a free
// port; the bound port is returned), then Run() blocks until Stop() is called
// from another thread (or a signal handler thread).
//
// Thread-safety: Mount/Bind before Run, from one thread. Stop() is safe from
// any thread. Handlers run concurrently on the pool's threads.
// Ownership: the ApiKeyService, MetricsRegistry and mounted groups must
// outlive the server.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/metrics.h"
#include "api/route.h"
#include "api/router.h"
#include "service/api_key_service.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace spacecrab {

class ParkingServer;

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads = 8;
  size_t max_body_bytes = 1 << 20;  // default per-route limit (413 above it)
  std::chrono::seconds read_timeout{15};
  std::chrono::seconds write_timeout{15};
  std::chrono::seconds keep_alive_timeout{5};
  size_t keep_alive_max_requests = 10000;
};

class ApiServer {
 public:
  ApiServer(ApiServerOptions options, ApiKeyService& keys, MetricsRegistry& metrics);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Adds the group's routes. InvalidArgument on a duplicate or malformed route.
  Status Mount(RouteGroup& group);
  // Binds the listening socket; returns the bound port. kUnavailable if the
  // address is taken or invalid.
  Expected<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  Status Run();
  void Stop();

  const std::vector<Route>& routes() const { return router_.routes(); }
  // The OpenAPI document of every mounted route (built once, on first use).
  const nlohmann::json& OpenApiDocument();

 private:
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  ApiResponse Serve(const httplib::Request& req, std::string& route_label, std::string& key_id);
  // A 401/403/503 response, or nullopt when `request.caller` was set.
  std::optional<ApiResponse> Authenticate(const Route& route, const std::string& authorization,
                                          ApiRequest& request);

  ApiServerOptions options_;
  ApiKeyService& keys_;
  MetricsRegistry& metrics_;
  Router router_;
  nlohmann::json schemas_ = nlohmann::json::object();
  std::unique_ptr<ParkingServer> http_;
  std::once_flag openapi_once_;
  nlohmann::json openapi_;
  size_t largest_body_limit_ = 0;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> in_run_{false};
};

}  // namespace spacecrab
