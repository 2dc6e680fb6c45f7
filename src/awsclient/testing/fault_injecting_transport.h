// FaultInjectingTransport: an HttpTransport wrapper for failure tests.
//
// Forwards to a real transport and, by Query action ("CreateUser", ...),
// answers with an injected AWS error instead (throttling, 5xx), or simulates
// a crash: once the named action has succeeded, every later request fails as
// if the process had died (nothing more reaches AWS, not even a rollback).
// Records the action of every request it sees. Test-only; thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "awsclient/http_transport.h"

namespace spacecrab {

class FaultInjectingTransport final : public HttpTransport {
 public:
  explicit FaultInjectingTransport(HttpTransport& inner) : inner_(inner) {}

  // The next `times` requests for `action` get HTTP `status` with AWS error `code`.
  void FailNext(const std::string& action, int times, long status, const std::string& code);
  // After the next successful `action`, every request fails (kUnavailable).
  void CrashAfter(const std::string& action);
  // Back to forwarding everything.
  void Heal();
  std::vector<std::string> Actions() const;
  int Count(const std::string& action) const;

  Expected<HttpResponse> Send(const HttpRequest& request) override;

  // "Action=CreateUser&..." -> "CreateUser".
  static std::string ActionOf(const HttpRequest& request);

 private:
  struct Failure {
    int times = 0;
    long status = 0;
    std::string code;
  };
  HttpTransport& inner_;
  mutable std::mutex mu_;
  std::map<std::string, Failure> failures_;
  std::string crash_after_;
  bool crashed_ = false;
  std::vector<std::string> actions_;
};

}  // namespace spacecrab
