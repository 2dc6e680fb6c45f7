#include "decoy/decoy_responder.h"

#include <charconv>

#include "aws/sigv2.h"
#include "aws/sigv4_parse.h"
#include "aws/sigv4_verify.h"
#include "decoy/aws_ids.h"
#include "decoy/aws_operation.h"

namespace spacecrab::decoy {
namespace {

bool IsFormBody(const aws::HeaderList& headers) {
  std::string ct = aws::HeaderValue(headers, "content-type").value_or(std::string());
  for (char& c : ct)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return ct.starts_with("application/x-www-form-urlencoded");
}

bool IsCallerIdentity(const AwsOperation& op) {
  return op.service == "sts" && op.event_name == "GetCallerIdentity";
}

bool PresignExpired(const aws::RequestAuth& auth, Timestamp now, Timestamp& expired_at) {
  if (auth.sigv4 && auth.sigv4->scheme == aws::AuthScheme::kSigV4Query &&
      auth.sigv4->expires_seconds) {
    const auto signed_at = aws::ParseAmzDate(auth.sigv4->amz_date);
    if (!signed_at) return false;
    expired_at = *signed_at + std::chrono::seconds(*auth.sigv4->expires_seconds);
    return now > expired_at;
  }
  if (auth.sigv2 && auth.sigv2->presigned) {
    int64_t unix_seconds = 0;
    const std::string& v = auth.sigv2->expires;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), unix_seconds);
    if (ec != std::errc() || ptr != v.data() + v.size()) return false;
    expired_at = FromUnixMillis(unix_seconds * 1000);
    return now > expired_at;
  }
  return false;
}

}  // namespace

DecoyResponder::DecoyResponder(DecoyResponderOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &system_clock_),
      random_(options_.random != nullptr ? options_.random : &system_random_) {}

DecoyResponderStats DecoyResponder::stats() const {
  return {requests_.load(),    anonymous_.load(),    verified_.load(), key_id_only_.load(),
          unknown_key_.load(), unverifiable_.load(), records_.load()};
}

DecoyResponse DecoyResponder::Handle(const IncomingRequest& req) {
  requests_.fetch_add(1);
  const Timestamp now = clock_->Now();
  AwsIdGenerator ids(*random_);

  const std::vector<aws::QueryParam> query = aws::ParseQueryString(req.http.query);
  std::vector<aws::QueryParam> form;
  if (req.body && IsFormBody(req.http.headers)) form = aws::ParseQueryString(*req.body);
  const aws::RequestAuth auth = aws::ParseRequestAuth(req.http.headers, query);

  OperationInput input;
  input.http = &req.http;
  input.query = &query;
  input.form = &form;
  input.endpoint_hosts = &options_.endpoint_hosts;
  if (auth.sigv4) {
    input.signing_service = auth.sigv4->scope.service;
    input.region = auth.sigv4->scope.region;
  }
  const AwsOperation op = IdentifyOperation(input);

  AuthFailureDetails details;
  details.access_key_id = auth.access_key_id;
  details.presigned = auth.scheme == aws::AuthScheme::kSigV4Query;

  if (auth.access_key_id.empty()) {
    anonymous_.fetch_add(1);
    const AuthFailure failure = auth.scheme == aws::AuthScheme::kNone ? AuthFailure::kMissingAuth
                                                                      : AuthFailure::kMalformedAuth;
    return AuthFailureResponse(op, failure, details, ids, now);
  }

  KeyCheck check = KeyCheck::kUnknownKey;
  DecoyResponse response;
  RecordInput record;
  Expected<DecoyKey> key = options_.keys->Find(auth.access_key_id);
  if (!key.ok()) {
    check = key.status().code() == StatusCode::kNotFound ? KeyCheck::kUnknownKey
                                                         : KeyCheck::kUnverifiable;
    response = AuthFailureResponse(op, AuthFailure::kUnknownKey, details, ids, now);
  } else {
    record.token_id = key->token_id;
    record.token_status = key->status;
    record.caller = {key->account_id, key->user_name, key->arn,
                     IamUserId(key->account_id, key->user_name)};
    std::optional<aws::SigV4Verification> verification;
    std::optional<bool> sigv2_match;
    if (auth.sigv4) {
      if (key->secret.empty()) {
        check = KeyCheck::kUnverifiable;
      } else {
        std::optional<std::string_view> body;
        if (req.body) body = *req.body;
        verification = aws::VerifySigV4(req.http, body, *auth.sigv4, key->secret);
        check = verification->match ? KeyCheck::kVerified : KeyCheck::kKeyIdOnly;
      }
    } else if (auth.sigv2 && op.protocol == ApiProtocol::kS3) {
      if (key->secret.empty()) {
        check = KeyCheck::kUnverifiable;
      } else {
        sigv2_match = aws::VerifyS3SigV2(req.http, *auth.sigv2, key->secret,
                                         op.virtual_hosted ? op.bucket : "");
        check = *sigv2_match ? KeyCheck::kVerified : KeyCheck::kKeyIdOnly;
      }
    } else {
      check = KeyCheck::kKeyIdOnly;  // malformed, or a scheme we cannot check: no proof
    }

    Timestamp expired_at{};
    const bool v4_scheme =
        auth.scheme == aws::AuthScheme::kSigV4Header || auth.scheme == aws::AuthScheme::kSigV4Query;
    const bool v2_scheme =
        auth.scheme == aws::AuthScheme::kSigV2Header || auth.scheme == aws::AuthScheme::kSigV2Query;
    if (IsRetired(key->status)) {
      // AWS answers for an inactive or deleted key exactly as for an unknown one.
      response = AuthFailureResponse(op, AuthFailure::kUnknownKey, details, ids, now);
    } else if (verification && !verification->match) {
      details.canonical_request = verification->canonical_request;
      details.string_to_sign = verification->string_to_sign;
      details.signature_provided = auth.sigv4->signature;
      response = AuthFailureResponse(op, AuthFailure::kSignatureMismatch, details, ids, now);
    } else if (sigv2_match && !*sigv2_match) {
      details.string_to_sign =
          aws::S3SigV2StringToSign(req.http, *auth.sigv2, op.virtual_hosted ? op.bucket : "");
      details.signature_provided = auth.sigv2->signature;
      response = AuthFailureResponse(op, AuthFailure::kSignatureMismatch, details, ids, now);
    } else if ((v4_scheme && !auth.sigv4) || (v2_scheme && !auth.sigv2)) {
      response = AuthFailureResponse(op, AuthFailure::kMalformedAuth, details, ids, now);
    } else if (PresignExpired(auth, now, expired_at)) {
      details.expires_seconds = auth.sigv4 ? auth.sigv4->expires_seconds.value_or(0) : 0;
      details.expired_at = expired_at;
      response = AuthFailureResponse(op, AuthFailure::kExpired, details, ids, now);
    } else if (check == KeyCheck::kVerified && IsCallerIdentity(op)) {
      response = CallerIdentityResponse(op, record.caller, ids, now);
    } else {
      response = AccessDeniedResponse(op, record.caller, ids, now);
    }
  }

  switch (check) {
    case KeyCheck::kVerified:
      verified_.fetch_add(1);
      break;
    case KeyCheck::kKeyIdOnly:
      key_id_only_.fetch_add(1);
      break;
    case KeyCheck::kUnknownKey:
      unknown_key_.fetch_add(1);
      break;
    case KeyCheck::kUnverifiable:
      unverifiable_.fetch_add(1);
      break;
  }
  if (check == KeyCheck::kUnknownKey && !options_.record_unknown_keys) return response;

  record.op = &op;
  record.response = &response;
  record.access_key_id = auth.access_key_id;
  record.key_check = check;
  record.scheme = auth.scheme;
  record.source_ip = req.source_ip;
  record.user_agent = aws::HeaderValue(req.http.headers, "user-agent").value_or(std::string());
  record.host = aws::HeaderValue(req.http.headers, "host").value_or(std::string());
  record.tls = req.tls;
  record.tls_version = req.tls_version;
  record.tls_cipher = req.tls_cipher;
  record.bytes_in = req.body_bytes;
  if (op.protocol == ApiProtocol::kJson && req.body) record.json_body = *req.body;
  record.event_time = now;
  record.event_id = ids.Uuid();
  options_.records->Deliver(BuildRecord(record));
  records_.fetch_add(1);
  return response;
}

}  // namespace spacecrab::decoy
