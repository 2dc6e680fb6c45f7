#include "api/apikey_routes.h"

#include <limits>

#include "api/json_body.h"
#include "api/resource_json.h"
#include "core/ids.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

}  // namespace

Expected<ApiResponse> ApiKeyRoutes::Create(const ApiRequest& request) {
  SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body));
  SC_ASSIGN_OR_RETURN(auto name, body.String("name"));
  SC_ASSIGN_OR_RETURN(auto scope_name, body.String("scope"));
  SC_RETURN_IF_ERROR(body.RejectUnknown());
  if (!name) return InvalidArgument("name: is required");
  if (!scope_name) return InvalidArgument("scope: is required (read, deploy or admin)");
  auto scope = ParseApiScope(*scope_name);
  if (!scope) return InvalidArgument("scope: expected read, deploy or admin");
  SC_ASSIGN_OR_RETURN(CreatedApiKey created, keys_.Create(*name, *scope, request.actor()));
  json out = ApiKeyToJson(created.key);
  out["api_key"] = created.secret;
  return ApiResponse::Json(201, out);
}

Expected<ApiResponse> ApiKeyRoutes::List(const ApiRequest&) {
  SC_ASSIGN_OR_RETURN(std::vector<ApiKey> keys, keys_.List());
  json items = json::array();
  for (const ApiKey& k : keys) items.push_back(ApiKeyToJson(k));
  // Few keys exist; one page always holds them all.
  return ApiResponse::Json(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
}

Expected<ApiResponse> ApiKeyRoutes::Revoke(const ApiRequest& request) {
  const std::string& id = request.param("id");
  if (!IsWellFormedId("key", id)) return NotFound("no such API key");
  SC_ASSIGN_OR_RETURN(ApiKey key, keys_.Revoke(id, request.actor()));
  return ApiResponse::Json(200, ApiKeyToJson(key));
}

Expected<ApiResponse> ApiKeyRoutes::Audit(const ApiRequest& request) {
  QueryParams query(request.query);
  SC_ASSIGN_OR_RETURN(int64_t limit, query.Int("limit", 100, 1, 1000));
  SC_ASSIGN_OR_RETURN(int64_t before,
                      query.Int("cursor", 0, 1, std::numeric_limits<int64_t>::max()));
  SC_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, store_.ListAudit(int(limit), before));
  json items = json::array();
  for (const AuditEntry& e : entries) items.push_back(AuditEntryToJson(e));
  json next = nullptr;
  if (int64_t(entries.size()) == limit && !entries.empty() && entries.back().id > 1)
    next = std::to_string(entries.back().id);
  return ApiResponse::Json(200, {{"items", std::move(items)}, {"next_cursor", next}});
}

json ApiKeyRoutes::Schemas() { return ResourceSchemas(); }

std::vector<Route> ApiKeyRoutes::Routes() {
  auto bind = [this](Expected<ApiResponse> (ApiKeyRoutes::*fn)(const ApiRequest&)) {
    return HandleExpected([this, fn](const ApiRequest& r) { return (this->*fn)(r); });
  };
  std::vector<Route> routes;
  RouteDoc doc;

  doc = {};
  doc.summary = "Create an API key; the response carries the secret, shown once";
  doc.tag = "apikeys";
  doc.request_schema = {{"type", "object"},
                        {"required", {"name", "scope"}},
                        {"additionalProperties", false},
                        {"properties",
                         {{"name", {{"type", "string"}, {"maxLength", 128}}},
                          {"scope", {{"type", "string"}, {"enum", {"read", "deploy", "admin"}}}}}}};
  doc.success_status = 201;
  doc.response_schema = SchemaRef("CreatedApiKey");
  routes.push_back({"POST", "/api/v1/apikeys", ApiScope::kAdmin, bind(&ApiKeyRoutes::Create), doc});

  doc = {};
  doc.summary = "List API keys (never their secrets)";
  doc.tag = "apikeys";
  doc.response_schema = SchemaRef("ApiKeyList");
  routes.push_back({"GET", "/api/v1/apikeys", ApiScope::kAdmin, bind(&ApiKeyRoutes::List), doc});

  doc = {};
  doc.summary = "Revoke an API key (the last active admin key cannot be revoked)";
  doc.tag = "apikeys";
  doc.response_schema = SchemaRef("ApiKey");
  routes.push_back(
      {"DELETE", "/api/v1/apikeys/{id}", ApiScope::kAdmin, bind(&ApiKeyRoutes::Revoke), doc});

  doc = {};
  doc.summary = "Read the audit log, newest first";
  doc.tag = "audit";
  doc.parameters =
      json::array({QueryParameter("cursor", "next_cursor of the previous page"),
                   QueryParameter("limit", "page size, 1-1000 (default 100)",
                                  {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}})});
  doc.response_schema = SchemaRef("AuditList");
  routes.push_back({"GET", "/api/v1/audit", ApiScope::kAdmin, bind(&ApiKeyRoutes::Audit), doc});
  return routes;
}

}  // namespace spacecrab
