// ScriptedTransport: an HttpTransport that answers from a script and
// remembers every request, for unit tests of the AWS clients. Test-only;
// thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "awsclient/http_transport.h"

namespace spacecrab {

class ScriptedTransport final : public HttpTransport {
 public:
  void Push(long status, std::string body) {
    std::lock_guard lock(mu_);
    script_.push_back(HttpResponse{status, {}, std::move(body)});
  }
  void PushFailure() {
    std::lock_guard lock(mu_);
    script_.push_back(Unavailable("connection refused"));
  }
  Expected<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests.push_back(request);
    if (script_.empty()) return Internal("script exhausted");
    auto r = script_.front();
    script_.pop_front();
    return r;
  }
  // Read only once the calls under test have returned.
  std::vector<HttpRequest> requests;

 private:
  std::mutex mu_;
  std::deque<Expected<HttpResponse>> script_;
};

// The value of `name` among the request's headers, or "" (exact name).
inline std::string HeaderOf(const HttpRequest& request, const std::string& name) {
  for (const auto& [k, v] : request.headers) {
    if (k == name) return v;
  }
  return "";
}

}  // namespace spacecrab
