#include "decoy/test_requests.h"

#include <gtest/gtest.h>

#include <array>

#include "core/access_key.h"

namespace spacecrab::decoy::testing {
namespace {

constexpr char kHost[] = "127.0.0.1:8081";

IncomingRequest Sign(aws::HttpRequestParts http, std::string body, const DecoyKey& key,
                     std::string_view secret, std::string service, std::string region, bool s3) {
  aws::SignOptions options;
  options.service = std::move(service);
  options.region = std::move(region);
  options.time = TestTime();
  options.add_content_sha256_header = s3;
  if (s3 && body.empty()) options.payload_hash = std::string(aws::kUnsignedPayload);
  EXPECT_TRUE(
      aws::SignRequest(http, body, {key.access_key_id, std::string(secret), ""}, options).ok());
  http.headers.emplace_back("User-Agent", "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1");
  IncomingRequest in;
  in.http = std::move(http);
  in.body_bytes = body.size();
  in.body = std::move(body);
  in.source_ip = "203.0.113.7";
  return in;
}

}  // namespace

DecoyKey MakeKey(int n, TokenStatus status) {
  std::array<uint8_t, kAccessKeyIdEntropyBytes> entropy{};
  for (size_t i = 0; i < entropy.size(); ++i) entropy[i] = static_cast<uint8_t>(n * 31 + i);
  DecoyKey key;
  key.access_key_id = MakeAccessKeyId(kAccount, entropy).value();
  key.token_id = "tok_" + std::to_string(n);
  key.account_id = kAccount;
  key.user_name = kUser;
  key.arn = std::string("arn:aws:iam::") + kAccount + ":user/" + kUser;
  key.status = status;
  key.secret = kSecret;
  return key;
}

Timestamp TestTime() { return *aws::ParseAmzDate("20240105T101112Z"); }

IncomingRequest SignedQuery(const DecoyKey& key, std::string_view secret, std::string service,
                            std::string body, std::string region) {
  aws::HttpRequestParts http;
  http.method = "POST";
  http.headers = {{"Host", kHost},
                  {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  return Sign(std::move(http), std::move(body), key, secret, std::move(service), std::move(region),
              false);
}

IncomingRequest SignedJson(const DecoyKey& key, std::string_view secret, std::string service,
                           std::string target, std::string body) {
  aws::HttpRequestParts http;
  http.method = "POST";
  http.headers = {{"Host", kHost},
                  {"Content-Type", "application/x-amz-json-1.0"},
                  {"X-Amz-Target", std::move(target)}};
  return Sign(std::move(http), std::move(body), key, secret, std::move(service), "eu-west-1",
              false);
}

IncomingRequest SignedS3(const DecoyKey& key, std::string_view secret, std::string method,
                         std::string path, std::string query, std::string body,
                         aws::HeaderList extra_headers) {
  aws::HttpRequestParts http;
  http.method = std::move(method);
  http.path = std::move(path);
  http.query = std::move(query);
  http.headers = std::move(extra_headers);
  http.headers.emplace_back("Host", kHost);
  return Sign(std::move(http), std::move(body), key, secret, "s3", "us-east-1", true);
}

IncomingRequest PresignedS3(const DecoyKey& key, std::string_view secret, std::string path,
                            std::chrono::seconds expires, Timestamp signed_at) {
  aws::HttpRequestParts http;
  http.path = std::move(path);
  http.headers = {{"Host", kHost}};
  aws::SignOptions options;
  options.service = "s3";
  options.time = signed_at;
  http.query =
      aws::PresignQuery(http, {key.access_key_id, std::string(secret), ""}, options, expires)
          .value();
  http.headers.emplace_back("User-Agent", "curl/7.88.1");
  IncomingRequest in;
  in.http = std::move(http);
  in.body = "";
  in.source_ip = "198.51.100.9";
  return in;
}

bool MentionsProduct(std::string_view text) {
  std::string lower(text);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  for (const char* allowed : {"security token", "clienttokenid", "authenticationtoken",
                              "authentication token", "x-amz-security-token"}) {
    for (size_t at = lower.find(allowed); at != std::string::npos; at = lower.find(allowed))
      lower.erase(at, std::string_view(allowed).size());
  }
  for (const char* word : {"spacecrab", "honey", "canary", "decoy", "trap", "token", "httplib"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace spacecrab::decoy::testing
