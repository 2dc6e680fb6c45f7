// Routes: what one REST endpoint is — method, path pattern, the scope it
// needs, its handler and its OpenAPI description — independent of the HTTP
// library, so route groups can be written and tested without a socket.
//
// Modules add endpoints by implementing RouteGroup and being mounted on the
// ApiServer in RunServe (src/app/serve.cpp), the one place where the server's
// surface is composed. The OpenAPI document is generated from the mounted
// routes, so it cannot drift from what the server serves.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/api_key.h"
#include "core/status.h"
#include "service/actor.h"

namespace spacecrab {

struct ApiRequest {
  std::string method;                              // "GET"
  std::string path;                                // "/api/v1/tokens/tok_01..."
  std::string route;                               // "/api/v1/tokens/{id}"
  std::map<std::string, std::string> path_params;  // {"id": "tok_01..."}
  std::multimap<std::string, std::string> query;   // decoded query parameters
  std::map<std::string, std::string> headers;      // names lower-cased; last value wins
  std::string body;
  std::string remote_addr;
  std::optional<ApiKey> caller;  // the authenticated key (routes with a scope)

  // "apikey:<id>" (or "anonymous") plus the remote address, for the audit log.
  Actor actor() const;
  // The header's value, or "" (name in lower case).
  const std::string& header(const std::string& lower_name) const;
  const std::string& param(const std::string& name) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static ApiResponse Json(int status, const nlohmann::json& body);
  // A body already rendered as JSON text (see JsonWriter).
  static ApiResponse JsonText(int status, std::string body);
  // RFC 9457 application/problem+json: {type, title, status, detail}.
  static ApiResponse Problem(int status, const std::string& detail);
  // Maps a non-OK Status to its HTTP status and a problem document.
  static ApiResponse FromStatus(const Status& status);
};

using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

// OpenAPI 3.0 pieces for one operation. Schemas may $ref
// "#/components/schemas/<Name>" for names some group's Schemas() provides.
struct RouteDoc {
  std::string summary;
  std::string tag;                          // groups operations in the document
  nlohmann::json parameters = nullptr;      // array of query parameter objects, or null
  nlohmann::json request_schema = nullptr;  // JSON body schema, or null for no body
  bool request_body_required = true;
  // Media type a body must have (checked when a body is present); empty: any.
  std::string request_content_type = "application/json";
  int success_status = 200;
  nlohmann::json response_schema = nullptr;  // JSON schema of the success body, or null
  std::string response_content_type = "application/json";
};

struct Route {
  std::string method;             // "GET" | "POST" | "PATCH" | "PUT" | "DELETE"
  std::string pattern;            // "/api/v1/tokens/{id}": literal segments and {param}s
  std::optional<ApiScope> scope;  // minimum scope; nullopt: no authentication
  ApiHandler handler;
  RouteDoc doc;
  size_t max_body_bytes = 0;  // 0: the server's default limit
};

// A set of endpoints one module contributes.
class RouteGroup {
 public:
  virtual ~RouteGroup() = default;
  virtual std::vector<Route> Routes() = 0;
  // Named schemas for components/schemas, referenced from RouteDocs.
  virtual nlohmann::json Schemas() { return nlohmann::json::object(); }
};

// True if a key with scope `have` may call a route that needs `need`
// (admin > deploy > read).
bool ScopeAllows(ApiScope have, ApiScope need);

// HTTP status for a StatusCode (kInvalidArgument -> 400, kNotFound -> 404, ...).
int HttpStatusFor(StatusCode code);

}  // namespace spacecrab

namespace spacecrab {

// Adapts a handler written in the Status style: an error becomes its problem response.
ApiHandler HandleExpected(std::function<Expected<ApiResponse>(const ApiRequest&)> fn);

// Reads query parameters: each at most once, with typed getters that name
// the parameter in their errors. Unknown parameters are refused by the server
// before the handler runs (from the route's documented parameters).
class QueryParams {
 public:
  explicit QueryParams(const std::multimap<std::string, std::string>& query) : query_(query) {}
  // Absent -> ""; given twice -> InvalidArgument.
  Expected<std::string> Get(const std::string& name) const;
  // Absent -> `fallback`; not an integer in [min, max] -> InvalidArgument.
  Expected<int64_t> Int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;

 private:
  const std::multimap<std::string, std::string>& query_;
};

// An OpenAPI query parameter object.
nlohmann::json QueryParameter(const std::string& name, const std::string& description,
                              const nlohmann::json& schema = {{"type", "string"}});

}  // namespace spacecrab
