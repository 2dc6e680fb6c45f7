// ApiClient against a real HTTP server on an ephemeral loopback port.
#include "cli/api_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

namespace spacecrab::cli {
namespace {

class FakeApi {
 public:
  FakeApi() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeApi() {
    server_.stop();
    thread_.join();
  }
  httplib::Server& server() { return server_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(ApiClient, SendsBearerKeyAndJsonBody) {
  FakeApi api;
  std::string auth, body, content_type;
  api.server().Post("/api/v1/tokens", [&](const httplib::Request& req, httplib::Response& res) {
    auth = req.get_header_value("Authorization");
    content_type = req.get_header_value("Content-Type");
    body = req.body;
    res.status = 201;
    res.set_content(R"({"items":[]})", "application/json");
  });
  ApiClient client({api.base(), "sck_secret"});
  auto r = client.Post("/tokens", {{"location", "x"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->http_status, 201);
  EXPECT_EQ(r->body, R"({"items":[]})");
  EXPECT_TRUE(r->json["items"].is_array());
  EXPECT_EQ(auth, "Bearer sck_secret");
  EXPECT_EQ(content_type, "application/json");
  EXPECT_EQ(body, R"({"location":"x"})");
}

TEST(ApiClient, ProblemDetailBecomesTheErrorMessage) {
  FakeApi api;
  api.server().Get("/api/v1/tokens/tok_nope", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"type":"about:blank","title":"Not Found","status":404,"detail":"token tok_nope does not exist"})",
                    "application/problem+json");
  });
  ApiClient client({api.base(), "k"});
  auto r = client.Get("/tokens/tok_nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "token tok_nope does not exist (HTTP 404)");
}

TEST(ApiClient, EmptyNoContentIsSuccessWithNullJson) {
  FakeApi api;
  api.server().Delete("/api/v1/apikeys/key_1", [](const httplib::Request&, httplib::Response& res) {
    res.status = 204;
  });
  ApiClient client({api.base(), "k"});
  auto r = client.Delete("/apikeys/key_1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->http_status, 204);
  EXPECT_TRUE(r->json.is_null());
}

TEST(ApiClient, NonJsonSuccessIsDataLoss) {
  FakeApi api;
  api.server().Get("/api/v1/tokens", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>proxy</html>", "text/html");
  });
  ApiClient client({api.base(), "k"});
  auto r = client.Get("/tokens");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

TEST(ApiClient, GetTextReturnsTextBodiesAndStillMapsProblems) {
  FakeApi api;
  std::string accept;
  api.server().Get("/api/v1/report", [&](const httplib::Request& req, httplib::Response& res) {
    accept = req.get_header_value("Accept");
    if (req.has_param("format")) {
      res.set_content("placement,planted\ngithub,10\n", "text/csv");
    } else {
      res.status = 400;
      res.set_content(R"({"title":"Bad Request","status":400,"detail":"from: expected a time"})",
                      "application/problem+json");
    }
  });
  ApiClient client({api.base(), "k"});
  auto r = client.GetText("/report?format=csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "placement,planted\ngithub,10\n");
  EXPECT_TRUE(r->json.is_null());
  EXPECT_NE(accept.find("text/csv"), std::string::npos) << accept;
  auto bad = client.GetText("/report");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "from: expected a time (HTTP 400)");
}

TEST(ApiClient, UnreachableServerIsUnavailableAndNamesAddress) {
  int port;
  {
    FakeApi api;  // take a port, then close it so nothing listens there
    port = std::stoi(api.base().substr(api.base().rfind(':') + 1));
  }
  ApiClient client({"http://127.0.0.1:" + std::to_string(port), "k"});
  auto r = client.Get("/tokens");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot reach http://127.0.0.1:"), std::string::npos);
}

TEST(StatusFromHttp, MapsCodesAndFallsBackToBody) {
  EXPECT_EQ(StatusFromHttp(401, R"({"title":"Unauthorized"})").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(StatusFromHttp(401, R"({"title":"Unauthorized"})").message(), "Unauthorized (HTTP 401)");
  EXPECT_EQ(StatusFromHttp(403, "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(StatusFromHttp(409, "{}").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromHttp(429, "").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(StatusFromHttp(502, "bad\ngateway").message(), "bad gateway (HTTP 502)");
  EXPECT_EQ(StatusFromHttp(502, "").code(), StatusCode::kUnavailable);
}

TEST(ApiClient, EscapeIsRfc3986) {
  EXPECT_EQ(ApiClient::Escape("laptop-01:~/Down loads&x=1"), "laptop-01%3A~%2FDown%20loads%26x%3D1");
}

}  // namespace
}  // namespace spacecrab::cli
