#include "decoy/aws_responses.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "decoy/test_requests.h"

namespace spacecrab::decoy {
namespace {

using testing::MentionsProduct;

Caller TestCaller() {
  return {"123456789012", "svc-backup-prod", "arn:aws:iam::123456789012:user/svc-backup-prod",
          IamUserId("123456789012", "svc-backup-prod")};
}

AwsOperation Op(ApiProtocol protocol, std::string service, std::string name) {
  AwsOperation op;
  op.protocol = protocol;
  op.service = std::move(service);
  op.event_name = std::move(name);
  op.event_source = op.service + ".amazonaws.com";
  if (protocol == ApiProtocol::kJson) op.json_content_type = "application/x-amz-json-1.1";
  return op;
}

// True if `text` is `size` characters, each in `alphabet` ("X-Y" means a range).
bool AllOf(std::string_view text, size_t size, std::string_view alphabet) {
  if (text.size() != size) return false;
  for (char c : text) {
    bool ok = false;
    for (size_t i = 0; i < alphabet.size(); ++i) {
      if (i + 2 < alphabet.size() && alphabet[i + 1] == '-') {
        ok |= c >= alphabet[i] && c <= alphabet[i + 2];
        i += 2;
      } else {
        ok |= c == alphabet[i];
      }
    }
    if (!ok) return false;
  }
  return true;
}

bool IsIamUserId(std::string_view id) {
  return id.starts_with("AIDA") && AllOf(id.substr(4), 17, "A-Z2-7");
}

bool IsUuid4(std::string_view id) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-')
    return false;
  if (id[14] != '4' || std::string_view("89ab").find(id[19]) == std::string_view::npos)
    return false;
  std::string hex(id);
  std::erase(hex, '-');
  return AllOf(hex, 32, "0-9a-f");
}

std::string Header(const DecoyResponse& r, std::string_view name) {
  return aws::HeaderValue(r.headers, name).value_or("");
}

class ResponsesTest : public ::testing::Test {
 protected:
  SeededRandom random_{42};
  AwsIdGenerator ids_{random_};
  Timestamp now_ = testing::TestTime();
};

TEST_F(ResponsesTest, CallerIdentityNamesAccountArnAndUserId) {
  const DecoyResponse r = CallerIdentityResponse(
      Op(ApiProtocol::kQuery, "sts", "GetCallerIdentity"), TestCaller(), ids_, now_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_NE(r.body.find("<Arn>arn:aws:iam::123456789012:user/svc-backup-prod</Arn>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<Account>123456789012</Account>"), std::string::npos);
  const size_t at = r.body.find("<UserId>");
  ASSERT_NE(at, std::string::npos);
  EXPECT_TRUE(IsIamUserId(std::string_view(r.body).substr(at + 8, 21))) << r.body;
  EXPECT_EQ(r.body.substr(at + 29, 9), "</UserId>");
  EXPECT_NE(r.body.find("<RequestId>" + r.request_id + "</RequestId>"), std::string::npos);
  EXPECT_EQ(Header(r, "x-amzn-RequestId"), r.request_id);
  EXPECT_TRUE(IsUuid4(r.request_id)) << r.request_id;
  EXPECT_TRUE(r.error_code.empty());
}

TEST_F(ResponsesTest, IamAccessDeniedReadsLikeAws) {
  const DecoyResponse r =
      AccessDeniedResponse(Op(ApiProtocol::kQuery, "iam", "ListUsers"), TestCaller(), ids_, now_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error_code, "AccessDenied");
  EXPECT_EQ(r.error_message,
            "User: arn:aws:iam::123456789012:user/svc-backup-prod is not authorized to perform: "
            "iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no "
            "identity-based policy allows the iam:ListUsers action");
  EXPECT_NE(r.body.find("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"),
            std::string::npos);
  EXPECT_NE(r.body.find("<Type>Sender</Type>"), std::string::npos);
  EXPECT_NE(r.body.find("<Code>AccessDenied</Code>"), std::string::npos);
}

TEST_F(ResponsesTest, Ec2DeniesWithUnauthorizedOperationInItsOwnDocument) {
  const DecoyResponse r = AccessDeniedResponse(Op(ApiProtocol::kEc2, "ec2", "DescribeRegions"),
                                               TestCaller(), ids_, now_);
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(
      r.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
                         "<Code>UnauthorizedOperation</Code><Message>You are not authorized "
                         "to perform this operation. User: arn:aws:iam::123456789012:user/"))
      << r.body;
  EXPECT_NE(r.body.find("<RequestID>" + r.request_id + "</RequestID></Response>"),
            std::string::npos);
  EXPECT_EQ(Header(r, "Server"), "AmazonEC2");
}

TEST_F(ResponsesTest, S3DeniesWithItsErrorDocumentAndIds) {
  const DecoyResponse r =
      AccessDeniedResponse(Op(ApiProtocol::kS3, "s3", "ListBuckets"), TestCaller(), ids_, now_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_TRUE(AllOf(Header(r, "x-amz-request-id"), 16, "0-9A-F"));
  EXPECT_TRUE(AllOf(Header(r, "x-amz-id-2"), 76, "A-Za-z0-9+/"));
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
            "<Message>Access Denied</Message><RequestId>" +
                r.request_id + "</RequestId><HostId>" + Header(r, "x-amz-id-2") +
                "</HostId></Error>");
  EXPECT_EQ(Header(r, "Server"), "AmazonS3");
}

TEST_F(ResponsesTest, JsonProtocolsDenyWithTypedJson) {
  const DecoyResponse r = AccessDeniedResponse(
      Op(ApiProtocol::kJson, "secretsmanager", "ListSecrets"), TestCaller(), ids_, now_);
  EXPECT_EQ(r.status, 400);
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["__type"], "AccessDeniedException");
  EXPECT_NE(body["Message"].get<std::string>().find("secretsmanager:ListSecrets"),
            std::string::npos);
  EXPECT_EQ(Header(r, "x-amzn-RequestId"), r.request_id);
  const DecoyResponse d = AccessDeniedResponse(Op(ApiProtocol::kJson, "dynamodb", "ListTables"),
                                               TestCaller(), ids_, now_);
  EXPECT_EQ(nlohmann::json::parse(d.body)["__type"],
            "com.amazon.coral.service#AccessDeniedException");
  EXPECT_TRUE(AllOf(d.request_id, 52, "A-Z0-9"));
}

TEST_F(ResponsesTest, UnknownKeysGetTheServicesInvalidKeyError) {
  AuthFailureDetails d;
  d.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  const DecoyResponse sts = AuthFailureResponse(Op(ApiProtocol::kQuery, "sts", "GetCallerIdentity"),
                                                AuthFailure::kUnknownKey, d, ids_, now_);
  EXPECT_EQ(sts.status, 403);
  EXPECT_EQ(sts.error_code, "InvalidClientTokenId");
  EXPECT_EQ(sts.error_message, "The security token included in the request is invalid.");
  const DecoyResponse s3 = AuthFailureResponse(Op(ApiProtocol::kS3, "s3", "ListBuckets"),
                                               AuthFailure::kUnknownKey, d, ids_, now_);
  EXPECT_EQ(s3.error_code, "InvalidAccessKeyId");
  EXPECT_NE(s3.body.find("<AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>"),
            std::string::npos);
  const DecoyResponse ec2 = AuthFailureResponse(Op(ApiProtocol::kEc2, "ec2", "DescribeRegions"),
                                                AuthFailure::kUnknownKey, d, ids_, now_);
  EXPECT_EQ(ec2.status, 401);
  EXPECT_EQ(ec2.error_code, "AuthFailure");
  const DecoyResponse json = AuthFailureResponse(Op(ApiProtocol::kJson, "kms", "ListKeys"),
                                                 AuthFailure::kUnknownKey, d, ids_, now_);
  EXPECT_EQ(nlohmann::json::parse(json.body)["__type"], "UnrecognizedClientException");
}

TEST_F(ResponsesTest, S3SignatureMismatchEchoesWhatWasComputed) {
  AuthFailureDetails d;
  d.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  d.canonical_request = "GET\n/\n\nhost:x\n\nhost\nUNSIGNED-PAYLOAD";
  d.string_to_sign = "AWS4-HMAC-SHA256\n20240105T101112Z\n20240105/us-east-1/s3/aws4_request\nab";
  d.signature_provided = std::string(64, 'a');
  const DecoyResponse r = AuthFailureResponse(Op(ApiProtocol::kS3, "s3", "ListBuckets"),
                                              AuthFailure::kSignatureMismatch, d, ids_, now_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error_code, "SignatureDoesNotMatch");
  EXPECT_NE(r.body.find(
                "<CanonicalRequest>GET\n/\n\nhost:x\n\nhost\nUNSIGNED-PAYLOAD</CanonicalRequest>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<StringToSignBytes>41 57 53 34"), std::string::npos);
}

TEST_F(ResponsesTest, NoResponseNamesTheProduct) {
  const std::vector<AwsOperation> ops = {Op(ApiProtocol::kQuery, "sts", "GetCallerIdentity"),
                                         Op(ApiProtocol::kQuery, "iam", "ListUsers"),
                                         Op(ApiProtocol::kEc2, "ec2", "DescribeRegions"),
                                         Op(ApiProtocol::kJson, "dynamodb", "ListTables"),
                                         Op(ApiProtocol::kRestJson, "lambda", "GET /"),
                                         Op(ApiProtocol::kS3, "s3", "GetObject")};
  AuthFailureDetails d;
  d.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  d.canonical_request = "GET\n/\n";
  for (const auto& op : ops) {
    std::vector<DecoyResponse> all = {AccessDeniedResponse(op, TestCaller(), ids_, now_),
                                      CallerIdentityResponse(op, TestCaller(), ids_, now_)};
    for (auto f : {AuthFailure::kUnknownKey, AuthFailure::kSignatureMismatch,
                   AuthFailure::kMissingAuth, AuthFailure::kMalformedAuth, AuthFailure::kExpired})
      all.push_back(AuthFailureResponse(op, f, d, ids_, now_));
    for (const auto& r : all) {
      EXPECT_FALSE(MentionsProduct(r.body)) << r.body;
      for (const auto& [name, value] : r.headers) {
        EXPECT_FALSE(MentionsProduct(name + ": " + value)) << name << ": " << value;
      }
    }
  }
}

TEST(AwsIds, IamUserIdIsStableAndShapedLikeIams) {
  const std::string a = IamUserId("123456789012", "m.garcia");
  EXPECT_EQ(a, IamUserId("123456789012", "m.garcia"));
  EXPECT_NE(a, IamUserId("123456789012", "j.doe"));
  EXPECT_TRUE(IsIamUserId(a)) << a;
}

TEST(AwsResponses, XmlEscapeAndHttpDate) {
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  EXPECT_EQ(XmlEscape(std::string("a\x01z")), "a&#xFFFD;z");
  EXPECT_EQ(HttpDate(testing::TestTime()), "Fri, 05 Jan 2024 10:11:12 GMT");
}

}  // namespace
}  // namespace spacecrab::decoy
