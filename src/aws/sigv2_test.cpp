// S3 SigV2 against the examples of the S3 developer guide ("Signing and
// Authenticating REST Requests": johnsmith/photos/puppy.jpg).
#include "aws/sigv2.h"

#include <gtest/gtest.h>

#include "aws/sigv4_parse.h"

namespace spacecrab::aws {
namespace {

constexpr char kDocSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

TEST(SigV2, DocumentationObjectGetVerifiesVirtualHosted) {
  HttpRequestParts r;
  r.path = "/photos/puppy.jpg";
  r.headers = {{"Host", "johnsmith.s3.amazonaws.com"},
               {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"},
               {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="}};
  const RequestAuth auth = ParseRequestAuth(r.headers, {});
  ASSERT_TRUE(auth.sigv2.has_value()) << auth.error;
  EXPECT_EQ(auth.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(S3SigV2StringToSign(r, *auth.sigv2, "johnsmith"),
            "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg");
  EXPECT_TRUE(VerifyS3SigV2(r, *auth.sigv2, kDocSecret, "johnsmith"));
  EXPECT_FALSE(VerifyS3SigV2(r, *auth.sigv2, "other", "johnsmith"));
}

TEST(SigV2, DocumentationQueryStringAuthVerifies) {
  HttpRequestParts r;
  r.path = "/photos/puppy.jpg";
  r.query =
      "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%"
      "2BWFzoENXmpNDUsSn8%3D";
  r.headers = {{"Host", "johnsmith.s3.amazonaws.com"}};
  const RequestAuth auth = ParseRequestAuth(r.headers, ParseQueryString(r.query));
  ASSERT_TRUE(auth.sigv2.has_value()) << auth.error;
  EXPECT_TRUE(auth.sigv2->presigned);
  EXPECT_EQ(auth.sigv2->expires, "1175139620");
  EXPECT_TRUE(VerifyS3SigV2(r, *auth.sigv2, kDocSecret, "johnsmith"));
}

TEST(SigV2, AmzHeadersAndSubResourcesAreSigned) {
  HttpRequestParts r;
  r.method = "PUT";
  r.path = "/bucket/key%20name";
  r.query = "acl&foo=bar&versionId=a%2Fb";
  r.headers = {{"Content-Type", "text/plain"},
               {"Date", "d"},
               {"X-Amz-Meta-B", " 2 "},
               {"x-amz-meta-a", "1"},
               {"X-Amz-Meta-B", "3"}};
  SigV2Auth auth;
  EXPECT_EQ(S3SigV2StringToSign(r, auth, ""),
            "PUT\n\ntext/plain\nd\nx-amz-meta-a:1\nx-amz-meta-b:2,3\n/bucket/"
            "key%20name?acl&versionId=a/b");
  auth.signature = S3SigV2Signature(S3SigV2StringToSign(r, auth, ""), "s");
  EXPECT_TRUE(VerifyS3SigV2(r, auth, "s", ""));
  r.headers.emplace_back("x-amz-meta-c", "tampered");
  EXPECT_FALSE(VerifyS3SigV2(r, auth, "s", ""));
}

TEST(SigV2, IncompleteFormsAreNotSigV2Claims) {
  EXPECT_FALSE(ParseSigV2Header("AWS AKID").has_value());
  EXPECT_FALSE(ParseSigV2Header("AWS :sig").has_value());
  EXPECT_FALSE(ParseSigV2Query(ParseQueryString("AWSAccessKeyId=AKID&Signature=x")).has_value());
}

}  // namespace
}  // namespace spacecrab::aws
