#include "cli/api_client.h"

#include <curl/curl.h>

#include <mutex>

namespace spacecrab::cli {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Headers = std::unique_ptr<curl_slist, SlistDeleter>;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

void ApiClient::CurlDeleter::operator()(void* handle) const {
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

ApiClient::ApiClient(ApiClientOptions options) : options_(std::move(options)) {
  GlobalInitOnce();
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  curl_.reset(curl_easy_init());
}

ApiClient::~ApiClient() = default;

std::string ApiClient::Escape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

Expected<ApiResponse> ApiClient::Get(const std::string& path) { return Call("GET", path, nullptr); }
Expected<ApiResponse> ApiClient::GetText(const std::string& path) {
  return Call("GET", path, nullptr, /*json_answer=*/false);
}
Expected<ApiResponse> ApiClient::Delete(const std::string& path) {
  return Call("DELETE", path, nullptr);
}
Expected<ApiResponse> ApiClient::Post(const std::string& path, const nlohmann::json& body) {
  const std::string text = body.dump();
  return Call("POST", path, &text);
}
Expected<ApiResponse> ApiClient::Patch(const std::string& path, const nlohmann::json& body) {
  const std::string text = body.dump();
  return Call("PATCH", path, &text);
}

Expected<ApiResponse> ApiClient::Call(const char* method, const std::string& path,
                                      const std::string* body, bool json_answer) {
  CURL* curl = static_cast<CURL*>(curl_.get());
  if (!curl) return Internal("cannot initialise libcurl");
  if (options_.base_url.empty())
    return FailedPrecondition("no server address: set SPACECRAB_ADDR (e.g. http://127.0.0.1:8080)");
  curl_easy_reset(curl);
  const std::string url = options_.base_url + "/api/v1" + path;
  Headers headers;
  auto add = [&headers](const std::string& h) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next) {
      (void)headers.release();
      headers.reset(next);
    }
  };
  add(json_answer ? "Accept: application/json" : "Accept: text/plain, text/csv, */*");
  if (!options_.api_key.empty()) add("Authorization: Bearer " + options_.api_key);
  if (body) add("Content-Type: application/json");
  std::string response;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  } else if (std::string_view(method) == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    const std::string why = error[0] ? error : curl_easy_strerror(rc);
    return Unavailable("cannot reach " + options_.base_url + ": " + why);
  }
  ApiResponse out;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.http_status);
  out.body = std::move(response);
  if (out.http_status < 200 || out.http_status > 299) return StatusFromHttp(out.http_status, out.body);
  if (json_answer && !out.body.empty()) {
    out.json = nlohmann::json::parse(out.body, nullptr, /*allow_exceptions=*/false);
    if (out.json.is_discarded())
      return DataLoss("the server answered " + std::string(method) + " " + path +
                      " with a body that is not JSON");
  }
  return out;
}

Status StatusFromHttp(long http_status, const std::string& body) {
  std::string message;
  auto problem = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (problem.is_object()) {
    for (const char* field : {"detail", "title", "message", "error"}) {
      if (problem.contains(field) && problem[field].is_string() &&
          !problem[field].get<std::string>().empty()) {
        message = problem[field].get<std::string>();
        break;
      }
    }
  }
  if (message.empty()) {
    message = body.substr(0, 200);
    for (auto& ch : message)
      if (ch == '\n' || ch == '\r') ch = ' ';
    if (message.empty()) message = "no details";
  }
  message += " (HTTP " + std::to_string(http_status) + ")";
  switch (http_status) {
    case 400: case 422: return InvalidArgument(message);
    case 401: return Unauthenticated(message);
    case 403: return PermissionDenied(message);
    case 404: return NotFound(message);
    case 409: return FailedPrecondition(message);
    case 413: case 429: return ResourceExhausted(message);
    default:
      return http_status >= 500 ? Unavailable(message) : Internal(message);
  }
}

}  // namespace spacecrab::cli
