#include "decoy/decoy_record.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/access_key.h"

namespace spacecrab::decoy {
namespace {

using nlohmann::json;

constexpr size_t kMaxUserAgentBytes = 1024;
constexpr size_t kMaxJsonBodyBytes = 8192;
constexpr int kMaxJsonDepth = 16;

// Nesting depth of a JSON text, counting brackets outside strings; used to
// refuse pathological bodies before handing them to a parser.
int JsonDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    if (c == '}' || c == ']') --depth;
  }
  return max_depth;
}

json RequestParameters(const RecordInput& in) {
  if (!in.json_body.empty() && in.json_body.size() <= kMaxJsonBodyBytes &&
      JsonDepth(in.json_body) <= kMaxJsonDepth) {
    json parsed = json::parse(in.json_body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) return parsed;
  }
  if (in.op->request_parameters.empty()) return nullptr;
  json params = json::object();
  for (const auto& [name, value] : in.op->request_parameters) params[name] = value;
  return params;
}

std::string CloudTrailTlsVersion(std::string_view openssl_version) {
  // OpenSSL says "TLSv1.3"; CloudTrail writes the same.
  return std::string(openssl_version);
}

}  // namespace

std::string_view ToString(KeyCheck check) {
  switch (check) {
    case KeyCheck::kVerified:
      return "verified";
    case KeyCheck::kKeyIdOnly:
      return "key_id_only";
    case KeyCheck::kUnknownKey:
      return "unknown_key";
    case KeyCheck::kUnverifiable:
      return "unverifiable";
  }
  return "unverifiable";
}

DecoyRecord BuildRecord(const RecordInput& in) {
  const AwsOperation& op = *in.op;
  const DecoyResponse& response = *in.response;

  std::string account = in.caller.account_id;
  if (account.empty()) account = AccountIdFromAccessKeyId(in.access_key_id).value_or("");

  json identity = json::object();
  if (!in.caller.arn.empty()) {
    identity["type"] = "IAMUser";
    identity["principalId"] = in.caller.user_id;
    identity["arn"] = in.caller.arn;
    identity["accountId"] = account;
    identity["accessKeyId"] = in.access_key_id;
    identity["userName"] = in.caller.user_name;
  } else {
    identity["type"] = "IAMUser";
    if (!account.empty()) identity["accountId"] = account;
    identity["accessKeyId"] = in.access_key_id;
  }

  json record = json::object();
  record["eventVersion"] = "1.10";
  record["userIdentity"] = std::move(identity);
  record["eventTime"] = FormatRfc3339(std::chrono::floor<std::chrono::seconds>(in.event_time));
  record["eventSource"] = op.event_source;
  record["eventName"] = op.event_name;
  record["awsRegion"] = op.region;
  record["sourceIPAddress"] = in.source_ip;
  record["userAgent"] = in.user_agent.substr(0, std::min(in.user_agent.size(), kMaxUserAgentBytes));
  if (!response.error_code.empty()) {
    record["errorCode"] = response.error_code;
    record["errorMessage"] = response.error_message;
  }
  record["requestParameters"] = RequestParameters(in);
  record["responseElements"] = nullptr;
  if (op.protocol == ApiProtocol::kS3) {
    json extra = json::object();
    extra["SignatureVersion"] =
        in.scheme == aws::AuthScheme::kSigV2Header || in.scheme == aws::AuthScheme::kSigV2Query
            ? "SigV2"
            : "SigV4";
    if (in.tls) extra["CipherSuite"] = in.tls_cipher;
    extra["bytesTransferredIn"] = in.bytes_in;
    extra["AuthenticationMethod"] =
        in.scheme == aws::AuthScheme::kSigV4Query || in.scheme == aws::AuthScheme::kSigV2Query
            ? "QueryString"
            : "AuthHeader";
    extra["bytesTransferredOut"] = response.body.size();
    record["additionalEventData"] = std::move(extra);
  }
  record["requestID"] = response.request_id;
  record["eventID"] = in.event_id;
  record["readOnly"] = op.read_only;
  record["eventType"] = "AwsApiCall";
  record["managementEvent"] = op.management_event;
  if (!account.empty()) record["recipientAccountId"] = account;
  record["eventCategory"] = op.management_event ? "Management" : "Data";
  if (in.tls) {
    record["tlsDetails"] = {{"tlsVersion", CloudTrailTlsVersion(in.tls_version)},
                            {"cipherSuite", in.tls_cipher},
                            {"clientProvidedHostHeader", in.host}};
  }
  record["signature_verified"] = in.key_check == KeyCheck::kVerified;
  record["key_check"] = std::string(ToString(in.key_check));
  record["auth_scheme"] = std::string(aws::ToString(in.scheme));

  DecoyRecord out;
  out.event_id = in.event_id;
  out.access_key_id = in.access_key_id;
  out.token_id = in.token_id;
  out.token_status = in.token_status;
  out.key_check = in.key_check;
  out.event_time = in.event_time;
  out.json = record.dump(-1, ' ', false, json::error_handler_t::replace);

  Event& e = out.event;
  e.id = in.event_id;
  e.token_id = in.token_id;
  e.access_key_id = in.access_key_id;
  e.event_time = in.event_time;
  e.event_source = op.event_source;
  e.event_name = op.event_name;
  e.aws_region = op.region;
  e.source_ip = in.source_ip;
  e.user_agent = record["userAgent"].get<std::string>();
  e.error_code = response.error_code;
  e.request_id = response.request_id;
  e.origin = "decoy";
  e.enrichment_json = json{{"signature_verified", in.key_check == KeyCheck::kVerified},
                           {"key_check", std::string(ToString(in.key_check))}}
                          .dump();
  e.raw_json = out.json;
  e.received_at = in.event_time;
  return out;
}

}  // namespace spacecrab::decoy
