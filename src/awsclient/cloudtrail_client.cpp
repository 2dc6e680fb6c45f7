#include "awsclient/cloudtrail_client.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace spacecrab {
namespace {

using json = nlohmann::json;

// "com.amazonaws.cloudtrail...#TrailNotFoundException" -> "TrailNotFoundException".
std::string ErrorName(const json& doc) {
  std::string type = doc.value("__type", std::string());
  const size_t hash = type.rfind('#');
  if (hash != std::string::npos) type = type.substr(hash + 1);
  return type;
}

Status ErrorStatus(long http_status, const std::string& body) {
  std::string name, message;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    name = ErrorName(doc);
    message = doc.value("message", doc.value("Message", std::string()));
  }
  if (name.empty()) name = fmt::format("HTTP{}", http_status);
  const std::string text = fmt::format("{}: {}", name, message);
  if (name.find("AccessDenied") != std::string::npos || http_status == 403)
    return PermissionDenied(text);
  if (name == "UnrecognizedClientException" || name == "InvalidSignatureException" ||
      name == "IncompleteSignature" || name == "ExpiredTokenException")
    return Unauthenticated(text);
  if (name == "TrailNotFoundException") return NotFound(text);
  if (http_status == 429 || http_status >= 500 || name.find("Throttl") != std::string::npos)
    return Unavailable(text);
  return InvalidArgument(text);
}

}  // namespace

Expected<std::string> CloudTrailClient::Call(const std::string& action,
                                             const std::string& json_body) {
  HttpRequest request;
  request.method = "POST";
  request.url = settings_.EndpointFor("cloudtrail");
  if (request.url.find('/', request.url.find("://") + 3) == std::string::npos) request.url += "/";
  request.body = json_body;
  request.headers = {
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101." + action}};
  const auto& creds = settings_.credentials;
  if (!creds.session_token.empty())
    request.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  request.sigv4_provider = fmt::format("aws:amz:{}:cloudtrail", settings_.region);
  request.access_key_id = creds.access_key_id;
  request.secret_access_key = creds.secret_access_key;
  request.timeout = std::chrono::seconds(30);
  SC_ASSIGN_OR_RETURN(HttpResponse response, transport_.Send(request));
  if (response.status >= 300) return ErrorStatus(response.status, response.body);
  return std::move(response.body);
}

Expected<std::vector<CloudTrailTrail>> CloudTrailClient::DescribeTrails() {
  SC_ASSIGN_OR_RETURN(std::string body, Call("DescribeTrails", R"({"includeShadowTrails":true})"));
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("trailList") || !doc["trailList"].is_array())
    return DataLoss("DescribeTrails: answer without a trailList");
  std::vector<CloudTrailTrail> out;
  for (const json& t : doc["trailList"]) {
    if (!t.is_object()) continue;
    CloudTrailTrail trail;
    trail.name = t.value("Name", std::string());
    trail.arn = t.value("TrailARN", std::string());
    trail.s3_bucket = t.value("S3BucketName", std::string());
    trail.s3_key_prefix = t.value("S3KeyPrefix", std::string());
    trail.home_region = t.value("HomeRegion", std::string());
    trail.multi_region = t.value("IsMultiRegionTrail", false);
    trail.include_global_service_events = t.value("IncludeGlobalServiceEvents", false);
    trail.organization_trail = t.value("IsOrganizationTrail", false);
    out.push_back(std::move(trail));
  }
  return out;
}

Expected<bool> CloudTrailClient::IsLogging(const std::string& name_or_arn) {
  SC_ASSIGN_OR_RETURN(std::string body, Call("GetTrailStatus", json{{"Name", name_or_arn}}.dump()));
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("IsLogging"))
    return DataLoss("GetTrailStatus: answer without IsLogging");
  return doc["IsLogging"].is_boolean() && doc["IsLogging"].get<bool>();
}

}  // namespace spacecrab
