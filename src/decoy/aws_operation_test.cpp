#include "decoy/aws_operation.h"

#include <gtest/gtest.h>

namespace spacecrab::decoy {
namespace {

struct Req {
  aws::HttpRequestParts http;
  std::vector<aws::QueryParam> query, form;
  std::vector<std::string> hosts;
  AwsOperation Identify(std::string service = "", std::string region = "") {
    query = aws::ParseQueryString(http.query);
    OperationInput in;
    in.http = &http;
    in.query = &query;
    in.form = &form;
    in.signing_service = std::move(service);
    in.region = std::move(region);
    in.endpoint_hosts = &hosts;
    return IdentifyOperation(in);
  }
};

Req Make(std::string method, std::string target, aws::HeaderList headers = {}) {
  Req r;
  r.http.method = std::move(method);
  const size_t q = target.find('?');
  r.http.path = target.substr(0, q);
  if (q != std::string::npos) r.http.query = target.substr(q + 1);
  r.http.headers = std::move(headers);
  if (!aws::HeaderValue(r.http.headers, "host"))
    r.http.headers.emplace_back("Host", "127.0.0.1:8081");
  return r;
}

TEST(AwsOperation, QueryActionFromFormBody) {
  Req r = Make("POST", "/");
  r.form = aws::ParseQueryString("Action=GetCallerIdentity&Version=2011-06-15");
  const AwsOperation op = r.Identify("sts", "eu-west-1");
  EXPECT_EQ(op.protocol, ApiProtocol::kQuery);
  EXPECT_EQ(op.event_source, "sts.amazonaws.com");
  EXPECT_EQ(op.event_name, "GetCallerIdentity");
  EXPECT_EQ(op.region, "eu-west-1");
  EXPECT_TRUE(op.read_only);
  EXPECT_EQ(op.IamAction(), "sts:GetCallerIdentity");
}

TEST(AwsOperation, QueryActionFromQueryStringAndParametersKept) {
  Req r = Make("GET", "/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fops%2F");
  const AwsOperation op = r.Identify("iam", "us-west-2");
  EXPECT_EQ(op.event_name, "ListUsers");
  EXPECT_EQ(op.region, "us-east-1") << "IAM is global";
  ASSERT_EQ(op.request_parameters.size(), 1u);
  EXPECT_EQ(op.request_parameters[0].first, "pathPrefix");
  EXPECT_EQ(op.request_parameters[0].second, "/ops/");
}

TEST(AwsOperation, Ec2UsesItsOwnProtocol) {
  Req r = Make("POST", "/");
  r.form = aws::ParseQueryString("Action=DescribeRegions&Version=2016-11-15");
  const AwsOperation op = r.Identify("ec2", "eu-central-1");
  EXPECT_EQ(op.protocol, ApiProtocol::kEc2);
  EXPECT_EQ(op.event_source, "ec2.amazonaws.com");
  EXPECT_EQ(op.IamAction(), "ec2:DescribeRegions");
}

TEST(AwsOperation, WriteActionsAreNotReadOnly) {
  Req r = Make("POST", "/");
  r.form = aws::ParseQueryString("Action=CreateUser&UserName=x&Version=2010-05-08");
  EXPECT_FALSE(r.Identify("iam").read_only);
}

TEST(AwsOperation, JsonTargetNamesTheOperation) {
  Req r = Make("POST", "/",
               {{"X-Amz-Target", "DynamoDB_20120810.ListTables"},
                {"Content-Type", "application/x-amz-json-1.0"}});
  const AwsOperation op = r.Identify("dynamodb", "eu-west-1");
  EXPECT_EQ(op.protocol, ApiProtocol::kJson);
  EXPECT_EQ(op.event_name, "ListTables");
  EXPECT_EQ(op.api_version, "DynamoDB_20120810");
  EXPECT_EQ(op.json_content_type, "application/x-amz-json-1.0");
  Req s = Make("POST", "/", {{"X-Amz-Target", "secretsmanager.ListSecrets"}});
  const AwsOperation sm = s.Identify();
  EXPECT_EQ(sm.service, "secretsmanager") << "service guessed from the target prefix";
  EXPECT_EQ(sm.event_name, "ListSecrets");
  EXPECT_EQ(sm.json_content_type, "application/x-amz-json-1.1");
}

TEST(AwsOperation, UnsignedQueryRequestGuessesServiceFromVersion) {
  Req r = Make("GET", "/?Action=GetCallerIdentity&Version=2011-06-15");
  EXPECT_EQ(r.Identify().service, "sts");
  Req e = Make("GET", "/?Action=DescribeInstances&Version=2016-11-15");
  EXPECT_EQ(e.Identify().protocol, ApiProtocol::kEc2);
}

TEST(AwsOperation, GarbageActionNamesAreNotCopied) {
  Req r = Make("POST", "/");
  r.form = aws::ParseQueryString("Action=%3Cscript%3E&Version=2011-06-15");
  EXPECT_EQ(r.Identify("sts").event_name, "InvalidAction");
}

TEST(S3Operation, ListBucketsForRoot) {
  Req r = Make("GET", "/");
  const AwsOperation op = r.Identify("s3");
  EXPECT_EQ(op.protocol, ApiProtocol::kS3);
  EXPECT_EQ(op.event_name, "ListBuckets");
  EXPECT_TRUE(op.management_event);
  EXPECT_TRUE(op.bucket.empty());
}

TEST(S3Operation, PathStyleBucketAndKey) {
  Req r = Make("GET", "/backups/db/2024%2001.sql.gz");
  const AwsOperation op = r.Identify("s3");
  EXPECT_EQ(op.bucket, "backups");
  EXPECT_EQ(op.key, "db/2024 01.sql.gz");
  EXPECT_EQ(op.event_name, "GetObject");
  EXPECT_FALSE(op.management_event);
}

TEST(S3Operation, VirtualHostedBucketOnAwsAndOnTheEndpointHost) {
  Req aws_style = Make("GET", "/file.txt", {{"Host", "backups.s3.eu-west-1.amazonaws.com"}});
  EXPECT_EQ(aws_style.Identify("s3").bucket, "backups");
  Req ours = Make("PUT", "/file.txt", {{"Host", "backups.storage.corp.example:9000"}});
  ours.hosts = {"storage.corp.example"};
  const AwsOperation op = ours.Identify("s3");
  EXPECT_EQ(op.bucket, "backups");
  EXPECT_EQ(op.key, "file.txt");
  EXPECT_EQ(op.event_name, "PutObject");
  EXPECT_FALSE(op.read_only);
}

TEST(S3Operation, SubResourcesAndMultipart) {
  struct Case {
    const char* method;
    const char* target;
    const char* name;
  } cases[] = {
      {"GET", "/b?location", "GetBucketLocation"},
      {"GET", "/b?list-type=2&prefix=", "ListObjects"},
      {"GET", "/b?policy", "GetBucketPolicy"},
      {"PUT", "/b?acl", "PutBucketAcl"},
      {"DELETE", "/b?cors", "DeleteBucketCors"},
      {"PUT", "/b", "CreateBucket"},
      {"DELETE", "/b", "DeleteBucket"},
      {"HEAD", "/b", "HeadBucket"},
      {"POST", "/b?delete", "DeleteObjects"},
      {"GET", "/b?versions", "ListObjectVersions"},
      {"HEAD", "/b/k", "HeadObject"},
      {"DELETE", "/b/k", "DeleteObject"},
      {"POST", "/b/k?uploads", "CreateMultipartUpload"},
      {"PUT", "/b/k?partNumber=1&uploadId=x", "UploadPart"},
      {"POST", "/b/k?uploadId=x", "CompleteMultipartUpload"},
      {"DELETE", "/b/k?uploadId=x", "AbortMultipartUpload"},
      {"GET", "/b/k?tagging", "GetObjectTagging"},
      {"GET", "/b/k?acl", "GetObjectAcl"},
  };
  for (const auto& c : cases) {
    Req r = Make(c.method, c.target);
    EXPECT_EQ(r.Identify("s3").event_name, c.name) << c.method << " " << c.target;
  }
  Req copy = Make("PUT", "/b/k", {{"x-amz-copy-source", "src/k"}});
  EXPECT_EQ(copy.Identify("s3").event_name, "CopyObject");
}

TEST(S3Operation, RequestParametersNameBucketHostKeyButNotSignature) {
  Req r = Make("GET", "/b/k?X-Amz-Signature=abc&versionId=3");
  const AwsOperation op = r.Identify("s3");
  std::map<std::string, std::string> params(op.request_parameters.begin(),
                                            op.request_parameters.end());
  EXPECT_EQ(params["bucketName"], "b");
  EXPECT_EQ(params["key"], "k");
  EXPECT_EQ(params["Host"], "127.0.0.1:8081");
  EXPECT_EQ(params["versionId"], "3");
  EXPECT_EQ(params.count("X-Amz-Signature"), 0u);
}

TEST(AwsOperation, UnknownRestServiceIsNamedByMethodAndPath) {
  Req r = Make("GET", "/2015-03-31/functions/");
  const AwsOperation op = r.Identify("lambda", "us-east-2");
  EXPECT_EQ(op.protocol, ApiProtocol::kRestJson);
  EXPECT_EQ(op.event_name, "GET /2015-03-31/functions/");
}

}  // namespace
}  // namespace spacecrab::decoy
