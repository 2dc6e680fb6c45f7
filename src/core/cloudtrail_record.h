// CloudTrailRecord: the fields of one CloudTrail record that detection needs.
//
// A view, not a copy: every string_view points into memory owned by whoever
// parsed the record (the ingest decoder's buffers), and is valid only while
// that parse is. Missing fields and JSON nulls are empty views. Copy what must
// outlive the parse with ToEvent().
//
// Pure data; no parsing here (the core stays free of I/O and JSON libraries).
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"
#include "core/time.h"

namespace spacecrab {

struct CloudTrailUserIdentity {
  std::string_view type;           // "IAMUser", "AssumedRole", "AWSService", "Root", ...
  std::string_view access_key_id;  // the key that signed the call; empty for console/service calls
  std::string_view arn;            // "arn:aws:iam::123456789012:user/path/name"
  std::string_view user_name;
  std::string_view account_id;
  std::string_view principal_id;
};

struct CloudTrailRecord {
  std::string_view event_id;
  std::string_view event_time;     // RFC 3339 as written by CloudTrail
  std::string_view event_source;   // "sts.amazonaws.com"
  std::string_view event_name;     // "GetCallerIdentity"
  std::string_view aws_region;
  std::string_view source_ip;      // sourceIPAddress
  std::string_view user_agent;
  std::string_view error_code;
  std::string_view request_id;
  std::string_view recipient_account_id;
  CloudTrailUserIdentity user_identity;
};

// The user name an IAM user ARN names: the last path segment after ":user/".
// "arn:aws:iam::123456789012:user/ops/m.garcia" -> "m.garcia"; empty if `arn`
// is not an IAM user ARN.
std::string_view UserNameFromArn(std::string_view arn);

// The account id inside an ARN ("arn:aws:iam::123456789012:user/x" ->
// "123456789012"); empty if there is none.
std::string_view AccountIdFromArn(std::string_view arn);

// Copies the record's fields into an Event. token_id, origin, raw_json and
// received_at are the caller's; event_time falls back to `received_at` when
// the record's eventTime does not parse.
Event ToEvent(const CloudTrailRecord& record, std::string_view token_id,
              std::string_view access_key_id, std::string_view origin,
              std::string_view raw_json, Timestamp received_at);

}  // namespace spacecrab
