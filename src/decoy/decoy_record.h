// DecoyRecord: one request to the decoy endpoint, written as the CloudTrail
// record AWS would have logged for it, so it can enter the same detection
// pipeline as records read from a trail.
//
// Besides CloudTrail's own fields (eventVersion, userIdentity, eventTime,
// eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
// errorCode/errorMessage, requestID, eventID, readOnly, eventType,
// tlsDetails, recipientAccountId, ...) a record carries two fields of ours:
//   "signature_verified": true   the caller proved it holds the secret
//   "key_check": "verified" | "key_id_only" | "unknown_key" | "unverifiable"
// (plus "auth_scheme"). Records are never shown to the caller.
//
// DecoyRecordSink is the seam to that pipeline. Thread-safety: Deliver is
// called concurrently from request threads and must not block for long;
// wrap a slow consumer in BufferedRecordSink (record_sink.h).
#pragma once

#include <string>

#include "aws/sigv4_parse.h"
#include "core/event.h"
#include "core/honey_token.h"
#include "core/time.h"
#include "decoy/aws_operation.h"
#include "decoy/aws_responses.h"

namespace spacecrab::decoy {

enum class KeyCheck {
  kVerified,      // known key, signature verified with its secret
  kKeyIdOnly,     // known key, signature missing, malformed or wrong
  kUnknownKey,    // key id that was never issued
  kUnverifiable,  // lookup failed or no secret to check against
};
std::string_view ToString(KeyCheck check);

struct DecoyRecord {
  std::string event_id;  // CloudTrail eventID (UUID)
  std::string access_key_id;
  std::string token_id;  // empty unless the key is a known token
  TokenStatus token_status = TokenStatus::kActive;
  KeyCheck key_check = KeyCheck::kUnknownKey;
  Timestamp event_time{};
  std::string json;  // one CloudTrail-shaped record (a JSON object, no newline)
  // The same request as the store's Event: origin "decoy", raw_json = json,
  // enrichment_json = {"signature_verified":..,"key_check":..}.
  Event event;
};

class DecoyRecordSink {
 public:
  virtual ~DecoyRecordSink() = default;
  virtual void Deliver(DecoyRecord record) = 0;
};

struct RecordInput {
  const AwsOperation* op = nullptr;         // REQUIRED
  const DecoyResponse* response = nullptr;  // REQUIRED
  std::string access_key_id;
  std::string token_id;
  TokenStatus token_status = TokenStatus::kActive;
  Caller caller;  // account/user as far as known (account decoded from the key id otherwise)
  KeyCheck key_check = KeyCheck::kUnknownKey;
  aws::AuthScheme scheme = aws::AuthScheme::kNone;
  std::string source_ip;
  std::string user_agent;  // as received; truncated when written
  std::string host;        // Host header as received
  bool tls = false;
  std::string tls_version;  // "TLSv1.3"
  std::string tls_cipher;   // OpenSSL name, e.g. "TLS_AES_128_GCM_SHA256"
  size_t bytes_in = 0;
  std::string json_body;  // JSON-protocol request body, if read (becomes requestParameters)
  Timestamp event_time{};
  std::string event_id;
};

DecoyRecord BuildRecord(const RecordInput& input);

}  // namespace spacecrab::decoy
