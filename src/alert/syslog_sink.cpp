#include "alert/syslog_sink.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace spacecrab::alert {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

// A TCP peer that closed (FIN) still accepts one write into the kernel buffer
// and the data is lost; look for the FIN before writing.
bool PeerClosed(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

Status ErrnoStatus(const std::string& what, int err) {
  return Unavailable(what + ": " + std::strerror(err));
}

}  // namespace

Expected<SyslogConfig> ParseSyslogConfig(SinkSettings& s) {
  SyslogConfig c;
  std::string address = s.RequiredString("address");
  std::string rest;
  if (address.rfind("udp://", 0) == 0) {
    rest = address.substr(6);
  } else if (address.rfind("tcp://", 0) == 0) {
    c.tcp = true;
    rest = address.substr(6);
  } else if (!address.empty()) {
    s.Fail("address", "expected udp://HOST:PORT or tcp://HOST:PORT");
  }
  if (!rest.empty()) {
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon + 1 == rest.size()) {
      s.Fail("address", "missing :PORT");
    } else {
      c.host = rest.substr(0, colon);
      c.port = rest.substr(colon + 1);
      if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']') {
        c.host = c.host.substr(1, c.host.size() - 2);  // [::1]:514
      }
    }
  }
  const std::string facility = s.String("facility", "local0");
  c.format.facility = SyslogFacility(facility);
  if (c.format.facility < 0) s.Fail("facility", "unknown facility '" + facility + "'");
  c.format.cef = s.Choice("format", "rfc5424", {"rfc5424", "cef"}) == "cef";
  c.format.app_name = s.String("app_name", c.format.app_name);
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  c.format.hostname = s.String("hostname", host[0] ? host : "-");
  c.format.procid = std::to_string(getpid());
  c.max_udp_bytes = static_cast<size_t>(s.Int("max_udp_bytes", 8192, 480, 65000));
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

SyslogSink::SyslogSink(std::string name, SyslogConfig config, const Clock* clock)
    : name_(std::move(name)), config_(std::move(config)), clock_(clock) {}

SyslogSink::~SyslogSink() { Close(); }

void SyslogSink::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status SyslogSink::Connect() {
  const std::string what = "syslog '" + name_ + "' at " + config_.host + ":" + config_.port;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = config_.tcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* raw = nullptr;
  int rc = getaddrinfo(config_.host.c_str(), config_.port.c_str(), &hints, &raw);
  if (rc != 0) return Unavailable(what + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
  int last_errno = 0;
  for (addrinfo* ai = list.get(); ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    timeval tv{};
    tv.tv_sec = config_.policy.timeout.count() / 1000;
    tv.tv_usec = (config_.policy.timeout.count() % 1000) * 1000;
    // On Linux SO_SNDTIMEO also bounds connect().
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      fd_ = fd;
      return Status::Ok();
    }
    last_errno = errno;
    ::close(fd);
  }
  return ErrnoStatus(what + ": connect", last_errno);
}

Status SyslogSink::Write(const std::string& frame) {
  size_t off = 0;
  while (off < frame.size()) {
    ssize_t n = ::send(fd_, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return ErrnoStatus(
          "syslog '" + name_ + "' at " + config_.host + ":" + config_.port + ": send", errno);
    }
    if (!config_.tcp) return Status::Ok();  // a datagram goes whole or not at all
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyslogSink::Send(const AlertMessage& message) {
  std::string line = FormatRfc5424(message, config_.format, clock_->Now());
  std::string frame;
  if (config_.tcp) {
    frame = OctetCounted(line);
  } else {
    if (line.size() > config_.max_udp_bytes) {
      size_t cut = config_.max_udp_bytes;
      while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xc0) == 0x80) --cut;
      line.resize(cut);
    }
    frame = std::move(line);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ >= 0 && config_.tcp && PeerClosed(fd_)) Close();
  // One reconnect per Send: a TCP peer that restarted shows up as a failed
  // write on the old connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) SC_RETURN_IF_ERROR(Connect());
    Status st = Write(frame);
    if (st.ok()) return st;
    Close();
    if (attempt == 1) return st;
  }
  return Status::Ok();
}

}  // namespace spacecrab::alert
