#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "awsclient/http_transport.h"

namespace spacecrab {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue or a redirect)
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
      value.remove_prefix(1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
      value.remove_suffix(1);
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * n;
}

// The one place curl errors become Status.
Status CurlStatus(CURLcode code, const char* errbuf, const std::string& url) {
  const std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(code);
  return Unavailable(fmt::format("HTTP request to {} failed: {}", url, detail));
}

// curl's progress callback (called at least about once a second, also while
// waiting for an answer): a non-zero return aborts the transfer.
int AbortWhenCancelled(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancelled)->load(std::memory_order_relaxed) ? 1 : 0;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(k[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return v;
  }
  return "";
}

CurlHttpTransport::CurlHttpTransport(CurlHttpTransportOptions options)
    : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Expected<HttpResponse> CurlHttpTransport::Send(const HttpRequest& request) {
  if (cancelled_.load(std::memory_order_relaxed))
    return Unavailable("HTTP request to " + request.url + " not sent: shutting down");
  CurlEasy curl(curl_easy_init());
  if (!curl) return Internal("curl_easy_init failed");
  CURL* c = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  HttpResponse response;

  CurlSlist headers;
  for (const auto& [k, v] : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), (k + ": " + v).c_str());
    if (!next) return Internal("curl_slist_append failed");
    headers.release();
    headers.reset(next);
  }
  // No "Expect:" suppression header here: curl 7.88's SigV4 would sign the
  // empty header it never sends, and every signature would fail. Query bodies
  // are far below the size where curl adds Expect: 100-continue.

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, AbortWhenCancelled);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &cancelled_);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty()) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  std::string userpwd;
  if (!request.sigv4_provider.empty()) {
    userpwd = request.access_key_id + ":" + request.secret_access_key;
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, request.sigv4_provider.c_str());
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
  }

  const CURLcode rc = curl_easy_perform(c);
  // The secret was copied into curl's handle; wipe our copy before returning.
  std::fill(userpwd.begin(), userpwd.end(), '\0');
  if (rc == CURLE_ABORTED_BY_CALLBACK)
    return Unavailable("HTTP request to " + request.url + " abandoned: shutting down");
  if (rc != CURLE_OK) return CurlStatus(rc, errbuf, request.url);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace spacecrab
