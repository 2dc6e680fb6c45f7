#include "aws/sigv4_parse.h"

#include <gtest/gtest.h>

namespace spacecrab::aws {
namespace {

constexpr char kBotocoreStyle[] =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240105/us-east-1/sts/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, "
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

TEST(SigV4Parse, AuthorizationHeaderYieldsKeyScopeHeadersAndSignature) {
  auto auth = ParseAuthorizationHeader(kBotocoreStyle);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(auth->scope.date, "20240105");
  EXPECT_EQ(auth->scope.region, "us-east-1");
  EXPECT_EQ(auth->scope.service, "sts");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
  EXPECT_EQ(auth->signature.size(), 64u);
}

TEST(SigV4Parse, AuthorizationHeaderToleratesSpacingVariants) {
  auto auth = ParseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=AKID/20240105/eu-west-1/s3/aws4_request,SignedHeaders=host,"
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->scope.region, "eu-west-1");
  EXPECT_EQ(auth->signed_headers.size(), 1u);
}

TEST(SigV4Parse, MalformedAuthorizationHeadersAreRejectedWithAReason) {
  const char* bad[] = {
      "",
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA256Credential=AKID/20240105/us-east-1/sts/aws4_request",
      "AWS4-HMAC-SHA256 Credential=AKID/20240105/us-east-1/sts/aws4_request, SignedHeaders=host",
      "AWS4-HMAC-SHA256 Credential=AKID/2024/us-east-1/sts/aws4_request, SignedHeaders=host, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      "AWS4-HMAC-SHA256 Credential=AKID/20240105/us-east-1/sts/aws5_request, SignedHeaders=host, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      "AWS4-HMAC-SHA256 Credential=AKID/20240105/us-east-1/sts/aws4_request, SignedHeaders=host, "
      "Signature=XYZ",
      "AWS4-HMAC-SHA256 Credential=akid/20240105/us-east-1/sts/aws4_request, SignedHeaders=host, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      "AWS4-HMAC-SHA256 Credential=AKID/20240105/us-east-1/sts/aws4_request, SignedHeaders=;;, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  };
  for (const char* value : bad) {
    auto auth = ParseAuthorizationHeader(value);
    EXPECT_FALSE(auth.ok()) << value;
    if (!auth.ok()) {
      EXPECT_FALSE(auth.status().message().empty());
    }
  }
}

TEST(SigV4Parse, KeyIdIsRecoveredEvenWhenTheRestIsGarbage) {
  const HeaderList headers = {
      {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/garbage"}};
  const RequestAuth auth = ParseRequestAuth(headers, {});
  EXPECT_EQ(auth.scheme, AuthScheme::kSigV4Header);
  EXPECT_EQ(auth.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_FALSE(auth.sigv4.has_value());
  EXPECT_FALSE(auth.error.empty());
}

TEST(SigV4Parse, HeaderSignatureTakesItsDateFromXAmzDate) {
  HeaderList headers = {{"Authorization", kBotocoreStyle}};
  EXPECT_FALSE(ParseRequestAuth(headers, {}).sigv4.has_value());
  headers.emplace_back("X-Amz-Date", "20240105T101112Z");
  const RequestAuth auth = ParseRequestAuth(headers, {});
  ASSERT_TRUE(auth.sigv4.has_value()) << auth.error;
  EXPECT_EQ(auth.sigv4->amz_date, "20240105T101112Z");
}

TEST(SigV4Parse, PresignedQueryIsParsed) {
  const auto params = ParseQueryString(
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-"
      "east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
      "SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  const RequestAuth auth = ParseRequestAuth({}, params);
  EXPECT_EQ(auth.scheme, AuthScheme::kSigV4Query);
  ASSERT_TRUE(auth.sigv4.has_value()) << auth.error;
  EXPECT_EQ(auth.sigv4->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(auth.sigv4->scope.service, "s3");
  EXPECT_EQ(auth.sigv4->expires_seconds.value_or(-1), 86400);
}

TEST(SigV4Parse, PresignedQueryWithBadExpiresIsRejectedButKeyIdKept) {
  const auto params = ParseQueryString(
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-"
      "east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=-5&X-Amz-"
      "SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  const RequestAuth auth = ParseRequestAuth({}, params);
  EXPECT_FALSE(auth.sigv4.has_value());
  EXPECT_EQ(auth.access_key_id, "AKIAIOSFODNN7EXAMPLE");
}

TEST(SigV4Parse, LegacySigV2FormsNameTheKey) {
  const RequestAuth header = ParseRequestAuth(
      {{"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg="}}, {});
  EXPECT_EQ(header.scheme, AuthScheme::kSigV2Header);
  EXPECT_EQ(header.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  const RequestAuth query = ParseRequestAuth(
      {}, ParseQueryString("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1&Signature=x"));
  EXPECT_EQ(query.scheme, AuthScheme::kSigV2Query);
  EXPECT_EQ(query.access_key_id, "AKIAIOSFODNN7EXAMPLE");
}

TEST(SigV4Parse, AnonymousRequestHasNoScheme) {
  const RequestAuth auth = ParseRequestAuth({{"Host", "x"}}, ParseQueryString("a=b"));
  EXPECT_EQ(auth.scheme, AuthScheme::kNone);
  EXPECT_TRUE(auth.access_key_id.empty());
}

TEST(SigV4Parse, OverlongKeyIdsAreNotKeyIds) {
  EXPECT_TRUE(LooksLikeKeyId("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(LooksLikeKeyId(std::string(129, 'A')));
  EXPECT_FALSE(LooksLikeKeyId("AKIA-BAD"));
  EXPECT_FALSE(LooksLikeKeyId(""));
}

}  // namespace
}  // namespace spacecrab::aws
