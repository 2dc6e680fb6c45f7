#include "api/parking_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace spacecrab {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kFlushAt = 64 * 1024;  // larger responses go out in pieces

// One accepted connection, between requests and while one is served.
struct Conn {
  explicit Conn(int socket) : fd(socket) {}
  int fd;
  std::string in;  // received, not yet parsed (in[in_pos..])
  size_t in_pos = 0;
  std::string out;  // response bytes not yet sent
  size_t served = 0;
  bool registered = false;  // known to the epoll set
  Clock::time_point idle_since;
  // The two ends of the socket, looked up once (cpp-httplib asks per request).
  struct End {
    bool known = false;
    std::string ip;
    int port = 0;
  };
  End remote, local;

  bool HasUnread() const { return in_pos < in.size(); }
};

void CloseConn(Conn& c) {
  ::shutdown(c.fd, SHUT_RDWR);
  ::close(c.fd);
}

// Waits until `fd` is ready for `events`; false on timeout or error.
bool WaitFor(int fd, short events, std::chrono::seconds timeout) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count() * 1000));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

void Address(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                      : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

// The httplib::Stream a request is parsed from and answered on: reads are
// buffered in the connection (what is left over stays for the next request),
// writes are collected and sent together before the next read or at the end.
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(Conn& conn, const ParkingServerOptions& options) : c_(conn), options_(options) {}

  bool is_readable() const override {
    return c_.HasUnread() || WaitFor(c_.fd, POLLIN, options_.read_timeout);
  }
  bool is_writable() const override { return WaitFor(c_.fd, POLLOUT, options_.write_timeout); }

  ssize_t read(char* ptr, size_t size) override {
    if (!c_.HasUnread()) {
      // Whatever we answered so far (e.g. "100 Continue") must reach the
      // client before we wait for its bytes.
      if (!Flush()) return -1;
      const ssize_t got = Fill();
      if (got <= 0) return got;
    }
    const size_t n = std::min(size, c_.in.size() - c_.in_pos);
    std::memcpy(ptr, c_.in.data() + c_.in_pos, n);
    c_.in_pos += n;
    if (c_.in_pos == c_.in.size()) {
      c_.in.clear();
      c_.in_pos = 0;
    }
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    c_.out.append(ptr, size);
    if (c_.out.size() >= kFlushAt && !Flush()) return -1;
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Lookup(c_.remote, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Lookup(c_.local, false, ip, port);
  }
  socket_t socket() const override { return c_.fd; }

  void Lookup(Conn::End& end, bool peer, std::string& ip, int& port) const {
    if (!end.known) {
      Address(c_.fd, peer, end.ip, end.port);
      end.known = true;
    }
    ip = end.ip;
    port = end.port;
  }

  // Sends everything written so far. False if the client is gone or stuck
  // past the write timeout.
  bool Flush() {
    size_t sent = 0;
    while (sent < c_.out.size()) {
      const ssize_t n = ::send(c_.fd, c_.out.data() + sent, c_.out.size() - sent,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += size_t(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!WaitFor(c_.fd, POLLOUT, options_.write_timeout)) return false;
      } else {
        return false;
      }
    }
    c_.out.clear();
    return true;
  }

 private:
  // Receives more bytes: >0 read, 0 the client closed, -1 error or timeout.
  ssize_t Fill() {
    char buf[kReadChunk];
    while (true) {
      const ssize_t n = ::recv(c_.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        c_.in.append(buf, size_t(n));
        return n;
      }
      if (n == 0) return 0;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!WaitFor(c_.fd, POLLIN, options_.read_timeout)) return -1;
    }
  }

  Conn& c_;
  const ParkingServerOptions& options_;
};

}  // namespace

// ---- the lot: parked connections and the threads that serve them -----------

class ParkingServer::Lot {
 public:
  Lot(ParkingServer& server, const ParkingServerOptions& options)
      : server_(server),
        options_(options),
        epoll_(::epoll_create1(EPOLL_CLOEXEC)),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: every thread sees a Close
    ev.data.fd = wake_;
    if (epoll_ < 0 || wake_ < 0 || ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev) != 0)
      spdlog::error("API server: cannot set up epoll: {}", std::strerror(errno));
  }
  ~Lot() {
    Close();
    if (epoll_ >= 0) ::close(epoll_);
    if (wake_ >= 0) ::close(wake_);
  }

  // Starts the serving threads for one listen() run.
  void Open() {
    std::lock_guard lock(mu_);
    uint64_t pending = 0;
    (void)!::read(wake_, &pending, sizeof pending);  // a previous run's Close
    stopping_ = false;
    next_sweep_.store((Clock::now() + kSweepEvery).time_since_epoch().count(),
                      std::memory_order_relaxed);
    const size_t n = std::max<size_t>(1, options_.threads);
    for (size_t i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }

  // Ends the run: waits for requests being served (their connections are
  // closed when done) and closes every parked connection.
  void Close() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      if (stopping_ || threads_.empty()) return;
      stopping_ = true;
      threads.swap(threads_);
    }
    const uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);  // ends every epoll_wait at once
    for (auto& t : threads) t.join();
    std::lock_guard lock(mu_);
    for (auto& [fd, conn] : parked_) CloseConn(*conn);
    parked_.clear();
  }

  // A connection waiting for its next request (or its first).
  void Park(std::unique_ptr<Conn> conn) {
    std::unique_lock lock(mu_);
    if (stopping_ || epoll_ < 0) {
      lock.unlock();
      return CloseConn(*conn);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.fd = conn->fd;
    const int rc = ::epoll_ctl(epoll_, conn->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                               conn->fd, &ev);
    if (rc != 0) {
      lock.unlock();
      spdlog::warn("API server: cannot wait on a connection: {}", std::strerror(errno));
      return CloseConn(*conn);
    }
    conn->registered = true;
    conn->idle_since = Clock::now();
    const int fd = conn->fd;
    parked_[fd] = std::move(conn);
  }

  size_t parked() const {
    std::lock_guard lock(mu_);
    return parked_.size();
  }

 private:
  static constexpr auto kSweepEvery = std::chrono::milliseconds(500);

  // One serving thread: waits in epoll with the others (the kernel wakes one
  // of them per ready connection; EPOLLONESHOT keeps a connection with one
  // thread at a time) and serves the connection that woke it. No hand-off
  // between threads on the way: one wakeup per request.
  void Run() {
    while (true) {
      epoll_event ev{};
      const int n = ::epoll_wait(epoll_, &ev, 1, static_cast<int>(kSweepEvery.count()));
      std::unique_ptr<Conn> conn;
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        if (n == 1 && ev.data.fd != wake_) {
          auto it = parked_.find(ev.data.fd);
          if (it != parked_.end()) {
            conn = std::move(it->second);
            parked_.erase(it);
          }
        }
      }
      if (conn) Serve(std::move(conn));
      MaybeCloseIdle();
    }
  }

  // Connections idle past the keep-alive timeout are closed, as httplib would;
  // one thread looks every half second.
  void MaybeCloseIdle() {
    const auto now = Clock::now();
    // Checked without the lock: this runs after every request.
    if (now.time_since_epoch().count() < next_sweep_.load(std::memory_order_relaxed)) return;
    std::vector<std::unique_ptr<Conn>> idle;
    {
      std::lock_guard lock(mu_);
      if (now.time_since_epoch().count() < next_sweep_.load(std::memory_order_relaxed)) return;
      next_sweep_.store((now + kSweepEvery).time_since_epoch().count(), std::memory_order_relaxed);
      const auto cutoff = now - options_.keep_alive_timeout;
      for (auto it = parked_.begin(); it != parked_.end();) {
        if (it->second->idle_since < cutoff) {
          idle.push_back(std::move(it->second));
          it = parked_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& conn : idle) CloseConn(*conn);
  }

  // Requests on this thread while the connection has them (pipelined ones
  // are already buffered), then back to the lot (or closed).
  void Serve(std::unique_ptr<Conn> conn) {
    while (true) {
      ConnStream stream(*conn, options_);
      const bool last = ++conn->served >= options_.keep_alive_max_requests;
      bool closed = false;
      const bool ok = server_.process_request(stream, last, closed, nullptr);
      const bool flushed = stream.Flush();
      if (!ok || closed || last || !flushed) return CloseConn(*conn);
      if (!conn->HasUnread()) break;
    }
    // A large push body or response must not stay allocated while the
    // connection idles (thousands may be parked).
    if (conn->in.empty() && conn->in.capacity() > 4 * kReadChunk) std::string().swap(conn->in);
    if (conn->out.capacity() > kFlushAt) std::string().swap(conn->out);
    Park(std::move(conn));
  }

  ParkingServer& server_;
  const ParkingServerOptions& options_;
  const int epoll_;
  const int wake_;  // eventfd: Close() wakes every thread
  mutable std::mutex mu_;
  std::unordered_map<int, std::unique_ptr<Conn>> parked_;  // guarded by mu_
  bool stopping_ = false;                                  // guarded by mu_
  std::atomic<Clock::rep> next_sweep_{0};  // steady-clock ticks; written under mu_
  std::vector<std::thread> threads_;                       // guarded by mu_
};

namespace {

// What httplib's accept loop hands each new connection to. Accepting only
// parks it (a setsockopt and an epoll_ctl), so it runs on the accept thread;
// the lot's threads serve it once its first request arrives. Shutdown (at the
// end of listen) closes the lot.
class LotQueue final : public httplib::TaskQueue {
 public:
  explicit LotQueue(ParkingServer::Lot& lot) : lot_(lot) { lot_.Open(); }
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override { lot_.Close(); }

 private:
  ParkingServer::Lot& lot_;
};

}  // namespace

ParkingServer::ParkingServer(ParkingServerOptions options)
    : options_(options), lot_(std::make_unique<Lot>(*this, options_)) {
  new_task_queue = [this] { return new LotQueue(*lot_); };
  set_read_timeout(options_.read_timeout.count(), 0);
  set_write_timeout(options_.write_timeout.count(), 0);
  set_keep_alive_timeout(options_.keep_alive_timeout.count());
  set_keep_alive_max_count(options_.keep_alive_max_requests);
}

ParkingServer::~ParkingServer() { lot_->Close(); }

int ParkingServer::Bind(const std::string& host, int port) {
  if (port == 0) {
    port = bind_to_any_port(host);
    if (port < 0) return -1;
  } else if (!bind_to_port(host, port)) {
    return -1;
  }
  // listen() again on a listening socket only changes its backlog.
  if (::listen(svr_sock_, SOMAXCONN) != 0)
    spdlog::warn("cannot raise the listen backlog; bursts of new connections may stall");
  return port;
}

size_t ParkingServer::parked_connections() const { return lot_->parked(); }

bool ParkingServer::process_and_close_socket(socket_t sock) {
  // Accepted: wait in the lot for the first request's bytes.
  int yes = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  lot_->Park(std::make_unique<Conn>(sock));
  return true;
}

}  // namespace spacecrab
