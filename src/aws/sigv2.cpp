#include "aws/sigv2.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <map>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace spacecrab::aws {
namespace {

// The query parameters S3 includes in a SigV2 CanonicalizedResource
// (botocore's HmacV1Auth.QSAOfInterest).
constexpr std::array<std::string_view, 35> kSignedSubResources = {"accelerate",
                                                                  "acl",
                                                                  "cors",
                                                                  "defaultObjectAcl",
                                                                  "location",
                                                                  "logging",
                                                                  "partNumber",
                                                                  "policy",
                                                                  "requestPayment",
                                                                  "torrent",
                                                                  "versioning",
                                                                  "versionId",
                                                                  "versions",
                                                                  "website",
                                                                  "uploads",
                                                                  "uploadId",
                                                                  "response-content-type",
                                                                  "response-content-language",
                                                                  "response-expires",
                                                                  "response-cache-control",
                                                                  "response-content-disposition",
                                                                  "response-content-encoding",
                                                                  "delete",
                                                                  "lifecycle",
                                                                  "tagging",
                                                                  "restore",
                                                                  "storageClass",
                                                                  "notification",
                                                                  "replication",
                                                                  "analytics",
                                                                  "metrics",
                                                                  "inventory",
                                                                  "select",
                                                                  "select-type",
                                                                  "object-lock"};

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string CanonicalResource(const HttpRequestParts& request, std::string_view virtual_bucket) {
  std::string out;
  if (!virtual_bucket.empty()) out = "/" + std::string(virtual_bucket);
  out += request.path.empty() ? "/" : request.path;
  // Raw pieces: the name is compared as sent, the value is unquoted (botocore).
  std::vector<std::pair<std::string, std::string>> signed_params;
  std::string_view query = request.query;
  size_t start = 0;
  while (start <= query.size() && signed_params.size() < 64) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(start, end - start);
    start = end + 1;
    const size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    if (std::find(kSignedSubResources.begin(), kSignedSubResources.end(), name) ==
        kSignedSubResources.end()) {
      continue;
    }
    signed_params.emplace_back(std::string(name), eq == std::string_view::npos
                                                      ? ""
                                                      : "=" + PercentDecode(piece.substr(eq + 1)));
  }
  std::stable_sort(signed_params.begin(), signed_params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < signed_params.size(); ++i) {
    out += i == 0 ? "?" : "&";
    out += signed_params[i].first + signed_params[i].second;
  }
  return out;
}

}  // namespace

std::optional<SigV2Auth> ParseSigV2Header(std::string_view authorization) {
  const std::string value = Trim(authorization);
  if (!value.starts_with("AWS ")) return std::nullopt;
  const std::string rest = Trim(std::string_view(value).substr(4));
  const size_t colon = rest.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= rest.size()) return std::nullopt;
  SigV2Auth auth;
  auth.access_key_id = rest.substr(0, colon);
  auth.signature = rest.substr(colon + 1);
  return auth;
}

std::optional<SigV2Auth> ParseSigV2Query(const std::vector<QueryParam>& query) {
  const QueryParam* id = FindParam(query, "AWSAccessKeyId");
  const QueryParam* signature = FindParam(query, "Signature");
  const QueryParam* expires = FindParam(query, "Expires");
  if (id == nullptr || signature == nullptr || expires == nullptr) return std::nullopt;
  SigV2Auth auth;
  auth.presigned = true;
  auth.access_key_id = id->value;
  auth.signature = signature->value;
  auth.expires = expires->value;
  return auth;
}

std::string S3SigV2StringToSign(const HttpRequestParts& request, const SigV2Auth& auth,
                                std::string_view virtual_bucket) {
  std::string out = request.method + "\n";
  out += Trim(HeaderValue(request.headers, "content-md5").value_or("")) + "\n";
  out += Trim(HeaderValue(request.headers, "content-type").value_or("")) + "\n";
  out += (auth.presigned ? auth.expires : Trim(HeaderValue(request.headers, "date").value_or(""))) +
         "\n";
  std::map<std::string, std::string> amz;
  for (const auto& [name, value] : request.headers) {
    const std::string lower = Lower(name);
    if (!lower.starts_with("x-amz-")) continue;
    auto [it, inserted] = amz.emplace(lower, Trim(value));
    if (!inserted) it->second += "," + Trim(value);
  }
  for (const auto& [name, value] : amz) out += name + ":" + value + "\n";
  out += CanonicalResource(request, virtual_bucket);
  return out;
}

std::string S3SigV2Signature(std::string_view string_to_sign, std::string_view secret_access_key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), secret_access_key.data(), static_cast<int>(secret_access_key.size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), mac,
       &len);
  return Base64Encode(std::span<const uint8_t>(mac, len));
}

bool VerifyS3SigV2(const HttpRequestParts& request, const SigV2Auth& auth,
                   std::string_view secret_access_key, std::string_view virtual_bucket) {
  auto matches = [&](std::string_view bucket) {
    return ConstantTimeEquals(
        S3SigV2Signature(S3SigV2StringToSign(request, auth, bucket), secret_access_key),
        auth.signature);
  };
  if (matches(virtual_bucket)) return true;
  // A client may have signed a virtual-hosted request as if it were path-style.
  return !virtual_bucket.empty() && matches("");
}

}  // namespace spacecrab::aws
