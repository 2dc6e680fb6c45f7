// CurlHttpClient: HttpClient on libcurl, keeping connections alive between
// pages (a pool of easy handles, one per concurrent caller).
//
// Thread-safety: Send is safe from any thread; each call borrows a handle.
// TLS peers are verified against the system store (or `ca_file`); there is no
// switch to turn verification off for production URLs.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alert/http_client.h"

namespace spacecrab::alert {

struct CurlHttpClientOptions {
  std::string ca_file;  // PEM bundle; empty: system default
  std::string user_agent = "spacecrab-alert/1";
  size_t max_idle_handles = 8;
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Expected<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct Handle;
  std::unique_ptr<Handle> Borrow();
  void Return(std::unique_ptr<Handle> h);

  CurlHttpClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;
};

// Calls curl_global_init once per process (safe from any thread).
void EnsureCurlInitialised();

}  // namespace spacecrab::alert
