#include "api/openapi.h"

#include <algorithm>
#include <cctype>

#include "api/resource_json.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> PathParams(const std::string& pattern) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string::npos) {
    const size_t end = pattern.find('}', pos);
    if (end == std::string::npos) break;
    out.push_back(pattern.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

// "POST /api/v1/tokens/{id}/rotate" -> "post_tokens_id_rotate"
std::string OperationId(const Route& route) {
  std::string id = Lower(route.method);
  std::string path = route.pattern;
  if (path.rfind("/api/v1", 0) == 0) path = path.substr(7);
  for (char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      id += c;
    else if (c == '/' || c == '.' || c == '-' || c == '_') {
      if (id.back() != '_') id += '_';
    }
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  return id;
}

json ProblemResponse(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/problem+json", {{"schema", SchemaRef("Problem")}}}}}};
}

}  // namespace

json BuildOpenApi(const std::vector<Route>& routes, const json& schemas, const OpenApiInfo& info) {
  json paths = json::object();
  for (const Route& route : routes) {
    json op;
    op["operationId"] = OperationId(route);
    op["summary"] = route.doc.summary;
    if (!route.doc.tag.empty()) op["tags"] = json::array({route.doc.tag});
    json params = json::array();
    for (const std::string& name : PathParams(route.pattern))
      params.push_back(
          {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    if (route.doc.parameters.is_array())
      for (const json& p : route.doc.parameters) params.push_back(p);
    if (!params.empty()) op["parameters"] = params;
    if (!route.doc.request_schema.is_null())
      op["requestBody"] = {
          {"required", route.doc.request_body_required},
          {"content", {{"application/json", {{"schema", route.doc.request_schema}}}}}};
    json ok = {{"description", "success"}};
    if (!route.doc.response_schema.is_null())
      ok["content"] = {{route.doc.response_content_type, {{"schema", route.doc.response_schema}}}};
    json responses = {{std::to_string(route.doc.success_status), ok},
                      {"default", ProblemResponse("error (application/problem+json)")}};
    if (route.scope) {
      op["security"] = json::array({{{"bearer", json::array()}}});
      op["x-required-scope"] = std::string(ToString(*route.scope));
      op["description"] = "Requires an API key with scope `" + std::string(ToString(*route.scope)) +
                          "` or higher (read < deploy < admin).";
      responses["401"] = ProblemResponse("missing, unknown or revoked API key");
      responses["403"] = ProblemResponse("the key's scope is not enough");
    } else {
      op["security"] = json::array();
    }
    if (!route.doc.request_schema.is_null()) {
      responses["400"] = ProblemResponse("malformed body, wrong type or unknown field");
      responses["413"] = ProblemResponse("body larger than the limit");
    }
    op["responses"] = responses;
    paths[route.pattern][Lower(route.method)] = op;
  }
  json all_schemas = schemas.is_object() ? schemas : json::object();
  // Every error body is a Problem, whichever groups are mounted.
  if (!all_schemas.contains("Problem")) all_schemas["Problem"] = ResourceSchemas()["Problem"];
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", info.title}, {"version", info.version}, {"description", info.description}}},
          {"paths", paths},
          {"components",
           {{"schemas", all_schemas},
            {"securitySchemes",
             {{"bearer",
               {{"type", "http"}, {"scheme", "bearer"}, {"description", "sck_... API key"}}}}}}}};
}

}  // namespace spacecrab
