#include "api/route.h"

#include <charconv>
#include <iterator>

namespace spacecrab {
namespace {

const std::string kEmpty;

// Short human titles for the status codes the API uses (RFC 9110 reason phrases).
const char* Title(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status < 500 ? "Client Error" : "Server Error";
  }
}

}  // namespace

Actor ApiRequest::actor() const {
  return Actor{caller ? "apikey:" + caller->id : "anonymous", remote_addr};
}

const std::string& ApiRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

const std::string& ApiRequest::param(const std::string& name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? kEmpty : it->second;
}

ApiResponse ApiResponse::Json(int status, const nlohmann::json& body) {
  ApiResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

ApiResponse ApiResponse::JsonText(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ApiResponse ApiResponse::Problem(int status, const std::string& detail) {
  ApiResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  nlohmann::json doc = {
      {"type", "about:blank"}, {"title", Title(status)}, {"status", status}, {"detail", detail}};
  // Replace rather than throw on invalid UTF-8 echoed from a request.
  r.body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

ApiResponse ApiResponse::FromStatus(const Status& status) {
  return Problem(HttpStatusFor(status.code()), status.message());
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDataLoss:
      return 500;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

bool ScopeAllows(ApiScope have, ApiScope need) {
  auto rank = [](ApiScope s) {
    switch (s) {
      case ApiScope::kRead:
        return 0;
      case ApiScope::kDeploy:
        return 1;
      case ApiScope::kAdmin:
        return 2;
    }
    return 0;
  };
  return rank(have) >= rank(need);
}

}  // namespace spacecrab

namespace spacecrab {

ApiHandler HandleExpected(std::function<Expected<ApiResponse>(const ApiRequest&)> fn) {
  return [fn = std::move(fn)](const ApiRequest& request) {
    Expected<ApiResponse> response = fn(request);
    if (!response.ok()) return ApiResponse::FromStatus(response.status());
    return std::move(response).value();
  };
}

Expected<std::string> QueryParams::Get(const std::string& name) const {
  auto [first, last] = query_.equal_range(name);
  if (first == last) return std::string();
  if (std::next(first) != last) return InvalidArgument(name + ": given more than once");
  return first->second;
}

Expected<int64_t> QueryParams::Int(const std::string& name, int64_t fallback, int64_t min,
                                   int64_t max) const {
  SC_ASSIGN_OR_RETURN(std::string text, Get(name));
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max)
    return InvalidArgument(name + ": expected an integer between " + std::to_string(min) + " and " +
                           std::to_string(max));
  return value;
}

nlohmann::json QueryParameter(const std::string& name, const std::string& description,
                              const nlohmann::json& schema) {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", description},
          {"schema", schema}};
}

}  // namespace spacecrab
