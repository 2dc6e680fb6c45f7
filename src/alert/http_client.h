// HttpClient: the one seam between HTTP sinks and the network, so tests can
// inject faults (see FaultyHttpClient in the tests) and the production path
// uses libcurl (curl_http_client.h).
//
// Thread-safety: implementations are safe to call from several threads.
// Failure: Send returns kUnavailable for transport failures (DNS, refused,
// reset, timeout, TLS); any HTTP status, including 4xx/5xx, is a response.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace spacecrab::alert {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole exchange, connect included
};

struct HttpResponse {
  int status = 0;
  std::string body;  // first 64 KiB at most
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Expected<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Maps a response to the sink contract: 2xx OK; 408, 425, 429 and 5xx
// kUnavailable (retry); other statuses kFailedPrecondition (final). `what`
// names the sink and host ("pagerduty 'ops' at events.pagerduty.com"); the
// start of the response body is appended to help whoever reads the error.
Status StatusFromHttp(const HttpResponse& response, std::string_view what);

// "https://hooks.slack.com/services/T0/B0/xyz" -> "hooks.slack.com": the only
// part of a URL that goes into error messages (paths often hold secrets).
std::string UrlHost(std::string_view url);

}  // namespace spacecrab::alert
