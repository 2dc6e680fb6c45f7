#include "aws/sigv4.h"

#include <algorithm>
#include <cstdio>

#include "crypto/encoding.h"

namespace spacecrab::aws {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and collapses runs of whitespace into one space (SigV4 "Trimall").
void AppendTrimmedValue(std::string& out, std::string_view value) {
  size_t b = 0, e = value.size();
  while (b < e && IsSpace(value[b])) ++b;
  while (e > b && IsSpace(value[e - 1])) --e;
  bool in_space = false;
  for (size_t i = b; i < e; ++i) {
    if (IsSpace(value[i])) {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.push_back(value[i]);
      in_space = false;
    }
  }
}

bool IsExcludedFromSigning(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "expect" ||
         lower_name == "transfer-encoding" || lower_name == "x-amzn-trace-id";
}

void SetHeader(HeaderList& headers, std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
}

std::vector<std::string> HeaderNamesToSign(const HeaderList& headers, bool presign) {
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    std::string lower = ToLower(name);
    if (IsExcludedFromSigning(lower)) continue;
    // A presigned URL carries its X-Amz-* values in the query, not as headers.
    if (presign && lower.starts_with("x-amz-")) continue;
    names.push_back(std::move(lower));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

UriRule UriRuleForService(std::string_view service) {
  if (service == "s3" || service == "s3-object-lambda" || service == "s3-outposts" ||
      service == "s3express") {
    return UriRule::kS3;
  }
  return UriRule::kNormalizeAndEncode;
}

std::optional<std::string> HeaderValue(const HeaderList& headers, std::string_view name) {
  std::optional<std::string> out;
  for (const auto& [n, v] : headers) {
    if (!EqualsIgnoreCase(n, name)) continue;
    if (out) {
      out->push_back(',');
      out->append(v);
    } else {
      out = v;
    }
  }
  return out;
}

std::string CredentialScope::ToString() const {
  return date + "/" + region + "/" + service + "/aws4_request";
}

std::string CanonicalUri(std::string_view wire_path, UriRule rule) {
  if (rule == UriRule::kS3) {
    if (wire_path.empty()) return "/";
    return UriEncode(PercentDecode(wire_path), /*keep_slash=*/true);
  }
  return UriEncode(NormalizeUriPath(wire_path), /*keep_slash=*/true);
}

std::string CanonicalQueryString(const std::vector<QueryParam>& params,
                                 std::string_view skip_name) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& p : params) {
    if (!skip_name.empty() && p.name == skip_name) continue;
    encoded.emplace_back(UriEncode(p.name, false), UriEncode(p.value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name);
    out.push_back('=');
    out.append(value);
  }
  return out;
}

std::optional<std::string> CanonicalHeaders(const HeaderList& headers,
                                            const std::vector<std::string>& signed_names) {
  std::string out;
  for (const auto& name : signed_names) {
    bool found = false;
    out.append(name);
    out.push_back(':');
    for (const auto& [n, v] : headers) {
      if (!EqualsIgnoreCase(n, name)) continue;
      if (found) out.push_back(',');
      AppendTrimmedValue(out, v);
      found = true;
    }
    if (!found) return std::nullopt;
    out.push_back('\n');
  }
  return out;
}

std::string JoinSignedHeaders(const std::vector<std::string>& signed_names) {
  std::string out;
  for (const auto& n : signed_names) {
    if (!out.empty()) out.push_back(';');
    out.append(n);
  }
  return out;
}

std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_headers, std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_headers.size() + payload_hash.size() + 8);
  out.append(method).push_back('\n');
  out.append(canonical_uri).push_back('\n');
  out.append(canonical_query).push_back('\n');
  out.append(canonical_headers).push_back('\n');
  out.append(signed_headers).push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string StringToSign(std::string_view amz_date, const CredentialScope& scope,
                         std::string_view canonical_request) {
  std::string out(kSigV4Algorithm);
  out.push_back('\n');
  out.append(amz_date).push_back('\n');
  out.append(scope.ToString()).push_back('\n');
  out.append(Sha256Hex(canonical_request));
  return out;
}

Sha256Digest DeriveSigningKey(std::string_view secret_access_key, const CredentialScope& scope) {
  std::string k_secret = "AWS4";
  k_secret.append(secret_access_key);
  const Sha256Digest k_date = HmacSha256(k_secret, scope.date);
  const Sha256Digest k_region = HmacSha256(k_date, scope.region);
  const Sha256Digest k_service = HmacSha256(k_region, scope.service);
  std::fill(k_secret.begin(), k_secret.end(), '\0');
  return HmacSha256(k_service, std::string_view("aws4_request"));
}

std::string SignatureHex(const Sha256Digest& signing_key, std::string_view string_to_sign) {
  return HmacSha256Hex(signing_key, string_to_sign);
}

std::string FormatAmzDate(Timestamp t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

std::optional<Timestamp> ParseAmzDate(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  int v[6] = {};
  const size_t pos[6] = {0, 4, 6, 9, 11, 13};
  const size_t len[6] = {4, 2, 2, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    for (size_t j = 0; j < len[i]; ++j) {
      const char c = text[pos[i] + j];
      if (c < '0' || c > '9') return std::nullopt;
      v[i] = v[i] * 10 + (c - '0');
    }
  }
  const year_month_day ymd{year{v[0]}, month{unsigned(v[1])}, day{unsigned(v[2])}};
  if (!ymd.ok() || v[3] > 23 || v[4] > 59 || v[5] > 60) return std::nullopt;
  const auto tp = sys_days{ymd} + hours{v[3]} + minutes{v[4]} + seconds{v[5]};
  return time_point_cast<milliseconds>(tp);
}

Status SignRequest(HttpRequestParts& request, std::string_view body,
                   const SigningCredentials& credentials, const SignOptions& options) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty())
    return InvalidArgument("signing needs an access key id and a secret");
  if (options.service.empty() || options.region.empty())
    return InvalidArgument("signing needs a region and a service");
  if (!HeaderValue(request.headers, "host")) return InvalidArgument("request has no Host header");

  const std::string amz_date = FormatAmzDate(options.time);
  SetHeader(request.headers, "X-Amz-Date", amz_date);
  if (!credentials.session_token.empty())
    SetHeader(request.headers, "X-Amz-Security-Token", credentials.session_token);
  const std::string payload_hash =
      options.payload_hash.empty() ? Sha256Hex(body) : options.payload_hash;
  if (options.add_content_sha256_header)
    SetHeader(request.headers, "x-amz-content-sha256", payload_hash);

  const CredentialScope scope{amz_date.substr(0, 8), options.region, options.service};
  const std::vector<std::string> names = HeaderNamesToSign(request.headers, /*presign=*/false);
  const std::string signed_headers = JoinSignedHeaders(names);
  const UriRule rule = options.uri_rule.value_or(UriRuleForService(options.service));
  const std::string creq =
      CanonicalRequest(request.method, CanonicalUri(request.path, rule),
                       CanonicalQueryString(ParseQueryString(request.query)),
                       *CanonicalHeaders(request.headers, names), signed_headers, payload_hash);
  const std::string signature = SignatureHex(DeriveSigningKey(credentials.secret_access_key, scope),
                                             StringToSign(amz_date, scope, creq));
  SetHeader(request.headers, "Authorization",
            std::string(kSigV4Algorithm) + " Credential=" + credentials.access_key_id + "/" +
                scope.ToString() + ", SignedHeaders=" + signed_headers +
                ", Signature=" + signature);
  return Status::Ok();
}

Expected<std::string> PresignQuery(const HttpRequestParts& request,
                                   const SigningCredentials& credentials,
                                   const SignOptions& options, std::chrono::seconds expires) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty())
    return InvalidArgument("signing needs an access key id and a secret");
  if (options.service.empty() || options.region.empty())
    return InvalidArgument("signing needs a region and a service");
  if (!HeaderValue(request.headers, "host")) return InvalidArgument("request has no Host header");

  const std::string amz_date = FormatAmzDate(options.time);
  const CredentialScope scope{amz_date.substr(0, 8), options.region, options.service};
  const std::vector<std::string> names = HeaderNamesToSign(request.headers, /*presign=*/true);
  const std::string signed_headers = JoinSignedHeaders(names);

  std::vector<QueryParam> params = ParseQueryString(request.query);
  std::vector<QueryParam> added = {
      {"X-Amz-Algorithm", std::string(kSigV4Algorithm)},
      {"X-Amz-Credential", credentials.access_key_id + "/" + scope.ToString()},
      {"X-Amz-Date", amz_date},
      {"X-Amz-Expires", std::to_string(expires.count())},
      {"X-Amz-SignedHeaders", signed_headers},
  };
  if (!credentials.session_token.empty())
    added.push_back({"X-Amz-Security-Token", credentials.session_token});
  params.insert(params.end(), added.begin(), added.end());

  std::string payload_hash = options.payload_hash;
  if (payload_hash.empty()) {
    payload_hash = UriRuleForService(options.service) == UriRule::kS3
                       ? std::string(kUnsignedPayload)
                       : std::string(kEmptyPayloadSha256);
  }
  const UriRule rule = options.uri_rule.value_or(UriRuleForService(options.service));
  const std::string creq = CanonicalRequest(
      request.method, CanonicalUri(request.path, rule), CanonicalQueryString(params),
      *CanonicalHeaders(request.headers, names), signed_headers, payload_hash);
  const std::string signature = SignatureHex(DeriveSigningKey(credentials.secret_access_key, scope),
                                             StringToSign(amz_date, scope, creq));

  std::string query = request.query;
  for (const auto& p : added) {
    if (!query.empty()) query.push_back('&');
    query.append(UriEncode(p.name, false)).append("=").append(UriEncode(p.value, false));
  }
  query.append("&X-Amz-Signature=").append(signature);
  return query;
}

}  // namespace spacecrab::aws
