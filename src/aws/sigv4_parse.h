// Reading who signed a request: SigV4 from the Authorization header or from a
// presigned URL's query (X-Amz-Algorithm, X-Amz-Credential, ...), plus enough
// of the legacy SigV2 forms ("AWS AKID:sig", AWSAccessKeyId=) to name the key.
//
// The input is whatever an attacker sent. Parsing never throws, bounds every
// list it builds, and separates two questions: "which key id does this claim?"
// (answered whenever a plausible key id can be found, even if the rest is
// garbage) and "is this a complete, well-formed SigV4 signature?".
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv2.h"
#include "aws/sigv4.h"
#include "aws/uri_encoding.h"
#include "core/status.h"

namespace spacecrab::aws {

enum class AuthScheme {
  kNone,         // no credentials at all (anonymous)
  kSigV4Header,  // Authorization: AWS4-HMAC-SHA256 ...
  kSigV4Query,   // presigned URL, X-Amz-Algorithm=AWS4-HMAC-SHA256
  kSigV2Header,  // Authorization: AWS AKID:signature (legacy S3)
  kSigV2Query,   // AWSAccessKeyId=... (legacy S3 presign / Query SignatureVersion 2)
  kOther,        // an Authorization header in some other scheme
};
std::string_view ToString(AuthScheme scheme);

// A complete SigV4 signature claim.
struct SigV4Auth {
  AuthScheme scheme = AuthScheme::kSigV4Header;
  std::string access_key_id;
  CredentialScope scope;
  std::vector<std::string> signed_headers;  // lower-case, in the order listed
  std::string signature;                    // 64 lower-case hex characters
  std::string amz_date;                     // "20150830T123600Z"
  std::optional<int64_t> expires_seconds;   // presigned URLs only
};

inline constexpr size_t kMaxSignedHeaders = 64;
inline constexpr size_t kMaxAccessKeyIdLength = 128;

// Strict parse of an Authorization header value. InvalidArgument (with a
// short reason) unless it is AWS4-HMAC-SHA256 with Credential (5-part scope,
// "aws4_request"), SignedHeaders and a 64-hex Signature. `amz_date` is left
// empty: it comes from the X-Amz-Date header (see ParseRequestAuth).
Expected<SigV4Auth> ParseAuthorizationHeader(std::string_view value);

// Strict parse of presigned-URL parameters (X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Signature; X-Amz-Expires optional).
Expected<SigV4Auth> ParsePresignedQuery(const std::vector<QueryParam>& params);

// Everything a request says about its credentials, parsed leniently.
struct RequestAuth {
  AuthScheme scheme = AuthScheme::kNone;
  std::string access_key_id;       // best effort; empty if none could be found
  std::optional<SigV4Auth> sigv4;  // set when a complete SigV4 claim parsed
  std::optional<SigV2Auth> sigv2;  // set when a complete S3 SigV2 claim parsed
  std::string error;               // why sigv4 is unset although a scheme was seen
};

// Looks at the Authorization header first, then the query. For header
// signatures the date comes from X-Amz-Date.
RequestAuth ParseRequestAuth(const HeaderList& headers, const std::vector<QueryParam>& query);

// True for 1..128 characters of [A-Z0-9] (the shape of every AWS key id).
bool LooksLikeKeyId(std::string_view text);

}  // namespace spacecrab::aws
