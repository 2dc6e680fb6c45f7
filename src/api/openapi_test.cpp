#include "api/openapi.h"

#include <gtest/gtest.h>

#include "api/resource_json.h"

namespace spacecrab {
namespace {

TEST(OpenApi, DescribesEveryRouteWithItsScopeAndPathParams) {
  std::vector<Route> routes;
  Route show{"GET",
             "/api/v1/tokens/{id}",
             ApiScope::kRead,
             [](const ApiRequest&) { return ApiResponse{}; },
             {}};
  show.doc.summary = "Show";
  show.doc.response_schema = SchemaRef("Token");
  Route health{
      "GET", "/api/v1/healthz", std::nullopt, [](const ApiRequest&) { return ApiResponse{}; }, {}};
  Route create{"POST",
               "/api/v1/tokens",
               ApiScope::kDeploy,
               [](const ApiRequest&) { return ApiResponse{}; },
               {}};
  create.doc.request_schema = {{"type", "object"}};
  create.doc.success_status = 201;
  routes = {show, health, create};
  auto doc = BuildOpenApi(routes, ResourceSchemas(), {});
  EXPECT_EQ(doc["openapi"], "3.0.3");
  const auto& op = doc["paths"]["/api/v1/tokens/{id}"]["get"];
  EXPECT_EQ(op["x-required-scope"], "read");
  EXPECT_EQ(op["parameters"][0]["name"], "id");
  EXPECT_EQ(op["parameters"][0]["in"], "path");
  EXPECT_TRUE(op["responses"].contains("401"));
  EXPECT_TRUE(doc["paths"]["/api/v1/healthz"]["get"]["security"].empty());
  EXPECT_TRUE(doc["paths"]["/api/v1/tokens"]["post"]["responses"].contains("201"));
  EXPECT_TRUE(doc["paths"]["/api/v1/tokens"]["post"].contains("requestBody"));
  EXPECT_TRUE(doc["components"]["schemas"].contains("Token"));
  EXPECT_TRUE(doc["components"]["schemas"].contains("Problem"));
  // Every $ref points at a schema that exists.
  std::function<void(const nlohmann::json&)> check = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      if (j.contains("$ref")) {
        std::string ref = j["$ref"];
        ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u);
        EXPECT_TRUE(doc["components"]["schemas"].contains(ref.substr(21))) << ref;
      }
      for (const auto& [k, v] : j.items()) check(v);
    } else if (j.is_array()) {
      for (const auto& v : j) check(v);
    }
  };
  check(doc);
}

}  // namespace
}  // namespace spacecrab
