// S3Client: the two S3 calls a trail poller needs (ListObjectsV2, GetObject),
// over libcurl with SigV4 signing (CURLOPT_AWS_SIGV4).
//
// Per DESIGN's SigV4 notes for curl 7.88: the provider string is given in
// full ("aws:amz:REGION:s3"), and the query string is sorted and
// RFC 3986-encoded here (see CanonicalQuery for the '/' and ':' exception). Path-style URLs
// ({endpoint}/{bucket}/{key}) when an endpoint is configured (moto, MinIO),
// virtual-hosted ({bucket}.s3.{region}.amazonaws.com) otherwise.
//
// Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN]
// from the environment, else the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile from options,
// AWS_PROFILE, or "default"). Secrets are never logged.
//
// Thread-safety: one S3Client per thread (it owns a CURL handle, reused for
// keep-alive). Failure: kUnavailable for network errors, 5xx and throttling
// (after retries); kPermissionDenied for 403; kNotFound for 404;
// kResourceExhausted for an object over the byte limit.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace spacecrab::ingest {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// From `env` (as ProcessEnvironment()), then the shared credentials file.
Expected<AwsCredentials> LoadAwsCredentials(const std::string& profile,
                                            const std::map<std::string, std::string>& env);

struct S3ClientOptions {
  std::string endpoint_url;  // empty: AWS
  std::string region = "us-east-1";
  std::string profile;
  AwsCredentials credentials;  // filled by S3Client::Create when empty
  long timeout_seconds = 120;
  int attempts = 4;            // tries per request for transient failures
};

S3ClientOptions S3ClientOptionsFromConfig(const Config& config);

struct S3Object {
  std::string key;
  uint64_t size = 0;
};

struct S3ListPage {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;
  std::string next_continuation_token;  // empty when the listing is complete
};

struct S3ListRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  std::string continuation_token;
  int max_keys = 1000;
};

// RFC 3986 percent-encoding: only A-Za-z0-9-_.~ stay raw (and '/' when keep_slash).
std::string UriEncode(std::string_view s, bool keep_slash);
// "k=v&k=v" with keys sorted and both sides UriEncoded (empty values kept),
// except '/' and ':' in values (see the .cpp for why).
std::string CanonicalQuery(const std::map<std::string, std::string>& params);
// Parses a ListObjectsV2 XML response body.
Expected<S3ListPage> ParseListObjectsV2(std::string_view xml);

class S3Client {
 public:
  static Expected<std::unique_ptr<S3Client>> Create(S3ClientOptions options);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  Expected<S3ListPage> ListObjectsV2(const S3ListRequest& request);
  Expected<std::string> GetObject(const std::string& bucket, const std::string& key, size_t max_bytes);

 private:
  struct Response {
    long status = 0;
    std::string body;
  };
  explicit S3Client(S3ClientOptions options);
  std::string Url(const std::string& bucket, const std::string& key, const std::string& query) const;
  Expected<Response> Send(const std::string& url, size_t max_bytes);
  Expected<Response> SendWithRetry(const std::string& url, size_t max_bytes);

  S3ClientOptions o_;
  struct CurlDeleter {
    void operator()(void* handle) const;
  };
  std::unique_ptr<void, CurlDeleter> curl_;
};

}  // namespace spacecrab::ingest
