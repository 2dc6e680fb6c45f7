#include "core/api_key.h"

namespace spacecrab {

std::string_view ToString(ApiScope s) {
  switch (s) {
    case ApiScope::kRead: return "read";
    case ApiScope::kDeploy: return "deploy";
    case ApiScope::kAdmin: return "admin";
  }
  return "read";
}

std::optional<ApiScope> ParseApiScope(std::string_view s) {
  if (s == "read") return ApiScope::kRead;
  if (s == "deploy") return ApiScope::kDeploy;
  if (s == "admin") return ApiScope::kAdmin;
  return std::nullopt;
}

}  // namespace spacecrab
