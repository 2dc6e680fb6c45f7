// OpenAPI 3.0 document generated from the routes the server actually serves.
//
// Each Route carries its own RouteDoc (summary, parameters, body and response
// schemas) and its scope; path parameters come from the pattern. Whatever a
// module mounts appears here, and nothing else can.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/route.h"

namespace spacecrab {

struct OpenApiInfo {
  std::string title = "spacecrab API";
  std::string version = "1";
  std::string description;
};

// `schemas`: the union of every group's Schemas(), for components/schemas.
nlohmann::json BuildOpenApi(const std::vector<Route>& routes, const nlohmann::json& schemas,
                            const OpenApiInfo& info);

}  // namespace spacecrab
