// The signer against AWS's published Signature Version 4 test suite
// ("aws-sig-v4-test-suite": credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z,
// us-east-1, service "service") and the S3 documentation's worked examples.
#include "aws/sigv4.h"

#include <gtest/gtest.h>

namespace spacecrab::aws {
namespace {

constexpr char kSuiteKeyId[] = "AKIDEXAMPLE";
constexpr char kSuiteSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

Timestamp SuiteTime() { return *ParseAmzDate("20150830T123600Z"); }

struct SuiteCase {
  const char* name;
  const char* method;
  const char* path;   // as on the wire in the suite's .req file
  const char* query;  // as on the wire
  HeaderList extra_headers;
  const char* body;
  UriRule rule;
  const char* signed_headers;
  const char* signature;
};

std::string SuiteAuthorization(const SuiteCase& c) {
  return std::string(
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
             "aws4_request, SignedHeaders=") +
         c.signed_headers + ", Signature=" + c.signature;
}

class SigV4Suite : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4Suite, SignerProducesThePublishedAuthorizationHeader) {
  const SuiteCase& c = GetParam();
  HttpRequestParts request;
  request.method = c.method;
  request.path = c.path;
  request.query = c.query;
  request.headers = c.extra_headers;
  request.headers.emplace_back("Host", "example.amazonaws.com");
  SignOptions options;
  options.region = "us-east-1";
  options.service = "service";
  options.time = SuiteTime();
  options.uri_rule = c.rule;
  ASSERT_TRUE(SignRequest(request, c.body, {kSuiteKeyId, kSuiteSecret, ""}, options).ok());
  EXPECT_EQ(HeaderValue(request.headers, "authorization").value_or(""), SuiteAuthorization(c))
      << c.name;
  EXPECT_EQ(HeaderValue(request.headers, "x-amz-date").value_or(""), "20150830T123600Z");
}

const auto kN = UriRule::kNormalizeAndEncode;
const auto kS = UriRule::kS3;

INSTANTIATE_TEST_SUITE_P(
    AwsPublishedVectors, SigV4Suite,
    ::testing::Values(
        SuiteCase{"get-vanilla",
                  "GET",
                  "/",
                  "",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
        SuiteCase{"get-vanilla-query-order-key-case",
                  "GET",
                  "/",
                  "Param2=value2&Param1=value1",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
        SuiteCase{"get-vanilla-empty-query-key",
                  "GET",
                  "/",
                  "Param1=value1",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
        SuiteCase{"get-vanilla-query-unreserved",
                  "GET",
                  "/",
                  "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~"
                  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
        SuiteCase{"get-vanilla-utf8-query",
                  "GET",
                  "/",
                  "%E1%88%B4=bar",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
        SuiteCase{"get-unreserved",
                  "GET",
                  "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                  "",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
        SuiteCase{"get-utf8",
                  "GET",
                  "/\xE1\x88\xB4",
                  "",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
        SuiteCase{"get-space-normalized",
                  "GET",
                  "/example space/",
                  "",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
        SuiteCase{"get-slashes-normalized",
                  "GET",
                  "//example//",
                  "",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
        SuiteCase{"get-slashes-unnormalized",
                  "GET",
                  "//example//",
                  "",
                  {},
                  "",
                  kS,
                  "host;x-amz-date",
                  "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"},
        SuiteCase{"get-relative-relative-unnormalized",
                  "GET",
                  "/example1/example2/../..",
                  "",
                  {},
                  "",
                  kS,
                  "host;x-amz-date",
                  "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b"},
        SuiteCase{"get-header-value-trim",
                  "GET",
                  "/",
                  "",
                  {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
                  "",
                  kN,
                  "host;my-header1;my-header2;x-amz-date",
                  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
        SuiteCase{"get-header-key-duplicate",
                  "GET",
                  "/",
                  "",
                  {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
                  "",
                  kN,
                  "host;my-header1;x-amz-date",
                  "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
        SuiteCase{"post-vanilla",
                  "POST",
                  "/",
                  "",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
        SuiteCase{"post-vanilla-query",
                  "POST",
                  "/",
                  "Param1=value1",
                  {},
                  "",
                  kN,
                  "host;x-amz-date",
                  "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
        SuiteCase{"post-header-key-sort",
                  "POST",
                  "/",
                  "",
                  {{"My-Header1", "value1"}},
                  "",
                  kN,
                  "host;my-header1;x-amz-date",
                  "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
        SuiteCase{"post-header-value-case",
                  "POST",
                  "/",
                  "",
                  {{"My-Header1", "VALUE1"}},
                  "",
                  kN,
                  "host;my-header1;x-amz-date",
                  "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
        SuiteCase{"post-x-www-form-urlencoded",
                  "POST",
                  "/",
                  "",
                  {{"Content-Type", "application/x-www-form-urlencoded"}},
                  "Param1=value1",
                  kN,
                  "content-type;host;x-amz-date",
                  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
        SuiteCase{"post-x-www-form-urlencoded-parameters",
                  "POST",
                  "/",
                  "",
                  {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
                  "Param1=value1",
                  kN,
                  "content-type;host;x-amz-date",
                  "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"}),
    [](const ::testing::TestParamInfo<SuiteCase>& param_info) {
      std::string name = param_info.param.name;
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

TEST(SigV4, GetVanillaIntermediateStepsMatchTheSuite) {
  HeaderList headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  const auto canonical_headers = CanonicalHeaders(headers, {"host", "x-amz-date"});
  ASSERT_TRUE(canonical_headers.has_value());
  const std::string creq =
      CanonicalRequest("GET", CanonicalUri("/", UriRule::kNormalizeAndEncode), "",
                       *canonical_headers, "host;x-amz-date", kEmptyPayloadSha256);
  EXPECT_EQ(creq,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const CredentialScope scope{"20150830", "us-east-1", "service"};
  EXPECT_EQ(StringToSign("20150830T123600Z", scope, creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST(SigV4, PresignMatchesThePublishedQueryVector) {
  // get-vanilla-query-order-key-case, query signing with X-Amz-Expires=3600.
  HttpRequestParts request;
  request.path = "/";
  request.query = "Param2=value2&Param1=value1";
  request.headers = {{"Host", "example.amazonaws.com"}};
  SignOptions options;
  options.service = "service";
  options.time = SuiteTime();
  auto query =
      PresignQuery(request, {kSuiteKeyId, kSuiteSecret, ""}, options, std::chrono::seconds(3600));
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_TRUE(query->ends_with(
      "&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5"))
      << *query;
  EXPECT_TRUE(query->starts_with("Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256"));
}

TEST(SigV4, S3DocumentationGetObjectExample) {
  // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Object".
  HttpRequestParts request;
  request.path = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  SignOptions options;
  options.service = "s3";
  options.time = *ParseAmzDate("20130524T000000Z");
  options.add_content_sha256_header = true;
  ASSERT_TRUE(SignRequest(request, "",
                          {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
                          options)
                  .ok());
  EXPECT_EQ(HeaderValue(request.headers, "authorization").value_or(""),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3DocumentationPresignedUrlExample) {
  HttpRequestParts request;
  request.path = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  SignOptions options;
  options.service = "s3";
  options.time = *ParseAmzDate("20130524T000000Z");
  auto query = PresignQuery(
      request, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, options,
      std::chrono::seconds(86400));
  ASSERT_TRUE(query.ok());
  EXPECT_TRUE(query->ends_with(
      "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))
      << *query;
}

TEST(SigV4, SignerRejectsRequestsWithoutHost) {
  HttpRequestParts request;
  SignOptions options;
  options.service = "sts";
  const Status s = SignRequest(request, "", {"AKID", "secret", ""}, options);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(SigV4, SessionTokenIsSignedAsAHeader) {
  HttpRequestParts request;
  request.headers = {{"Host", "sts.amazonaws.com"}};
  SignOptions options;
  options.service = "sts";
  options.time = SuiteTime();
  ASSERT_TRUE(SignRequest(request, "", {"ASIAEXAMPLE", "secret", "tok"}, options).ok());
  EXPECT_EQ(HeaderValue(request.headers, "x-amz-security-token").value_or(""), "tok");
  EXPECT_NE(HeaderValue(request.headers, "authorization")
                .value_or("")
                .find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

TEST(SigV4, AmzDateRoundTripsAndRejectsGarbage) {
  const auto t = ParseAmzDate("20240229T235959Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatAmzDate(*t), "20240229T235959Z");
  EXPECT_FALSE(ParseAmzDate("20230229T000000Z").has_value());  // not a leap year
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36:00Z").has_value());
  EXPECT_FALSE(ParseAmzDate("20150830T123600").has_value());
  EXPECT_FALSE(ParseAmzDate("").has_value());
}

TEST(SigV4, S3RulesDoNotDoubleEncodeButOtherServicesDo) {
  EXPECT_EQ(CanonicalUri("/my%20bucket/a%2Bb", UriRule::kS3), "/my%20bucket/a%2Bb");
  EXPECT_EQ(CanonicalUri("/my%20bucket/a%2Bb", UriRule::kNormalizeAndEncode),
            "/my%2520bucket/a%252Bb");
  EXPECT_EQ(CanonicalUri("/a/./b/../c//d", UriRule::kNormalizeAndEncode), "/a/c/d");
  EXPECT_EQ(CanonicalUri("/a/./b/../c//d", UriRule::kS3), "/a/./b/../c//d");
}

}  // namespace
}  // namespace spacecrab::aws
