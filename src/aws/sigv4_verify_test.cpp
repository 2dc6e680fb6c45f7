#include "aws/sigv4_verify.h"

#include <gtest/gtest.h>

namespace spacecrab::aws {
namespace {

constexpr char kSuiteSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Splits "GET /path?query HTTP/1.1" + headers the way the decoy endpoint sees a request.
HttpRequestParts Parts(std::string method, std::string target, HeaderList headers) {
  HttpRequestParts r;
  r.method = std::move(method);
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.headers = std::move(headers);
  return r;
}

SigV4Auth MustParse(const HttpRequestParts& r) {
  const RequestAuth auth = ParseRequestAuth(r.headers, ParseQueryString(r.query));
  EXPECT_TRUE(auth.sigv4.has_value()) << auth.error;
  return auth.sigv4.value_or(SigV4Auth{});
}

TEST(SigV4Verify, PublishedHeaderVectorVerifies) {
  const auto r =
      Parts("GET", "/",
            {{"Host", "example.amazonaws.com"},
             {"X-Amz-Date", "20150830T123600Z"},
             {"Authorization",
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
              "SignedHeaders=host;x-amz-date, "
              "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}});
  const SigV4Verification v = VerifySigV4(r, "", MustParse(r), kSuiteSecret);
  EXPECT_TRUE(v.match);
  EXPECT_FALSE(VerifySigV4(r, "", MustParse(r), "wrong-secret").match);
}

TEST(SigV4Verify, PublishedPresignedVectorsVerify) {
  // get-vanilla-query-order-key-case, query-signed-request, without and with X-Amz-Expires.
  const auto without_expires = Parts(
      "GET",
      "/?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
      "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&"
      "X-Amz-SignedHeaders=host&X-Amz-Signature="
      "99fe619ddc7883a0738f7e90dc36a30badef2b551412ad283fd7338128bc73ac",
      {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}});
  EXPECT_TRUE(VerifySigV4(without_expires, "", MustParse(without_expires), kSuiteSecret).match);
  const auto with_expires = Parts(
      "GET",
      "/?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
      "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&"
      "X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature="
      "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5",
      {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}});
  EXPECT_TRUE(VerifySigV4(with_expires, "", MustParse(with_expires), kSuiteSecret).match);
}

TEST(SigV4Verify, S3PresignedDocumentationExampleVerifies) {
  const auto r = Parts(
      "GET",
      "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524"
      "%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
      "SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
      {{"Host", "examplebucket.s3.amazonaws.com"}});
  EXPECT_TRUE(VerifySigV4(r, "", MustParse(r), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").match);
}

HttpRequestParts SignedS3Put(std::string_view body, std::string payload_hash) {
  HttpRequestParts r = Parts("PUT", "/my-bucket/dir/a%20file%2Bplus.txt",
                             {{"Host", "127.0.0.1:8081"}, {"Content-Type", "text/plain"}});
  SignOptions options;
  options.service = "s3";
  options.time = *ParseAmzDate("20240105T101112Z");
  options.add_content_sha256_header = true;
  options.payload_hash = std::move(payload_hash);
  EXPECT_TRUE(SignRequest(r, body, {"AKIAIOSFODNN7EXAMPLE", "s3cr3t", ""}, options).ok());
  return r;
}

TEST(SigV4Verify, S3UnsignedPayloadVerifiesWithoutTheBody) {
  const auto r = SignedS3Put("hello", std::string(kUnsignedPayload));
  EXPECT_TRUE(VerifySigV4(r, std::nullopt, MustParse(r), "s3cr3t").match);
  EXPECT_TRUE(VerifySigV4(r, "something else", MustParse(r), "s3cr3t").match);
}

TEST(SigV4Verify, S3DeclaredPayloadHashVerifiesEvenWhenBodyWasNotRead) {
  const auto r = SignedS3Put("hello", "");
  EXPECT_TRUE(VerifySigV4(r, std::nullopt, MustParse(r), "s3cr3t").match);
  EXPECT_FALSE(VerifySigV4(r, std::nullopt, MustParse(r), "other").match);
}

TEST(SigV4Verify, StreamingPayloadMarkerIsUsedAsTheSignedHash) {
  const auto r = SignedS3Put("", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  EXPECT_TRUE(VerifySigV4(r, "1e\r\nchunk...", MustParse(r), "s3cr3t").match);
}

TEST(SigV4Verify, QueryProtocolBodyIsPartOfTheSignature) {
  HttpRequestParts r =
      Parts("POST", "/",
            {{"Host", "127.0.0.1:8081"},
             {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
  const std::string body = "Action=GetCallerIdentity&Version=2011-06-15";
  SignOptions options;
  options.service = "sts";
  options.time = *ParseAmzDate("20240105T101112Z");
  ASSERT_TRUE(SignRequest(r, body, {"AKIAIOSFODNN7EXAMPLE", "s3cr3t", ""}, options).ok());
  EXPECT_TRUE(VerifySigV4(r, body, MustParse(r), "s3cr3t").match);
  EXPECT_FALSE(VerifySigV4(r, "Action=ListUsers&Version=2010-05-08", MustParse(r), "s3cr3t").match);
}

TEST(SigV4Verify, MismatchReportsTheCanonicalRequestUnderServiceRules) {
  const auto r = SignedS3Put("hello", "");
  const SigV4Verification v = VerifySigV4(r, "hello", MustParse(r), "wrong");
  EXPECT_FALSE(v.match);
  EXPECT_TRUE(v.canonical_request.starts_with("PUT\n/my-bucket/dir/a%20file%2Bplus.txt\n\n"))
      << v.canonical_request;
  EXPECT_TRUE(v.string_to_sign.starts_with("AWS4-HMAC-SHA256\n20240105T101112Z\n"));
}

TEST(SigV4Verify, SignedHeaderThatNeverArrivedFails) {
  auto r = SignedS3Put("hello", "");
  std::erase_if(r.headers, [](const auto& h) { return h.first == "Content-Type"; });
  EXPECT_FALSE(VerifySigV4(r, "hello", MustParse(r), "s3cr3t").match);
}

TEST(SigV4Verify, ChangedQueryFails) {
  HttpRequestParts r =
      Parts("GET", "/?Action=ListUsers&Version=2010-05-08", {{"Host", "127.0.0.1:8081"}});
  SignOptions options;
  options.service = "iam";
  options.time = *ParseAmzDate("20240105T101112Z");
  ASSERT_TRUE(SignRequest(r, "", {"AKIAIOSFODNN7EXAMPLE", "s3cr3t", ""}, options).ok());
  EXPECT_TRUE(VerifySigV4(r, "", MustParse(r), "s3cr3t").match);
  r.query = "Action=ListRoles&Version=2010-05-08";
  EXPECT_FALSE(VerifySigV4(r, "", MustParse(r), "s3cr3t").match);
}

}  // namespace
}  // namespace spacecrab::aws
