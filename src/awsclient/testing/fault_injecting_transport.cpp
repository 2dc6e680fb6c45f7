#include "awsclient/testing/fault_injecting_transport.h"

#include <fmt/format.h>

#include <algorithm>

namespace spacecrab {

std::string FaultInjectingTransport::ActionOf(const HttpRequest& request) {
  const std::string& b = request.body;
  size_t start = b.rfind("Action=", 0) == 0 ? 0 : b.find("&Action=");
  if (start == std::string::npos) return "";
  start = b.find('=', start) + 1;
  const size_t end = b.find('&', start);
  return b.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

void FaultInjectingTransport::FailNext(const std::string& action, int times, long status,
                                       const std::string& code) {
  std::lock_guard lock(mu_);
  failures_[action] = {times, status, code};
}

void FaultInjectingTransport::CrashAfter(const std::string& action) {
  std::lock_guard lock(mu_);
  crash_after_ = action;
}

void FaultInjectingTransport::Heal() {
  std::lock_guard lock(mu_);
  failures_.clear();
  crash_after_.clear();
  crashed_ = false;
}

std::vector<std::string> FaultInjectingTransport::Actions() const {
  std::lock_guard lock(mu_);
  return actions_;
}

int FaultInjectingTransport::Count(const std::string& action) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count(actions_.begin(), actions_.end(), action));
}

Expected<HttpResponse> FaultInjectingTransport::Send(const HttpRequest& request) {
  const std::string action = ActionOf(request);
  {
    std::lock_guard lock(mu_);
    actions_.push_back(action);
    if (crashed_) return Unavailable("injected crash: the process is gone");
    auto it = failures_.find(action);
    if (it != failures_.end() && it->second.times > 0) {
      --it->second.times;
      HttpResponse r;
      r.status = it->second.status;
      r.body = fmt::format(
          "<ErrorResponse><Error><Type>Sender</Type><Code>{}</Code><Message>injected</Message></"
          "Error>"
          "<RequestId>injected</RequestId></ErrorResponse>",
          it->second.code);
      return r;
    }
  }
  auto response = inner_.Send(request);
  std::lock_guard lock(mu_);
  if (!crash_after_.empty() && action == crash_after_ && response.ok() && response->status < 300)
    crashed_ = true;
  return response;
}

}  // namespace spacecrab
