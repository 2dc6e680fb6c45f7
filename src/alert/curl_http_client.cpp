#include "alert/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "alert/curl_status.h"

namespace spacecrab::alert {
namespace {

constexpr size_t kMaxBody = 64 * 1024;

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t len = size * n;
  if (out->size() < kMaxBody) out->append(data, std::min(len, kMaxBody - out->size()));
  return len;  // keep reading (and discarding) so the connection stays reusable
}

}  // namespace

void EnsureCurlInitialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlHttpClient::Handle {
  CurlEasyPtr curl{curl_easy_init()};
};

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options) : options_(std::move(options)) {
  EnsureCurlInitialised();
}

CurlHttpClient::~CurlHttpClient() = default;

std::unique_ptr<CurlHttpClient::Handle> CurlHttpClient::Borrow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  return std::make_unique<Handle>();
}

void CurlHttpClient::Return(std::unique_ptr<Handle> h) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < options_.max_idle_handles) idle_.push_back(std::move(h));
}

Expected<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  auto handle = Borrow();
  CURL* c = handle->curl.get();
  if (!c) return Internal("curl_easy_init failed");
  curl_easy_reset(c);  // keeps the connection cache, clears options

  CurlSlistPtr headers;
  for (const auto& [k, v] : request.headers) {
    if (!AppendHeader(headers, k + ": " + v)) return Internal("curl_slist_append failed");
  }
  // An empty "Expect:" stops curl waiting for 100-continue on larger bodies.
  if (!AppendHeader(headers, "Expect:")) return Internal("curl_slist_append failed");

  HttpResponse response;
  const long timeout_ms = static_cast<long>(std::max<int64_t>(request.timeout.count(), 1));
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (request.method == "POST" || request.method == "PUT" || !request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (request.method != "POST" && request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    // The handle may hold a broken connection; do not pool it.
    return StatusFromCurl(rc, "HTTP " + request.method + " to " + UrlHost(request.url));
  }
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  response.status = static_cast<int>(code);
  Return(std::move(handle));
  return response;
}

Status StatusFromHttp(const HttpResponse& response, std::string_view what) {
  if (response.status >= 200 && response.status < 300) return Status::Ok();
  std::string body = response.body.substr(0, 200);
  for (char& ch : body)
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  std::string msg = std::string(what) + ": HTTP " + std::to_string(response.status) +
                    (body.empty() ? "" : ": " + body);
  const int s = response.status;
  if (s == 408 || s == 425 || s == 429 || s >= 500) return Unavailable(msg);
  return FailedPrecondition(msg);
}

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  size_t at = url.rfind('@');  // drop user:password@
  if (at != std::string_view::npos) url.remove_prefix(at + 1);
  return std::string(url);
}

}  // namespace spacecrab::alert
