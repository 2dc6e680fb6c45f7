#include "cli/token_output.h"

#include <gtest/gtest.h>

namespace spacecrab::cli {
namespace {

nlohmann::json Response(int n) {
  nlohmann::json items = nlohmann::json::array();
  for (int i = 1; i <= n; ++i) {
    items.push_back({{"token", {{"id", "tok_" + std::to_string(i)}}},
                     {"credentials",
                      {{"access_key_id", "AKIAAAAAAAAAAAAAAAA" + std::to_string(i)},
                       {"secret_access_key", "secret" + std::to_string(i)},
                       {"endpoint_url", "http://127.0.0.1:8081"}}}});
  }
  return {{"items", items}};
}

TEST(RenderIssued, OneCsvHeaderForSeveralTokens) {
  auto out = RenderIssued(IssuedItems(Response(2)), "csv", "default");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            "Access key ID,Secret access key\nAKIAAAAAAAAAAAAAAAA1,secret1\nAKIAAAAAAAAAAAAAAAA2,secret2\n");
}

TEST(RenderIssued, SeveralProfilesGetDistinctNames) {
  auto out = RenderIssued(IssuedItems(Response(2)), "aws-credentials", "ci");
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find("[ci]\n"), std::string::npos);
  EXPECT_NE(out->find("\n[ci-2]\n"), std::string::npos);
}

TEST(RenderIssued, SeveralJsonDocumentsBecomeOneArray) {
  auto out = RenderIssued(IssuedItems(Response(3)), "json", "default");
  ASSERT_TRUE(out.ok());
  auto doc = nlohmann::json::parse(*out);
  ASSERT_TRUE(doc.is_array());
  EXPECT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[2]["AccessKeyId"], "AKIAAAAAAAAAAAAAAAA3");
}

TEST(RenderIssued, SeveralSecretsAreSeparateYamlDocuments) {
  auto out = RenderIssued(IssuedItems(Response(2)), "k8s-secret", "default");
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find("---\napiVersion: v1"), std::string::npos);
  EXPECT_NE(out->find("name: aws-credentials-2"), std::string::npos);
}

TEST(RenderIssued, BareRotateAnswerCountsAsOneItem) {
  auto items = IssuedItems(Response(1)["items"][0]);
  auto out = RenderIssued(items, "env", "default");
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find("export AWS_ENDPOINT_URL=http://127.0.0.1:8081\n"), std::string::npos);
}

TEST(RenderIssued, NoCredentialsIsAnError) {
  EXPECT_FALSE(RenderIssued(IssuedItems(nlohmann::json::object()), "csv", "default").ok());
  EXPECT_FALSE(RenderIssued(IssuedItems(Response(1)), "yaml", "default").ok());
}

}  // namespace
}  // namespace spacecrab::cli
