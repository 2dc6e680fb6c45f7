// HttpTransport: the one seam between spacecrab's AWS calls and the network.
//
// CurlHttpTransport sends requests with libcurl and, when asked, signs them
// with SigV4 through CURLOPT_AWS_SIGV4 (the provider string is given in full,
// "aws:amz:REGION:SERVICE", because curl 7.88 guesses wrong from custom
// endpoints such as moto's 127.0.0.1). Tests wrap or replace the transport to
// inject throttling, 5xx, timeouts or a "crash" (every later call fails).
//
// Thread-safety: Send() may be called concurrently; each call uses its own
// curl easy handle. Failure: transport errors (refused, timeout, TLS) are
// kUnavailable; an HTTP response of any status is a successful Send().
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace spacecrab {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // SigV4: empty sigv4_provider means unsigned.
  std::string sigv4_provider;  // "aws:amz:us-east-1:iam"
  std::string access_key_id;
  std::string secret_access_key;
  std::chrono::milliseconds timeout{30000};
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Expected<HttpResponse> Send(const HttpRequest& request) = 0;
  // Shutdown: calls in flight end within about a second and every later call
  // fails at once (kUnavailable), so no thread waits out a 30 s timeout (or
  // its retries) against an AWS endpoint that stopped answering.
  virtual void Cancel() {}
};

struct CurlHttpTransportOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::string user_agent = "aws-sdk-cpp/1.11.200 ua/2.0 os/Linux lang/c++";
};

class CurlHttpTransport final : public HttpTransport {
 public:
  explicit CurlHttpTransport(CurlHttpTransportOptions options = {});
  Expected<HttpResponse> Send(const HttpRequest& request) override;
  void Cancel() override { cancelled_.store(true, std::memory_order_relaxed); }

 private:
  CurlHttpTransportOptions options_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace spacecrab
