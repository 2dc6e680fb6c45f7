#include "provider/iam/iam_policy.h"

#include <nlohmann/json.hpp>

namespace spacecrab {
namespace {

bool IsStar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>() == "*";
  if (v.is_array()) {
    for (const auto& e : v) {
      if (e.is_string() && e.get<std::string>() == "*") return true;
    }
  }
  return false;
}

bool IsDenyAllStatement(const nlohmann::json& s) {
  return s.is_object() && s.value("Effect", "") == "Deny" && s.contains("Action") &&
         IsStar(s["Action"]) && s.contains("Resource") && IsStar(s["Resource"]) &&
         !s.contains("Condition") && !s.contains("NotAction") && !s.contains("NotResource") &&
         !s.contains("Principal");
}

}  // namespace

std::string DenyAllPolicyDocument() {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})";
}

bool IsDenyAllPolicy(std::string_view document) {
  const auto doc = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("Statement")) return false;
  const auto& st = doc["Statement"];
  if (st.is_object()) return IsDenyAllStatement(st);
  if (!st.is_array()) return false;
  for (const auto& s : st) {
    if (IsDenyAllStatement(s)) return true;
  }
  return false;
}

}  // namespace spacecrab
