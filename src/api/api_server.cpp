#include "api/api_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>

#include "api/openapi.h"
#include "api/parking_server.h"

namespace spacecrab {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "application/json; charset=utf-8" -> "application/json"
std::string MediaType(const std::string& content_type) {
  std::string t = Lower(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

bool MediaTypeMatches(const std::string& have, const std::string& want) {
  if (have == want) return true;
  // application/merge-patch+json and friends are JSON too.
  return want == "application/json" && have.size() > 5 && have.rfind("application/", 0) == 0 &&
         have.compare(have.size() - 5, 5, "+json") == 0;
}

ApiResponse Unauthorized(const std::string& detail, bool key_given) {
  ApiResponse r = ApiResponse::Problem(401, detail);
  r.headers.emplace_back("WWW-Authenticate", key_given
                                                 ? "Bearer realm=\"api\", error=\"invalid_token\""
                                                 : "Bearer realm=\"api\"");
  return r;
}

}  // namespace

ApiServer::ApiServer(ApiServerOptions options, ApiKeyService& keys, MetricsRegistry& metrics)
    : options_(std::move(options)),
      keys_(keys),
      metrics_(metrics),
      http_(std::make_unique<ParkingServer>(ParkingServerOptions{
          size_t(std::max(1, options_.threads)), options_.keep_alive_timeout,
          options_.keep_alive_max_requests, options_.read_timeout, options_.write_timeout})) {
  largest_body_limit_ = options_.max_body_bytes;
}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Mount(RouteGroup& group) {
  for (Route& route : group.Routes()) {
    if (route.max_body_bytes != 0)
      largest_body_limit_ = std::max(largest_body_limit_, route.max_body_bytes);
    SC_RETURN_IF_ERROR(router_.Add(std::move(route)));
  }
  nlohmann::json schemas = group.Schemas();
  if (schemas.is_object()) schemas_.update(schemas);
  return Status::Ok();
}

const nlohmann::json& ApiServer::OpenApiDocument() {
  std::call_once(openapi_once_, [this] {
    OpenApiInfo info;
    info.description =
        "Issue and manage credentials for placements, and read what happened to them. "
        "Errors are application/problem+json. Authenticate with `Authorization: Bearer sck_...`.";
    openapi_ = BuildOpenApi(router_.routes(), schemas_, info);
  });
  return openapi_;
}

Expected<int> ApiServer::Bind() {
  // Pool size, timeouts and keep-alive limits: see ParkingServer.
  // Largest limit any route allows; Serve() applies each route's own limit.
  http_->set_payload_max_length(largest_body_limit_);
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the
  // same port and silently take half the connections. Only SO_REUSEADDR (quick
  // restarts past TIME_WAIT).
  // TCP_NODELAY: a response that goes out in pieces (large bodies) must not
  // wait for the client's delayed ACK (~40 ms).
  http_->set_tcp_nodelay(true);
  http_->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(req, res);
  };
  http_->Get(".*", dispatch);
  http_->Post(".*", dispatch);
  http_->Put(".*", dispatch);
  http_->Patch(".*", dispatch);
  http_->Delete(".*", dispatch);
  http_->Options(".*", dispatch);
  // Responses httplib makes itself (unparseable request line, 413 before
  // routing, ...) get a problem body too; ours already have one.
  http_->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiResponse p = ApiResponse::Problem(
            res.status,
            res.status == 413 ? "request body is larger than the limit" : "request refused");
        res.set_content(p.body, p.content_type.c_str());
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        ApiResponse p = ApiResponse::Problem(500, "internal error");
        res.status = 500;
        res.set_content(p.body, p.content_type.c_str());
      });

  const int port = http_->Bind(options_.host, options_.port);
  if (port < 0) {
    return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                       (options_.port == 0 ? "" : " (address in use or not local?)"));
  }
  return port;
}

Status ApiServer::Run() {
  in_run_ = true;
  if (stop_requested_) {
    in_run_ = false;
    return Status::Ok();
  }
  const bool ok = http_->listen_after_bind();
  in_run_ = false;
  if (!ok && !stop_requested_) return Unavailable("API server stopped unexpectedly");
  return Status::Ok();
}

void ApiServer::Stop() {
  stop_requested_ = true;
  // Run() may not have started listening yet; httplib ignores stop() until it
  // has, so wait for that moment (bounded by Run's own progress).
  while (in_run_) {
    if (http_->is_running()) {
      http_->stop();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void ApiServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  std::string route_label = "unmatched";
  std::string key_id;
  ApiResponse out;
  try {
    out = Serve(req, route_label, key_id);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: handler failed: {}", req.method, route_label, e.what());
    out = ApiResponse::Problem(500, "internal error");
  }
  res.status = out.status;
  for (const auto& [name, value] : out.headers) res.set_header(name.c_str(), value);
  res.set_header("Cache-Control", "no-store");
  res.set_content(out.body, out.content_type.c_str());
  const auto latency = std::chrono::steady_clock::now() - start;
  metrics_.http().ObserveRequest(req.method, route_label, out.status, latency);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  if (out.status >= 500)
    spdlog::warn("{} {} {} {}us key={} from={}", req.method, route_label, out.status, micros,
                 key_id.empty() ? "-" : key_id, req.remote_addr);
  else
    spdlog::debug("{} {} {} {}us key={} from={}", req.method, route_label, out.status, micros,
                  key_id.empty() ? "-" : key_id, req.remote_addr);
}

std::optional<ApiResponse> ApiServer::Authenticate(const Route& route,
                                                   const std::string& authorization,
                                                   ApiRequest& request) {
  HttpMetrics& m = metrics_.http();
  if (authorization.empty()) {
    m.CountAuthFailure("missing");
    return Unauthorized("this endpoint needs an API key: Authorization: Bearer sck_...", false);
  }
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      Lower(authorization.substr(0, kScheme.size())) != kScheme) {
    m.CountAuthFailure("invalid");
    return Unauthorized("expected Authorization: Bearer <API key>", true);
  }
  std::string secret = authorization.substr(kScheme.size());
  while (!secret.empty() && secret.front() == ' ') secret.erase(0, 1);
  while (!secret.empty() && secret.back() == ' ') secret.pop_back();
  auto key = keys_.Authenticate(secret);
  if (!key.ok()) {
    if (key.status().code() != StatusCode::kUnauthenticated)
      return ApiResponse::Problem(503, "cannot check API keys right now; retry");
    m.CountAuthFailure("invalid");
    return Unauthorized("unknown or revoked API key", true);
  }
  if (!ScopeAllows(key->scope, *route.scope)) {
    m.CountAuthFailure("forbidden");
    ApiResponse r = ApiResponse::Problem(
        403, "this endpoint needs scope '" + std::string(ToString(*route.scope)) +
                 "'; this key has '" + std::string(ToString(key->scope)) + "'");
    r.headers.emplace_back("WWW-Authenticate",
                           "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"" +
                               std::string(ToString(*route.scope)) + "\"");
    return r;
  }
  request.caller = std::move(key).value();
  return std::nullopt;
}

ApiResponse ApiServer::Serve(const httplib::Request& req, std::string& route_label,
                             std::string& key_id) {
  // HEAD is GET without a body (httplib drops the body).
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  RouteMatch match = router_.Match(method, req.path);
  if (match.kind == RouteMatch::kNoSuchPath) return ApiResponse::Problem(404, "no such endpoint");
  if (match.kind == RouteMatch::kMethodNotAllowed) {
    std::string allow;
    for (const std::string& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
    ApiResponse r = ApiResponse::Problem(405, "this endpoint allows " + allow);
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  const Route& route = *match.route;
  route_label = route.pattern;
  // httplib never reads a body on GET/HEAD/OPTIONS: its bytes would be parsed
  // as the next request on this connection. Refuse, and close the connection.
  if ((method == "GET" || method == "OPTIONS") &&
      ((req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0") ||
       req.has_header("Transfer-Encoding"))) {
    ApiResponse r = ApiResponse::Problem(400, "this endpoint takes no request body");
    r.headers.emplace_back("Connection", "close");
    return r;
  }

  ApiRequest request;
  request.method = method;
  request.path = req.path;
  request.route = route.pattern;
  request.path_params = std::move(match.params);
  request.remote_addr = req.remote_addr;
  std::string authorization;
  for (const auto& [name, value] : req.headers) {
    std::string lower = Lower(name);
    // The key never travels further than authentication.
    if (lower == "authorization")
      authorization = value;
    else
      request.headers[std::move(lower)] = value;
  }

  // Size first: a route with a larger limit (ingest push) raises httplib's own
  // cap, so an oversized body reaches us and must get 413 whoever sends it.
  const size_t limit = route.max_body_bytes != 0 ? route.max_body_bytes : options_.max_body_bytes;
  if (req.body.size() > limit)
    return ApiResponse::Problem(413,
                                "request body is larger than " + std::to_string(limit) + " bytes");

  if (route.scope) {
    if (auto denied = Authenticate(route, authorization, request)) return std::move(*denied);
    key_id = request.caller->id;
  }
  if (!req.body.empty()) {
    if (route.doc.request_schema.is_null())
      return ApiResponse::Problem(400, "this endpoint takes no request body");
    const std::string& want = route.doc.request_content_type;
    if (!want.empty() && !MediaTypeMatches(MediaType(req.get_header_value("Content-Type")), want))
      return ApiResponse::Problem(415, "request body must be " + want);
    request.body = req.body;
  }

  // Query parameters: only those the route documents.
  if (!req.params.empty()) {
    std::set<std::string> known;
    if (route.doc.parameters.is_array())
      for (const auto& p : route.doc.parameters)
        if (p.value("in", "") == "query") known.insert(p.value("name", ""));
    for (const auto& [name, value] : req.params)
      if (!known.count(name))
        return ApiResponse::Problem(400, "unknown query parameter '" + name.substr(0, 64) + "'");
    request.query.insert(req.params.begin(), req.params.end());
  }

  return route.handler(request);
}

}  // namespace spacecrab
