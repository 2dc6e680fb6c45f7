#include "api/api_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "api/apikey_routes.h"
#include "api/system_routes.h"
#include "api/token_routes.h"
#include "service/service_test_util.h"
#include "service/token_service.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

// Routes that misbehave, to prove the server survives them.
class FaultyRoutes final : public RouteGroup {
 public:
  std::vector<Route> Routes() override {
    Route boom{"GET",
               "/api/v1/boom",
               std::nullopt,
               [](const ApiRequest&) -> ApiResponse { throw std::runtime_error("boom"); },
               {}};
    Route big{"POST",
              "/api/v1/big",
              std::nullopt,
              [](const ApiRequest& r) {
                return ApiResponse::Json(200, {{"bytes", r.body.size()}});
              },
              {}};
    big.doc.request_schema = {{"type", "object"}};
    big.max_body_bytes = 4096;
    return {boom, big};
  }
};

class ApiServerTest : public ::testing::Test {
 protected:
  ApiServerTest()
      : tokens_({w_.store.get(), {w_.decoy.get()}, &w_.clock, &w_.random, 1000}),
        keys_({w_.store.get(), &w_.clock, &w_.random, std::chrono::minutes(1)}),
        token_routes_(tokens_),
        apikey_routes_(keys_, *w_.store),
        system_routes_(*w_.store, metrics_,
                       [this]() -> const json& { return server_->OpenApiDocument(); }) {
    ApiServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    options.max_body_bytes = 1024;
    server_ = std::make_unique<ApiServer>(options, keys_, metrics_);
    EXPECT_TRUE(server_->Mount(token_routes_).ok());
    EXPECT_TRUE(server_->Mount(apikey_routes_).ok());
    EXPECT_TRUE(server_->Mount(system_routes_).ok());
    EXPECT_TRUE(server_->Mount(faulty_).ok());
    auto port = server_->Bind();
    EXPECT_TRUE(port.ok());
    port_ = *port;
    thread_ = std::thread([this] { EXPECT_TRUE(server_->Run().ok()); });
    admin_ = keys_.Create("admin", ApiScope::kAdmin, {"test", ""})->secret;
    deploy_ = keys_.Create("deploy", ApiScope::kDeploy, {"test", ""})->secret;
    read_ = keys_.Create("read", ApiScope::kRead, {"test", ""})->secret;
  }
  ~ApiServerTest() override {
    server_->Stop();
    thread_.join();
  }

  httplib::Result Call(const std::string& method, const std::string& path, const std::string& key,
                       const std::string& body = "", const std::string& type = "application/json") {
    httplib::Client client("127.0.0.1", port_);
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    if (method == "GET") return client.Get(path, headers);
    if (method == "DELETE") return client.Delete(path, headers);
    if (method == "PATCH") return client.Patch(path, headers, body, type);
    return client.Post(path, headers, body, type);
  }

  static json Body(const httplib::Result& r) { return json::parse(r->body); }

  testing::ServiceWorld w_;
  TokenService tokens_;
  ApiKeyService keys_;
  MetricsRegistry metrics_;
  TokenRoutes token_routes_;
  ApiKeyRoutes apikey_routes_;
  SystemRoutes system_routes_;
  FaultyRoutes faulty_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::string admin_, deploy_, read_;
};

TEST_F(ApiServerTest, UnknownPathsAndMethodsAreProblems) {
  auto r = Call("GET", "/api/v1/nope", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(Body(r)["status"], 404);
  r = Call("PATCH", "/api/v1/tokens", admin_, "{}");
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST, GET");
}

TEST_F(ApiServerTest, MissingWrongAndRevokedKeysAre401AndScopesAre403) {
  auto r = Call("GET", "/api/v1/tokens", "");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"api\"");
  r = Call("GET", "/api/v1/tokens", "sck_" + std::string(43, 'A'));
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("invalid_token"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/tokens", read_)->status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/tokens", read_, R"({"location":"x"})")->status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/tokens", deploy_, R"({"location":"x"})")->status, 201);
  EXPECT_EQ(Call("GET", "/api/v1/apikeys", deploy_)->status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/apikeys", admin_)->status, 200);
  auto reader = keys_.Authenticate(read_);
  ASSERT_TRUE(keys_.Revoke(reader->id, {"test", ""}).ok());
  EXPECT_EQ(Call("GET", "/api/v1/tokens", read_)->status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/healthz", "")->status, 200);
}

TEST_F(ApiServerTest, BodyLimitsAndBadBodiesAreRefusedAndTheServerKeepsServing) {
  auto r = Call("POST", "/api/v1/tokens", deploy_, std::string(2000, ' '));
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  // A route may allow more than the default.
  std::string big = R"({"pad":")" + std::string(3000, 'x') + R"("})";
  EXPECT_EQ(Call("POST", "/api/v1/big", "", big)->status, 200);
  big = R"({"pad":")" + std::string(5000, 'x') + R"("})";
  EXPECT_EQ(Call("POST", "/api/v1/big", "", big)->status, 413);
  r = Call("POST", "/api/v1/tokens", deploy_, "{\"location\":");
  EXPECT_EQ(r->status, 400);
  r = Call("POST", "/api/v1/tokens", deploy_, R"({"location":"x","count":"3"})");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Body(r)["detail"].get<std::string>().rfind("count:", 0), 0u);
  r = Call("POST", "/api/v1/tokens", deploy_, R"({"location":"x","colour":"red"})");
  EXPECT_EQ(Body(r)["detail"], "body: unknown field 'colour'");
  EXPECT_EQ(
      Call("POST", "/api/v1/tokens", deploy_, "location=x", "application/x-www-form-urlencoded")
          ->status,
      415);
  EXPECT_EQ(Call("GET", "/api/v1/tokens?colour=red", read_)->status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/tokens?limit=0", read_)->status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/tokens?limit=5&limit=6", read_)->status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/boom", "")->status, 500);
  EXPECT_EQ(Call("GET", "/api/v1/healthz", "")->status, 200);
}

TEST_F(ApiServerTest, CreateShowListRoundTripNeverReturnsTheSecretAgain) {
  auto r = Call(
      "POST", "/api/v1/tokens", deploy_,
      R"({"location":"laptop-7:~/Downloads","owner":"m.garcia","format":"csv","tags":{"os":"mac"}})");
  ASSERT_EQ(r->status, 201) << r->body;
  json created = Body(r)["items"][0];
  const std::string secret = created["credentials"]["secret_access_key"];
  const std::string id = created["token"]["id"];
  EXPECT_EQ(created["credentials"]["endpoint_url"], "http://127.0.0.1:9");
  EXPECT_NE(created["credentials"]["formatted"].get<std::string>().find(
                "Access key ID,Secret access key"),
            std::string::npos);
  EXPECT_FALSE(created["token"].contains("sealed_secret"));
  r = Call("GET", "/api/v1/tokens/" + id, read_);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body.find(secret), std::string::npos);
  EXPECT_EQ(Body(r)["tags"]["os"], "mac");
  r = Call("GET", "/api/v1/tokens?owner=m.garcia", read_);
  EXPECT_EQ(Body(r)["items"].size(), 1u);
  EXPECT_EQ(r->body.find(secret), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/tokens/tok_nope", read_)->status, 404);
}

TEST_F(ApiServerTest, MetricsCountRequestsByRoutePatternAndNeedAKey) {
  Call("GET", "/api/v1/tokens/tok_01JZZZZZZZZZZZZZZZZZZZZZZZ", read_);
  Call("GET", "/api/v1/tokens", "");
  EXPECT_EQ(Call("GET", "/api/v1/metrics", "")->status, 401);
  auto r = Call("GET", "/api/v1/metrics", read_);
  ASSERT_EQ(r->status, 200);
  const std::string& text = r->body;
  EXPECT_NE(
      text.find(
          R"(spacecrab_http_requests_total{method="GET",route="/api/v1/tokens/{id}",status="404"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(spacecrab_http_auth_failures_total{reason="missing"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find("spacecrab_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(ApiServerTest, OpenApiListsEveryMountedRoute) {
  auto r = Call("GET", "/api/v1/openapi.json", "");
  ASSERT_EQ(r->status, 200);
  json doc = Body(r);
  size_t operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) operations += ops.size();
  EXPECT_EQ(operations, server_->routes().size());
  for (const Route& route : server_->routes()) {
    std::string method = route.method;
    for (char& c : method) c = char(std::tolower(c));
    EXPECT_TRUE(doc["paths"][route.pattern].contains(method))
        << route.method << " " << route.pattern;
  }
}

// A fleet connecting at once (9 a.m., or after a restart): every client is
// answered promptly. With cpp-httplib's own backlog of 5 the kernel dropped
// handshakes past it and those clients waited 1-7 s in SYN retries.
TEST_F(ApiServerTest, ABurstOfNewConnectionsIsAnsweredWithoutHandshakeRetries) {
  constexpr int kClients = 300;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto start = std::chrono::steady_clock::now();
  std::vector<pollfd> fds;
  for (int i = 0; i < kClients; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    fds.push_back({fd, POLLIN, 0});
  }
  const std::string request =
      "GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  for (const pollfd& p : fds) {
    ASSERT_EQ(::send(p.fd, request.data(), request.size(), 0), ssize_t(request.size()));
  }
  int answered = 0;
  std::vector<bool> done(fds.size(), false);
  while (answered < kClients &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    ASSERT_GE(::poll(fds.data(), fds.size(), 100), 0);
    for (size_t i = 0; i < fds.size(); ++i) {
      if (done[i] || !(fds[i].revents & POLLIN)) continue;
      char buf[512];
      const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
      EXPECT_GT(n, 0);
      if (n > 0) {
        EXPECT_EQ(std::string(buf, size_t(n)).rfind("HTTP/1.1 200", 0), 0u);
      }
      done[i] = true;
      fds[i].events = 0;
      ++answered;
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  for (const pollfd& p : fds) ::close(p.fd);
  EXPECT_EQ(answered, kClients);
  // A dropped handshake costs at least the 1 s SYN retransmission timeout.
  EXPECT_LT(elapsed, std::chrono::milliseconds(900));
}

TEST(ApiServerLifecycle, StopBeforeRunDoesNotHang) {
  testing::ServiceWorld w;
  ApiKeyService keys({w.store.get(), &w.clock, &w.random, std::chrono::minutes(1)});
  MetricsRegistry metrics;
  ApiServer server({"127.0.0.1", 0}, keys, metrics);
  ASSERT_TRUE(server.Bind().ok());
  server.Stop();
  EXPECT_TRUE(server.Run().ok());
}

}  // namespace
}  // namespace spacecrab
