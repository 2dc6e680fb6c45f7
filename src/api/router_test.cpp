#include "api/router.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

Route R(const std::string& method, const std::string& pattern) {
  return {method, pattern, std::nullopt, [](const ApiRequest&) { return ApiResponse{}; }, {}};
}

TEST(Router, CapturesParamsAndPrefersLiteralSegments) {
  Router router;
  ASSERT_TRUE(router.Add(R("GET", "/api/v1/tokens/{id}")).ok());
  ASSERT_TRUE(router.Add(R("GET", "/api/v1/tokens/export")).ok());
  ASSERT_TRUE(router.Add(R("POST", "/api/v1/tokens/{id}/rotate")).ok());
  auto m = router.Match("GET", "/api/v1/tokens/tok_123");
  ASSERT_EQ(m.kind, RouteMatch::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/tokens/{id}");
  EXPECT_EQ(m.params.at("id"), "tok_123");
  m = router.Match("GET", "/api/v1/tokens/export");
  ASSERT_EQ(m.kind, RouteMatch::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/tokens/export");
  m = router.Match("POST", "/api/v1/tokens/abc/rotate");
  ASSERT_EQ(m.kind, RouteMatch::kFound);
  EXPECT_EQ(m.params.at("id"), "abc");
}

TEST(Router, DistinguishesUnknownPathsFromWrongMethods) {
  Router router;
  ASSERT_TRUE(router.Add(R("GET", "/api/v1/tokens")).ok());
  ASSERT_TRUE(router.Add(R("POST", "/api/v1/tokens")).ok());
  auto m = router.Match("DELETE", "/api/v1/tokens");
  EXPECT_EQ(m.kind, RouteMatch::kMethodNotAllowed);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "POST"}));
  for (const char* path : {"/api/v1/token", "/api/v1/tokens/", "/api/v1//tokens", "/", "",
                           "/api/v1/tokens/x/y", "api/v1/tokens"})
    EXPECT_EQ(router.Match("GET", path).kind, RouteMatch::kNoSuchPath) << path;
}

TEST(Router, RefusesDuplicateAndMalformedRoutes) {
  Router router;
  EXPECT_TRUE(router.Add(R("GET", "/a/{id}")).ok());
  EXPECT_FALSE(router.Add(R("GET", "/a/{id}")).ok());
  EXPECT_FALSE(router.Add(R("GET", "a/b")).ok());
  EXPECT_FALSE(router.Add(R("GET", "/a/")).ok());
  Route no_handler = R("GET", "/b");
  no_handler.handler = nullptr;
  EXPECT_FALSE(router.Add(no_handler).ok());
}

}  // namespace
}  // namespace spacecrab
