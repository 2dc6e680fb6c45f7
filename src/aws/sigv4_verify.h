// Checking a SigV4 signature against a known secret, the way an AWS service
// would: rebuild the canonical request from what arrived, sign it, compare.
//
// The verifier is deliberately tolerant of *how* a genuine client signed
// (S3 versus double-encoded paths, signed versus unsigned payloads) because
// its question is "does the sender hold this secret?", not "is this request
// well-formed?". It tries the rule the service prescribes first, then the
// other plausible variants; a forger without the secret still has no way in
// (each attempt is a full HMAC-SHA256 comparison, constant-time).
//
// Pure function; safe from any thread. The secret is only read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "aws/sigv4_parse.h"

namespace spacecrab::aws {

struct SigV4Verification {
  bool match = false;
  // The canonical request and string to sign under the service's own rules
  // (what S3 echoes back in SignatureDoesNotMatch). Never secret.
  std::string canonical_request;
  std::string string_to_sign;
};

// `body` is the payload as received, or nullopt when it was not read (too
// large): then only a payload hash the client declared (x-amz-content-sha256,
// UNSIGNED-PAYLOAD) can match.
SigV4Verification VerifySigV4(const HttpRequestParts& request, std::optional<std::string_view> body,
                              const SigV4Auth& auth, std::string_view secret_access_key);

}  // namespace spacecrab::aws
