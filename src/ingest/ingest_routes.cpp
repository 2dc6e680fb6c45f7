#include "ingest/ingest_routes.h"

namespace spacecrab::ingest {
namespace {

ApiResponse ToApi(const PushResponse& r) {
  ApiResponse out;
  out.status = r.status;
  out.content_type = r.content_type;
  out.body = r.body;
  return out;
}

PushRequest ToPush(const ApiRequest& r) { return PushRequest{r.body, r.headers, r.caller.has_value()}; }

}  // namespace

Status ApiKeyPushAuthenticator::Authenticate(std::string_view secret) {
  SC_ASSIGN_OR_RETURN(ApiKey key, keys_.Authenticate(secret));
  if (!ScopeAllows(key.scope, ApiScope::kDeploy))
    return PermissionDenied("this API key's scope cannot push CloudTrail records (needs deploy)");
  return Status::Ok();
}

std::vector<Route> IngestRoutes::Routes() {
  auto route = [&](std::string path, std::string summary, PushResponse (PushHandlers::*fn)(const PushRequest&),
                   std::optional<ApiScope> scope) {
    Route r;
    r.method = "POST";
    r.pattern = "/api/v1/ingest/" + path;
    r.scope = scope;
    r.handler = [this, fn](const ApiRequest& req) { return ToApi((handlers_.*fn)(ToPush(req))); };
    r.doc.summary = std::move(summary);
    r.doc.tag = "ingest";
    r.doc.request_schema = nlohmann::json{{"type", "object"}};
    r.doc.request_content_type = "";
    r.doc.response_schema = nlohmann::json{{"type", "object"}};
    r.max_body_bytes = 64u << 20;
    return r;
  };
  return {
      route("eventbridge", "Push one EventBridge CloudTrail event (API destination; Bearer API key)",
            &PushHandlers::EventBridge, ApiScope::kDeploy),
      route("cloudwatch",
            "Push a CloudWatch Logs subscription payload or a Firehose HTTP endpoint delivery "
            "(X-Amz-Firehose-Access-Key: an API key with scope deploy)",
            &PushHandlers::CloudWatch, std::nullopt),
      route("cloudtrail", "Push a CloudTrail log file ({\"Records\":[...]}, plain or gzip; Bearer API key)",
            &PushHandlers::CloudTrail, ApiScope::kDeploy),
  };
}

}  // namespace spacecrab::ingest
