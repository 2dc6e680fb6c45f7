#include "decoy/decoy_responder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/sigv2.h"
#include "decoy/test_requests.h"

namespace spacecrab::decoy {
namespace {

using nlohmann::json;
using testing::CapturingSink;
using testing::MakeKey;
using testing::TestTime;

class FailingLookup final : public DecoyKeyLookup {
 public:
  Expected<DecoyKey> Find(std::string_view) override { return Unavailable("database is locked"); }
};

class ResponderTest : public ::testing::Test {
 protected:
  ResponderTest() {
    keys_.Add(key_);
    keys_.Add(revoked_);
  }
  DecoyResponder Make(DecoyKeyLookup* keys = nullptr, bool record_unknown = false) {
    DecoyResponderOptions o;
    o.keys = keys != nullptr ? keys : &keys_;
    o.records = &sink_;
    o.clock = &clock_;
    o.random = &random_;
    o.record_unknown_keys = record_unknown;
    return DecoyResponder(o);
  }
  json OnlyRecord() {
    auto records = sink_.records();
    EXPECT_EQ(records.size(), 1u);
    if (records.empty()) return json();
    return json::parse(records.back().json);
  }

  DecoyKey key_ = MakeKey(1);
  DecoyKey revoked_ = MakeKey(2, TokenStatus::kRevoked);
  InMemoryKeyLookup keys_;
  CapturingSink sink_;
  ManualClock clock_{TestTime() + std::chrono::seconds(3)};
  SeededRandom random_{7};
};

TEST_F(ResponderTest, VerifiedGetCallerIdentitySucceedsAndIsRecordedAsVerified) {
  DecoyResponder responder = Make();
  const DecoyResponse r = responder.Handle(testing::SignedQuery(
      key_, testing::kSecret, "sts", "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(key_.arn), std::string::npos);
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["eventSource"], "sts.amazonaws.com");
  EXPECT_EQ(rec["eventName"], "GetCallerIdentity");
  EXPECT_EQ(rec["userIdentity"]["type"], "IAMUser");
  EXPECT_EQ(rec["userIdentity"]["accessKeyId"], key_.access_key_id);
  EXPECT_EQ(rec["userIdentity"]["arn"], key_.arn);
  EXPECT_EQ(rec["userIdentity"]["userName"], key_.user_name);
  EXPECT_EQ(rec["recipientAccountId"], testing::kAccount);
  EXPECT_EQ(rec["sourceIPAddress"], "203.0.113.7");
  EXPECT_EQ(rec["requestID"], r.request_id);
  EXPECT_EQ(rec["eventType"], "AwsApiCall");
  EXPECT_EQ(rec["readOnly"], true);
  EXPECT_EQ(rec["signature_verified"], true);
  EXPECT_EQ(rec["key_check"], "verified");
  EXPECT_FALSE(rec.contains("errorCode"));
  EXPECT_FALSE(rec.contains("tlsDetails"));
  const DecoyRecord record = sink_.records().back();
  EXPECT_EQ(record.token_id, key_.token_id);
  EXPECT_EQ(record.event.origin, "decoy");
  EXPECT_EQ(record.event.id, rec["eventID"]);
  EXPECT_EQ(record.event.event_name, "GetCallerIdentity");
  EXPECT_EQ(json::parse(record.event.enrichment_json)["signature_verified"], true);
  EXPECT_EQ(responder.stats().verified, 1u);
}

TEST_F(ResponderTest, RightKeyWrongSecretIsKeyIdOnlyAndSignatureDoesNotMatch) {
  DecoyResponder responder = Make();
  const DecoyResponse r = responder.Handle(testing::SignedQuery(
      key_, "not-the-secret", "sts", "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error_code, "SignatureDoesNotMatch");
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["signature_verified"], false);
  EXPECT_EQ(rec["key_check"], "key_id_only");
  EXPECT_EQ(rec["errorCode"], "SignatureDoesNotMatch");
  EXPECT_EQ(rec["userIdentity"]["userName"], key_.user_name);
}

TEST_F(ResponderTest, VerifiedCallsOtherThanCallerIdentityAreDeniedInTheirFormat) {
  DecoyResponder responder = Make();
  const DecoyResponse iam = responder.Handle(
      testing::SignedQuery(key_, testing::kSecret, "iam", "Action=ListUsers&Version=2010-05-08"));
  EXPECT_EQ(iam.error_code, "AccessDenied");
  EXPECT_NE(iam.error_message.find("iam:ListUsers on resource: arn:aws:iam::123456789012:user/"),
            std::string::npos);
  const DecoyResponse ec2 = responder.Handle(testing::SignedQuery(
      key_, testing::kSecret, "ec2", "Action=DescribeRegions&Version=2016-11-15", "eu-west-1"));
  EXPECT_EQ(ec2.error_code, "UnauthorizedOperation");
  const DecoyResponse s3 = responder.Handle(testing::SignedS3(key_, testing::kSecret, "GET", "/"));
  EXPECT_EQ(s3.error_code, "AccessDenied");
  EXPECT_EQ(s3.content_type, "application/xml");
  const DecoyResponse ddb = responder.Handle(testing::SignedJson(
      key_, testing::kSecret, "dynamodb", "DynamoDB_20120810.ListTables", "{}"));
  EXPECT_EQ(ddb.error_code, "AccessDeniedException");
  for (const auto& rec : sink_.records()) EXPECT_EQ(json::parse(rec.json)["key_check"], "verified");
  EXPECT_EQ(json::parse(sink_.records()[1].json)["awsRegion"], "eu-west-1");
  EXPECT_EQ(json::parse(sink_.records()[2].json)["eventName"], "ListBuckets");
}

TEST_F(ResponderTest, StsCallsOtherThanCallerIdentityAreDenied) {
  DecoyResponder responder = Make();
  const DecoyResponse r = responder.Handle(testing::SignedQuery(
      key_, testing::kSecret, "sts",
      "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin&"
      "RoleSessionName=x&Version=2011-06-15"));
  EXPECT_EQ(r.error_code, "AccessDenied");
  EXPECT_NE(r.error_message.find("on resource: arn:aws:iam::123456789012:role/admin"),
            std::string::npos);
  EXPECT_EQ(OnlyRecord()["readOnly"], false);
}

TEST_F(ResponderTest, UnknownKeyGetsInvalidClientTokenIdAndIsNotRecordedByDefault) {
  DecoyResponder responder = Make();
  const DecoyKey stranger = MakeKey(99);
  const DecoyResponse r = responder.Handle(testing::SignedQuery(
      stranger, testing::kSecret, "sts", "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.error_code, "InvalidClientTokenId");
  EXPECT_TRUE(sink_.records().empty());
  EXPECT_EQ(responder.stats().unknown_key, 1u);
}

TEST_F(ResponderTest, UnknownKeyIsRecordedWhenAsked) {
  DecoyResponder responder = Make(nullptr, /*record_unknown=*/true);
  const DecoyKey stranger = MakeKey(99);
  const DecoyResponse r =
      responder.Handle(testing::SignedS3(stranger, testing::kSecret, "GET", "/"));
  EXPECT_EQ(r.error_code, "InvalidAccessKeyId");
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["key_check"], "unknown_key");
  EXPECT_EQ(rec["userIdentity"]["accountId"], testing::kAccount) << "decoded from the key id";
  EXPECT_TRUE(sink_.records().back().token_id.empty());
}

TEST_F(ResponderTest, RetiredKeyLooksUnknownButIsRecordedWithItsToken) {
  DecoyResponder responder = Make();
  const DecoyResponse r = responder.Handle(testing::SignedQuery(
      revoked_, testing::kSecret, "iam", "Action=ListUsers&Version=2010-05-08"));
  EXPECT_EQ(r.error_code, "InvalidClientTokenId");
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["key_check"], "verified");
  EXPECT_EQ(sink_.records().back().token_status, TokenStatus::kRevoked);
}

TEST_F(ResponderTest, LookupFailureIsRecordedAsUnverifiable) {
  FailingLookup failing;
  DecoyResponder responder = Make(&failing);
  const DecoyResponse r = responder.Handle(testing::SignedQuery(
      key_, testing::kSecret, "sts", "Action=GetCallerIdentity&Version=2011-06-15"));
  EXPECT_EQ(r.error_code, "InvalidClientTokenId");
  EXPECT_EQ(OnlyRecord()["key_check"], "unverifiable");
}

TEST_F(ResponderTest, PresignedUrlVerifiesAndExpires) {
  DecoyResponder responder = Make();
  const DecoyResponse fresh = responder.Handle(testing::PresignedS3(
      key_, testing::kSecret, "/backups/db.sql.gz", std::chrono::seconds(3600), TestTime()));
  EXPECT_EQ(fresh.error_code, "AccessDenied");
  EXPECT_EQ(fresh.error_message, "Access Denied");
  clock_.Advance(std::chrono::hours(2));
  const DecoyResponse expired = responder.Handle(testing::PresignedS3(
      key_, testing::kSecret, "/backups/db.sql.gz", std::chrono::seconds(3600), TestTime()));
  EXPECT_EQ(expired.error_message, "Request has expired");
  auto records = sink_.records();
  ASSERT_EQ(records.size(), 2u);
  for (const auto& rec : records) {
    const json j = json::parse(rec.json);
    EXPECT_EQ(j["key_check"], "verified");
    EXPECT_EQ(j["eventName"], "GetObject");
    EXPECT_EQ(j["auth_scheme"], "sigv4-query");
    EXPECT_EQ(j["additionalEventData"]["AuthenticationMethod"], "QueryString");
    EXPECT_EQ(j["requestParameters"]["bucketName"], "backups");
    EXPECT_EQ(j["requestParameters"]["key"], "db.sql.gz");
  }
}

TEST_F(ResponderTest, PresignedUrlWithWrongSecretIsKeyIdOnly) {
  DecoyResponder responder = Make();
  const DecoyResponse r = responder.Handle(
      testing::PresignedS3(key_, "guess", "/b/k", std::chrono::seconds(60), TestTime()));
  EXPECT_EQ(r.error_code, "SignatureDoesNotMatch");
  EXPECT_NE(r.body.find("<CanonicalRequest>GET\n/b/k\n"), std::string::npos);
  EXPECT_EQ(OnlyRecord()["key_check"], "key_id_only");
}

TEST_F(ResponderTest, MalformedSignatureWithKnownKeyIsKeyIdOnly) {
  DecoyResponder responder = Make();
  IncomingRequest req;
  req.http.method = "GET";
  req.http.headers = {{"Host", "x"},
                      {"Authorization", "AWS4-HMAC-SHA256 Credential=" + key_.access_key_id +
                                            "/20240105/us-east-1/s3/aws4_request, Signature=zz"}};
  req.body = "";
  const DecoyResponse r = responder.Handle(req);
  EXPECT_EQ(r.error_code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(OnlyRecord()["key_check"], "key_id_only");
}

TEST_F(ResponderTest, LegacySigV2WithKnownKeyIsRecordedAsKeyIdOnly) {
  DecoyResponder responder = Make();
  IncomingRequest req;
  req.http.method = "GET";
  req.http.path = "/bucket";
  req.http.headers = {{"Host", "x"},
                      {"Authorization", "AWS " + key_.access_key_id + ":c2lnbmF0dXJl"}};
  req.body = "";
  const DecoyResponse r = responder.Handle(req);
  EXPECT_EQ(r.error_code, "SignatureDoesNotMatch");
  EXPECT_NE(r.body.find("<StringToSign>GET\n\n\n\n/bucket</StringToSign>"), std::string::npos)
      << r.body;
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["key_check"], "key_id_only");
  EXPECT_EQ(rec["additionalEventData"]["SignatureVersion"], "SigV2");
}

TEST_F(ResponderTest, LegacySigV2PresignedUrlVerifiesAndExpires) {
  DecoyResponder responder = Make();
  auto presigned = [&](int64_t expires) {
    IncomingRequest req;
    req.http.method = "GET";
    req.http.path = "/backups/db.sql.gz";
    req.http.headers = {{"Host", "127.0.0.1:8081"}, {"User-Agent", "curl/7.88.1"}};
    aws::SigV2Auth auth;
    auth.presigned = true;
    auth.expires = std::to_string(expires);
    const std::string signature =
        aws::S3SigV2Signature(aws::S3SigV2StringToSign(req.http, auth, ""), testing::kSecret);
    req.http.query = "AWSAccessKeyId=" + key_.access_key_id +
                     "&Signature=" + aws::UriEncode(signature, false) + "&Expires=" + auth.expires;
    req.body = "";
    return req;
  };
  const int64_t now = ToUnixMillis(clock_.Now()) / 1000;
  EXPECT_EQ(responder.Handle(presigned(now + 600)).error_message, "Access Denied");
  EXPECT_EQ(responder.Handle(presigned(now - 1)).error_message, "Request has expired");
  for (const auto& rec : sink_.records()) {
    const json j = json::parse(rec.json);
    EXPECT_EQ(j["key_check"], "verified");
    EXPECT_EQ(j["auth_scheme"], "sigv2-query");
    EXPECT_EQ(j["eventName"], "GetObject");
  }
  EXPECT_EQ(sink_.records().size(), 2u);
}

TEST_F(ResponderTest, AnonymousRequestsAreAnsweredButNotRecorded) {
  DecoyResponder responder = Make();
  IncomingRequest req;
  req.http.method = "GET";
  req.http.headers = {{"Host", "x"}};
  req.body = "";
  EXPECT_EQ(responder.Handle(req).error_code, "AccessDenied");
  req.http.query = "Action=GetCallerIdentity&Version=2011-06-15";
  EXPECT_EQ(responder.Handle(req).error_code, "MissingAuthenticationToken");
  EXPECT_TRUE(sink_.records().empty());
  EXPECT_EQ(responder.stats().anonymous, 2u);
}

TEST_F(ResponderTest, S3UploadTooLargeToReadIsStillVerifiedFromItsDeclaredHash) {
  DecoyResponder responder = Make();
  IncomingRequest req =
      testing::SignedS3(key_, testing::kSecret, "PUT", "/b/big.bin", "", std::string(4096, 'x'));
  req.body.reset();  // as the server passes a body it did not read
  req.body_bytes = 50 << 20;
  const DecoyResponse r = responder.Handle(req);
  EXPECT_EQ(r.error_code, "AccessDenied");
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["key_check"], "verified");
  EXPECT_EQ(rec["eventName"], "PutObject");
  EXPECT_EQ(rec["additionalEventData"]["bytesTransferredIn"], 50 << 20);
}

TEST_F(ResponderTest, TlsDetailsAreRecorded) {
  DecoyResponder responder = Make();
  IncomingRequest req = testing::SignedS3(key_, testing::kSecret, "GET", "/");
  req.tls = true;
  req.tls_version = "TLSv1.3";
  req.tls_cipher = "TLS_AES_128_GCM_SHA256";
  responder.Handle(req);
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["tlsDetails"]["tlsVersion"], "TLSv1.3");
  EXPECT_EQ(rec["tlsDetails"]["cipherSuite"], "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(rec["tlsDetails"]["clientProvidedHostHeader"], "127.0.0.1:8081");
}

TEST_F(ResponderTest, JsonBodyBecomesRequestParameters) {
  DecoyResponder responder = Make();
  responder.Handle(testing::SignedJson(key_, testing::kSecret, "secretsmanager",
                                       "secretsmanager.GetSecretValue",
                                       R"({"SecretId":"prod/db"})"));
  const json rec = OnlyRecord();
  EXPECT_EQ(rec["requestParameters"]["SecretId"], "prod/db");
  EXPECT_EQ(rec["readOnly"], true);
}

}  // namespace
}  // namespace spacecrab::decoy
