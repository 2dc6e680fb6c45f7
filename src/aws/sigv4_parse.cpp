#include "aws/sigv4_parse.h"

#include <charconv>

namespace spacecrab::aws {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Region and service names: lower-case letters, digits and '-'.
bool IsScopeName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

bool IsHeaderName(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The key id at the start of a Credential value ("AKID/20150830/..."), if any.
std::string KeyIdPrefix(std::string_view credential) {
  size_t end = 0;
  while (end < credential.size() && end <= kMaxAccessKeyIdLength && credential[end] != '/' &&
         credential[end] != ',' && !IsSpace(credential[end])) {
    ++end;
  }
  const std::string_view id = credential.substr(0, end);
  return LooksLikeKeyId(id) ? std::string(id) : std::string();
}

Status ParseCredential(std::string_view credential, SigV4Auth& out) {
  // key/date/region/service/aws4_request; split from the right because only
  // the scope's shape is fixed.
  std::string_view parts[5];
  std::string_view rest = credential;
  for (int i = 4; i >= 1; --i) {
    const size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) return InvalidArgument("credential has too few parts");
    parts[i] = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  parts[0] = rest;
  if (!LooksLikeKeyId(parts[0])) return InvalidArgument("malformed access key id");
  if (parts[1].size() != 8 || !IsDigits(parts[1])) return InvalidArgument("malformed scope date");
  if (!IsScopeName(parts[2])) return InvalidArgument("malformed scope region");
  if (!IsScopeName(parts[3])) return InvalidArgument("malformed scope service");
  if (parts[4] != "aws4_request") return InvalidArgument("scope does not end in aws4_request");
  out.access_key_id = std::string(parts[0]);
  out.scope = {std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
  return Status::Ok();
}

Status ParseSignedHeaders(std::string_view list, SigV4Auth& out) {
  out.signed_headers.clear();
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(';', start);
    if (end == std::string_view::npos) end = list.size();
    const std::string_view name = list.substr(start, end - start);
    if (!IsHeaderName(name)) return InvalidArgument("malformed SignedHeaders");
    if (out.signed_headers.size() >= kMaxSignedHeaders)
      return InvalidArgument("too many signed headers");
    out.signed_headers.emplace_back(name);
    start = end + 1;
  }
  if (out.signed_headers.empty()) return InvalidArgument("empty SignedHeaders");
  return Status::Ok();
}

Status CheckSignature(std::string_view signature) {
  if (signature.size() != 64 || !IsLowerHex(signature))
    return InvalidArgument("signature is not 64 lower-case hex characters");
  return Status::Ok();
}

}  // namespace

std::string_view ToString(AuthScheme scheme) {
  switch (scheme) {
    case AuthScheme::kNone:
      return "none";
    case AuthScheme::kSigV4Header:
      return "sigv4-header";
    case AuthScheme::kSigV4Query:
      return "sigv4-query";
    case AuthScheme::kSigV2Header:
      return "sigv2-header";
    case AuthScheme::kSigV2Query:
      return "sigv2-query";
    case AuthScheme::kOther:
      return "other";
  }
  return "other";
}

bool LooksLikeKeyId(std::string_view text) {
  if (text.empty() || text.size() > kMaxAccessKeyIdLength) return false;
  for (char c : text)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

Expected<SigV4Auth> ParseAuthorizationHeader(std::string_view value) {
  value = Trim(value);
  if (!value.starts_with(kSigV4Algorithm)) return InvalidArgument("not AWS4-HMAC-SHA256");
  value.remove_prefix(kSigV4Algorithm.size());
  if (value.empty() || !IsSpace(value.front())) return InvalidArgument("no space after algorithm");

  SigV4Auth auth;
  auth.scheme = AuthScheme::kSigV4Header;
  bool have_credential = false, have_headers = false, have_signature = false;
  size_t start = 0;
  int fields = 0;
  while (start <= value.size()) {
    if (++fields > 16) return InvalidArgument("too many fields");
    size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view field = Trim(value.substr(start, end - start));
    start = end + 1;
    if (field.empty()) continue;
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) return InvalidArgument("field without '='");
    const std::string_view name = Trim(field.substr(0, eq));
    const std::string_view v = Trim(field.substr(eq + 1));
    if (name == "Credential") {
      SC_RETURN_IF_ERROR(ParseCredential(v, auth));
      have_credential = true;
    } else if (name == "SignedHeaders") {
      SC_RETURN_IF_ERROR(ParseSignedHeaders(v, auth));
      have_headers = true;
    } else if (name == "Signature") {
      SC_RETURN_IF_ERROR(CheckSignature(v));
      auth.signature = std::string(v);
      have_signature = true;
    }
  }
  if (!have_credential) return InvalidArgument("no Credential");
  if (!have_headers) return InvalidArgument("no SignedHeaders");
  if (!have_signature) return InvalidArgument("no Signature");
  return auth;
}

Expected<SigV4Auth> ParsePresignedQuery(const std::vector<QueryParam>& params) {
  const QueryParam* algorithm = FindParam(params, "X-Amz-Algorithm");
  if (algorithm == nullptr || algorithm->value != kSigV4Algorithm)
    return InvalidArgument("X-Amz-Algorithm is not AWS4-HMAC-SHA256");
  SigV4Auth auth;
  auth.scheme = AuthScheme::kSigV4Query;
  const QueryParam* credential = FindParam(params, "X-Amz-Credential");
  if (credential == nullptr) return InvalidArgument("no X-Amz-Credential");
  SC_RETURN_IF_ERROR(ParseCredential(credential->value, auth));
  const QueryParam* headers = FindParam(params, "X-Amz-SignedHeaders");
  if (headers == nullptr) return InvalidArgument("no X-Amz-SignedHeaders");
  SC_RETURN_IF_ERROR(ParseSignedHeaders(headers->value, auth));
  const QueryParam* signature = FindParam(params, "X-Amz-Signature");
  if (signature == nullptr) return InvalidArgument("no X-Amz-Signature");
  SC_RETURN_IF_ERROR(CheckSignature(signature->value));
  auth.signature = signature->value;
  const QueryParam* date = FindParam(params, "X-Amz-Date");
  if (date == nullptr || !ParseAmzDate(date->value)) return InvalidArgument("bad X-Amz-Date");
  auth.amz_date = date->value;
  if (const QueryParam* expires = FindParam(params, "X-Amz-Expires")) {
    int64_t seconds = 0;
    const auto& v = expires->value;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec != std::errc() || ptr != v.data() + v.size() || seconds < 0)
      return InvalidArgument("bad X-Amz-Expires");
    auth.expires_seconds = seconds;
  }
  return auth;
}

RequestAuth ParseRequestAuth(const HeaderList& headers, const std::vector<QueryParam>& query) {
  RequestAuth out;
  if (const auto authorization = HeaderValue(headers, "authorization")) {
    const std::string_view value = Trim(*authorization);
    if (value.starts_with(kSigV4Algorithm)) {
      out.scheme = AuthScheme::kSigV4Header;
      const size_t cred = value.find("Credential=");
      if (cred != std::string_view::npos) out.access_key_id = KeyIdPrefix(value.substr(cred + 11));
      auto parsed = ParseAuthorizationHeader(value);
      if (!parsed.ok()) {
        out.error = parsed.status().message();
        return out;
      }
      const auto date = HeaderValue(headers, "x-amz-date");
      if (!date || !ParseAmzDate(Trim(*date))) {
        out.error = "missing or malformed X-Amz-Date";
        return out;
      }
      parsed->amz_date = std::string(Trim(*date));
      out.sigv4 = std::move(parsed).value();
      return out;
    }
    if (value.starts_with("AWS ")) {
      // Legacy SigV2: "AWS AKID:base64signature". Verifiable only by key id.
      out.scheme = AuthScheme::kSigV2Header;
      const std::string_view rest = Trim(value.substr(4));
      const size_t colon = rest.find(':');
      const std::string_view id = rest.substr(0, colon);
      if (LooksLikeKeyId(id)) out.access_key_id = std::string(id);
      out.sigv2 = ParseSigV2Header(value);
      if (!out.sigv2 || !LooksLikeKeyId(out.sigv2->access_key_id)) {
        out.sigv2.reset();
        out.error = "malformed signature version 2 header";
      }
      return out;
    }
    out.scheme = AuthScheme::kOther;
    out.error = "unknown authorization scheme";
    return out;
  }
  if (FindParam(query, "X-Amz-Algorithm") != nullptr || FindParam(query, "X-Amz-Credential")) {
    out.scheme = AuthScheme::kSigV4Query;
    if (const QueryParam* cred = FindParam(query, "X-Amz-Credential"))
      out.access_key_id = KeyIdPrefix(cred->value);
    auto parsed = ParsePresignedQuery(query);
    if (!parsed.ok()) {
      out.error = parsed.status().message();
      return out;
    }
    out.sigv4 = std::move(parsed).value();
    return out;
  }
  if (const QueryParam* id = FindParam(query, "AWSAccessKeyId")) {
    out.scheme = AuthScheme::kSigV2Query;
    if (LooksLikeKeyId(id->value)) out.access_key_id = id->value;
    out.sigv2 = ParseSigV2Query(query);
    if (!out.sigv2 || !LooksLikeKeyId(out.sigv2->access_key_id)) {
      out.sigv2.reset();
      out.error = "incomplete signature version 2 query";
    }
    return out;
  }
  return out;
}

}  // namespace spacecrab::aws
