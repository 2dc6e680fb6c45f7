// S3's legacy Signature Version 2 (HMAC-SHA1), verification only.
//
// Still what the AWS CLI v1 / botocore produce for `aws s3 presign` and
// generate_presigned_url unless s3v4 is configured, so a presigned S3 URL an
// attacker found is usually SigV2:
//   ?AWSAccessKeyId=AKID&Signature=base64&Expires=unix-seconds
// or, as a header, "Authorization: AWS AKID:base64".
//
// StringToSign = METHOD \n Content-MD5 \n Content-Type \n (Date | Expires) \n
//                x-amz-* headers (sorted "name:value\n") + CanonicalizedResource
// where the resource is the path as sent (prefixed by "/bucket" for
// virtual-hosted requests) plus the sub-resource parameters S3 signs.
// Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "aws/uri_encoding.h"

namespace spacecrab::aws {

struct SigV2Auth {
  bool presigned = false;  // query (AWSAccessKeyId/Signature/Expires) vs header
  std::string access_key_id;
  std::string signature;  // base64, as sent (decoded from the query)
  std::string expires;    // presigned: the Expires parameter (unix seconds)
};

// Header form "AWS AKID:signature"; nullopt if `authorization` is not that.
std::optional<SigV2Auth> ParseSigV2Header(std::string_view authorization);
// Query form; nullopt unless AWSAccessKeyId, Signature and Expires are all present.
std::optional<SigV2Auth> ParseSigV2Query(const std::vector<QueryParam>& query);

// The string S3 signs. `virtual_bucket` is the bucket named by the Host
// header (empty for path-style requests).
std::string S3SigV2StringToSign(const HttpRequestParts& request, const SigV2Auth& auth,
                                std::string_view virtual_bucket);

// True when `auth.signature` is HMAC-SHA1(secret, StringToSign), compared in
// constant time.
bool VerifyS3SigV2(const HttpRequestParts& request, const SigV2Auth& auth,
                   std::string_view secret_access_key, std::string_view virtual_bucket);

// Signs like botocore's HmacV1 (for tests and tools): the base64 signature.
std::string S3SigV2Signature(std::string_view string_to_sign, std::string_view secret_access_key);

}  // namespace spacecrab::aws
