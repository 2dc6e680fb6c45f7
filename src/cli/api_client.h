// ApiClient: the CLI's connection to a running server's REST API (/api/v1).
//
// One libcurl easy handle per client (RAII, reused across calls so paging
// keeps its connection). Every request carries `Authorization: Bearer <key>`;
// JSON in, JSON out. A non-2xx answer becomes a Status whose message is the
// problem+json `detail` (or `title`), with the code mapped from the HTTP
// status, so commands print one clear line.
//
// Thread-safety: not thread-safe; one client per thread.
// Secrets: the API key is sent only in the header and never logged.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace spacecrab::cli {

struct ApiClientOptions {
  std::string base_url;  // "http://127.0.0.1:8080" (the /api/v1 prefix is added)
  std::string api_key;
  long timeout_ms = 60000;
  long connect_timeout_ms = 10000;
};

struct ApiResponse {
  long http_status = 0;
  std::string body;  // raw, exactly as the server sent it
  // Parsed body; null for an empty body (e.g. 204).
  nlohmann::json json;
};

class ApiClient final {
 public:
  explicit ApiClient(ApiClientOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` is below /api/v1 and may carry a query ("/tokens?limit=10").
  // Returns the response for 2xx; otherwise the error as a Status.
  Expected<ApiResponse> Get(const std::string& path);
  // A GET whose success body is text (CSV, tables), returned as is (json null).
  Expected<ApiResponse> GetText(const std::string& path);
  Expected<ApiResponse> Post(const std::string& path, const nlohmann::json& body);
  Expected<ApiResponse> Patch(const std::string& path, const nlohmann::json& body);
  Expected<ApiResponse> Delete(const std::string& path);

  // RFC 3986 percent-encoding of one query value or path segment.
  static std::string Escape(const std::string& text);

 private:
  Expected<ApiResponse> Call(const char* method, const std::string& path, const std::string* body,
                             bool json_answer = true);

  struct CurlDeleter {
    void operator()(void* handle) const;
  };
  ApiClientOptions options_;
  std::unique_ptr<void, CurlDeleter> curl_;
};

// Maps an HTTP error status and body (problem+json or anything) to a Status.
Status StatusFromHttp(long http_status, const std::string& body);

}  // namespace spacecrab::cli
