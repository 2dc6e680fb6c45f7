// What the decoy endpoint answers: AWS's own response documents for a
// principal that may do nothing, in each protocol's format.
//
//   sts:GetCallerIdentity  -> 200 with the key's account, ARN and AIDA user id
//   anything else          -> AccessDenied in that service's format
//   unknown / retired key  -> InvalidClientTokenId, InvalidAccessKeyId, ...
//   wrong secret           -> SignatureDoesNotMatch (S3 echoes its canonical request)
//
// Nothing in a response may name the product: every string below is one
// AWS itself sends. Pure functions; safe from any thread (randomness comes
// from the AwsIdGenerator passed in).
#pragma once

#include <string>

#include "aws/sigv4.h"
#include "core/time.h"
#include "decoy/aws_ids.h"
#include "decoy/aws_operation.h"

namespace spacecrab::decoy {

struct DecoyResponse {
  int status = 200;
  aws::HeaderList headers;  // everything except Content-Length / Content-Type
  std::string content_type;
  std::string body;
  std::string request_id;  // the id the client sees (also the record's requestID)
  std::string error_code;  // empty on success
  std::string error_message;
};

// Who the caller is, as the endpoint reports it.
struct Caller {
  std::string account_id;
  std::string user_name;
  std::string arn;
  std::string user_id;  // AIDA...
};

enum class AuthFailure {
  kUnknownKey,         // key id never issued, or retired (inactive keys look unknown on AWS)
  kSignatureMismatch,  // known key, signature does not verify
  kMissingAuth,        // anonymous request
  kMalformedAuth,      // a signature was attempted but is incomplete or malformed
  kExpired,            // presigned URL past X-Amz-Date + X-Amz-Expires
};

struct AuthFailureDetails {
  std::string access_key_id;
  std::string canonical_request;   // S3 SignatureDoesNotMatch only
  std::string string_to_sign;      // S3 SignatureDoesNotMatch only
  std::string signature_provided;  // S3 SignatureDoesNotMatch only
  bool presigned = false;
  int64_t expires_seconds = 0;  // kExpired
  Timestamp expired_at{};       // kExpired
};

DecoyResponse CallerIdentityResponse(const AwsOperation& op, const Caller& caller,
                                     AwsIdGenerator& ids, Timestamp now);
DecoyResponse AccessDeniedResponse(const AwsOperation& op, const Caller& caller,
                                   AwsIdGenerator& ids, Timestamp now);
DecoyResponse AuthFailureResponse(const AwsOperation& op, AuthFailure failure,
                                  const AuthFailureDetails& details, AwsIdGenerator& ids,
                                  Timestamp now);

// "Fri, 05 Jan 2024 10:11:12 GMT" (HTTP Date header).
std::string HttpDate(Timestamp t);
// Escapes & < > " ' for XML text and attribute values.
std::string XmlEscape(std::string_view text);

}  // namespace spacecrab::decoy
