// Naming what a request to the decoy endpoint asks for, the way CloudTrail
// would: eventSource, eventName, region, read-only, and which wire protocol
// (and so which error format) the caller's SDK expects.
//
//   Query  (sts, iam, sns, ...): Action=... in the form body or query string
//   EC2    : Query, but with EC2's own error document
//   JSON   (dynamodb, secretsmanager, kms, ...): X-Amz-Target: Prefix.Operation
//   S3     : REST, method + bucket (virtual-hosted or path style) + key + sub-resource
//   other REST services: named by method and path only
//
// Pure functions over already-parsed input; safe from any thread. Input is
// attacker-controlled: every list copied into the result is bounded.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/sigv4.h"
#include "aws/uri_encoding.h"

namespace spacecrab::decoy {

enum class ApiProtocol {
  kQuery,     // XML answers, <ErrorResponse>
  kEc2,       // XML answers, <Response><Errors>
  kJson,      // {"__type": ...}
  kRestJson,  // x-amzn-ErrorType + {"message": ...}
  kS3,        // S3's <Error> document
};
std::string_view ToString(ApiProtocol protocol);

struct AwsOperation {
  ApiProtocol protocol = ApiProtocol::kS3;
  std::string service;       // signing name / IAM action prefix: "sts", "s3", "dynamodb"
  std::string event_source;  // "sts.amazonaws.com"
  std::string event_name;    // "GetCallerIdentity"; for unknown REST calls "<METHOD> <path>"
  std::string region;        // from the credential scope; "us-east-1" when unknown
  bool read_only = true;
  bool management_event = true;   // false for S3 object-level (data) events
  std::string api_version;        // Query "Version" or JSON target prefix
  std::string json_content_type;  // JSON protocol: the content type to answer with
  std::string bucket;             // S3 only
  bool virtual_hosted = false;    // S3: the bucket came from the Host header
  std::string key;                // S3 only, decoded
  // CloudTrail requestParameters as flat string pairs (bounded in count and size).
  std::vector<std::pair<std::string, std::string>> request_parameters;

  // "iam:ListUsers" (the IAM action an AccessDenied message names).
  std::string IamAction() const;
};

struct OperationInput {
  const aws::HttpRequestParts* http = nullptr;          // REQUIRED
  const std::vector<aws::QueryParam>* query = nullptr;  // REQUIRED: parsed http->query
  const std::vector<aws::QueryParam>* form = nullptr;  // REQUIRED: parsed urlencoded body, or empty
  std::string signing_service;  // from the credential scope; empty if unsigned/unparsed
  std::string region;           // from the credential scope; empty if unknown
  // Host names (no port) the endpoint itself is reached by; "<bucket>.<host>"
  // then names a virtual-hosted bucket.
  const std::vector<std::string>* endpoint_hosts = nullptr;
};

AwsOperation IdentifyOperation(const OperationInput& input);

// S3 naming alone (exposed for tests): fills bucket, key, event_name,
// read_only, management_event and request_parameters.
void IdentifyS3Operation(const OperationInput& input, AwsOperation& op);

}  // namespace spacecrab::decoy
