#include "aws/sigv4_verify.h"

#include <vector>

namespace spacecrab::aws {
namespace {

void AddUnique(std::vector<std::string>& list, std::string value) {
  for (const auto& v : list)
    if (v == value) return;
  list.push_back(std::move(value));
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Payload hashes a genuine client could have signed, most likely first.
std::vector<std::string> PayloadHashCandidates(const HttpRequestParts& request,
                                               const std::vector<QueryParam>& query,
                                               std::optional<std::string_view> body,
                                               const SigV4Auth& auth, bool s3) {
  std::vector<std::string> out;
  const auto declared = HeaderValue(request.headers, "x-amz-content-sha256");
  const QueryParam* declared_query = FindParam(query, "X-Amz-Content-Sha256");
  const std::string body_hash = body ? Sha256Hex(*body) : std::string();
  if (declared) AddUnique(out, Trimmed(*declared));
  if (auth.scheme == AuthScheme::kSigV4Query) {
    if (declared_query) AddUnique(out, declared_query->value);
    if (s3) AddUnique(out, std::string(kUnsignedPayload));
    if (body) AddUnique(out, body_hash);
    AddUnique(out, std::string(kUnsignedPayload));
  } else {
    if (body) AddUnique(out, body_hash);
    AddUnique(out, std::string(kUnsignedPayload));
  }
  return out;
}

}  // namespace

SigV4Verification VerifySigV4(const HttpRequestParts& request, std::optional<std::string_view> body,
                              const SigV4Auth& auth, std::string_view secret_access_key) {
  SigV4Verification result;
  const std::vector<QueryParam> query = ParseQueryString(request.query);
  const bool presigned = auth.scheme == AuthScheme::kSigV4Query;
  const std::string canonical_query =
      CanonicalQueryString(query, presigned ? "X-Amz-Signature" : "");
  const std::string signed_headers = JoinSignedHeaders(auth.signed_headers);
  const std::optional<std::string> canonical_headers =
      CanonicalHeaders(request.headers, auth.signed_headers);

  const UriRule primary = UriRuleForService(auth.scope.service);
  const UriRule secondary = primary == UriRule::kS3 ? UriRule::kNormalizeAndEncode : UriRule::kS3;
  const std::vector<std::string> hashes =
      PayloadHashCandidates(request, query, body, auth, primary == UriRule::kS3);
  const Sha256Digest key = DeriveSigningKey(secret_access_key, auth.scope);

  bool first = true;
  for (const UriRule rule : {primary, secondary}) {
    const std::string uri = CanonicalUri(request.path, rule);
    for (const auto& hash : hashes) {
      const std::string creq =
          CanonicalRequest(request.method, uri, canonical_query,
                           canonical_headers.value_or(std::string()), signed_headers, hash);
      std::string sts = StringToSign(auth.amz_date, auth.scope, creq);
      if (first) {
        result.canonical_request = creq;
        result.string_to_sign = sts;
        first = false;
      }
      // A signed header that never arrived cannot be what the client signed.
      if (!canonical_headers) continue;
      if (ConstantTimeEquals(SignatureHex(key, sts), auth.signature)) {
        result.match = true;
        return result;
      }
    }
  }
  return result;
}

}  // namespace spacecrab::aws
