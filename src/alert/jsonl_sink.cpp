#include "alert/jsonl_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "alert/alert_json.h"

namespace spacecrab::alert {

Expected<JsonlConfig> ParseJsonlConfig(SinkSettings& s) {
  JsonlConfig c;
  c.path = s.RequiredString("path");
  c.fsync = s.Bool("fsync", false);
  std::string mode = s.String("mode", "0640");
  char* end = nullptr;
  long m = std::strtol(mode.c_str(), &end, 8);
  if (mode.empty() || *end != '\0' || m < 0 || m > 0777) {
    s.Fail("mode", "expected octal permissions like \"0640\"");
  } else {
    c.mode = static_cast<int>(m);
  }
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

JsonlSink::JsonlSink(std::string name, JsonlConfig config)
    : name_(std::move(name)), config_(std::move(config)) {}

JsonlSink::~JsonlSink() {
  if (fd_ >= 0) ::close(fd_);
}

Status JsonlSink::Send(const AlertMessage& message) {
  std::string line = MessageToJson(message);
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  if (reopen_.exchange(false) && fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  const std::string what = "jsonl '" + name_ + "' " + config_.path;
  if (fd_ < 0) {
    fd_ = ::open(config_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                 static_cast<mode_t>(config_.mode));
    if (fd_ < 0) return Unavailable(what + ": open: " + std::strerror(errno));
  }
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0 || static_cast<size_t>(n) != line.size()) {
    int err = n < 0 ? errno : ENOSPC;
    // A short write leaves a partial line; the next line starts fresh so the
    // file stays parseable line by line apart from that one.
    if (n > 0) (void)!::write(fd_, "\n", 1);
    ::close(fd_);
    fd_ = -1;
    return Unavailable(what + ": write: " + std::strerror(err));
  }
  if (config_.fsync && ::fsync(fd_) != 0) {
    return Unavailable(what + ": fsync: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace spacecrab::alert
