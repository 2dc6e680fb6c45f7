// AWS Signature Version 4: canonical requests, signing keys and a signer.
//
// One implementation of the canonicalisation rules serves both directions:
// the signer (AWS clients: IAM provider, S3 ingest) and the verifier
// (sigv4_verify.h, used by the decoy endpoint to tell "holds the secret" from
// "knows only the key id"). Checked against AWS's published SigV4 test suite
// (sigv4_test.cpp).
//
// Paths and queries are always handled as they travel on the wire (already
// percent-encoded); the functions below re-encode them the way AWS does:
//   - every service but S3 normalises the path (dot segments, "//") and then
//     encodes the wire path once more ("double encoding");
//   - S3 uses the path as sent, decoded and encoded exactly once.
//
// Pure functions and a stateless signer; safe from any thread. Nothing here
// logs, and secrets are only ever passed in, never kept.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/uri_encoding.h"
#include "core/status.h"
#include "core/time.h"
#include "crypto/hash.h"

namespace spacecrab::aws {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string, the payload hash of every body-less request.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

enum class UriRule {
  kNormalizeAndEncode,  // every service except S3
  kS3,                  // S3 (and its variants): no normalisation, single encoding
};
// kS3 for "s3", "s3-object-lambda", "s3-outposts", "s3express"; else kNormalizeAndEncode.
UriRule UriRuleForService(std::string_view service);

// Header name/value pairs in arrival order; names in any case; a name may repeat.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// An HTTP request as the signature sees it (the body is passed separately).
struct HttpRequestParts {
  std::string method = "GET";
  std::string path = "/";  // as on the wire: percent-encoded, without '?' and query
  std::string query;       // as on the wire, without the '?'
  HeaderList headers;
};

// Values of every header named `name` (case-insensitive), joined by ','; nullopt if absent.
std::optional<std::string> HeaderValue(const HeaderList& headers, std::string_view name);

// "20150830/us-east-1/iam/aws4_request" split into its parts.
struct CredentialScope {
  std::string date;              // YYYYMMDD
  std::string region;            // "us-east-1"
  std::string service;           // signing name: "iam", "s3", "sts", ...
  std::string ToString() const;  // date/region/service/aws4_request
};

std::string CanonicalUri(std::string_view wire_path, UriRule rule);
// Every parameter (except those named `skip_name`) re-encoded, sorted by name
// then value, joined with '&'; a bare "name" becomes "name=".
std::string CanonicalQueryString(const std::vector<QueryParam>& params,
                                 std::string_view skip_name = {});
// "name:value\n" for each of `signed_names` (lower-case, in the order given),
// repeated headers joined by ',' in arrival order, values trimmed and inner
// runs of spaces collapsed. nullopt if a signed header is not in `headers`.
std::optional<std::string> CanonicalHeaders(const HeaderList& headers,
                                            const std::vector<std::string>& signed_names);
std::string JoinSignedHeaders(const std::vector<std::string>& signed_names);  // "a;b;c"
std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_headers, std::string_view payload_hash);
std::string StringToSign(std::string_view amz_date, const CredentialScope& scope,
                         std::string_view canonical_request);
Sha256Digest DeriveSigningKey(std::string_view secret_access_key, const CredentialScope& scope);
std::string SignatureHex(const Sha256Digest& signing_key, std::string_view string_to_sign);

// "20150830T123600Z" (ISO 8601 basic, UTC, seconds).
std::string FormatAmzDate(Timestamp t);
// Parses "YYYYMMDDTHHMMSSZ"; nullopt on anything else.
std::optional<Timestamp> ParseAmzDate(std::string_view text);

// ---- signer ---------------------------------------------------------------

struct SigningCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term (AKIA) keys
};

struct SignOptions {
  std::string region = "us-east-1";
  std::string service;
  Timestamp time{};
  std::optional<UriRule> uri_rule;  // default: UriRuleForService(service)
  // Adds x-amz-content-sha256 (S3 requires it) before signing.
  bool add_content_sha256_header = false;
  // Payload hash to sign; empty: SHA-256 of the body (header signing) or, for
  // presigned URLs, UNSIGNED-PAYLOAD for S3 and SHA-256 of "" otherwise.
  std::string payload_hash;
};

// Signs `request` in place the way the AWS SDKs do: sets X-Amz-Date (and
// X-Amz-Security-Token / x-amz-content-sha256 when applicable), then
// Authorization over every header present except authorization, user-agent,
// expect, transfer-encoding and x-amzn-trace-id.
// InvalidArgument if there is no Host header or a credential part is empty.
Status SignRequest(HttpRequestParts& request, std::string_view body,
                   const SigningCredentials& credentials, const SignOptions& options);

// Presigns `request` (headers signed: host plus any present other than the
// excluded ones and x-amz-date) and returns the complete query string for the
// URL: the original query followed by the X-Amz-* parameters.
Expected<std::string> PresignQuery(const HttpRequestParts& request,
                                   const SigningCredentials& credentials,
                                   const SignOptions& options, std::chrono::seconds expires);

}  // namespace spacecrab::aws
