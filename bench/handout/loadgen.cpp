// loadgen: an open-loop HTTP/1.1 load generator for the API benchmarks.
//
// Why not wrk. wrk is closed-loop: each of its N connections sends its next request only
// when the previous answer has arrived. The offered load therefore falls as soon as the
// server slows down, the mean latency is simply N / throughput (Little's law: 200
// connections at 5,000 answers/s read as 40 ms whatever the server does), and a request
// that "would have been sent" while a connection was stuck is never sent at all, so the
// stall is counted once instead of for every request it delayed (coordinated omission).
//
// What loadgen measures. With --rate R it is open-loop: requests are scheduled at exact
// intervals of 1/R seconds, independent of the answers, like a fleet of laptops checking
// in. A scheduled request goes to a free keep-alive connection (at most one request in
// flight per connection, no pipelining); if none is free it waits in a FIFO, and its
// latency is still measured from its SCHEDULED time, so time spent queued behind a slow
// server is charged to the server (coordinated-omission corrected). The report also gives
// the service time (from the moment the request was written), which excludes that queue.
// With --rate 0 it is closed-loop like wrk (every connection sends again as soon as it has
// its answer): that measures maximum throughput, and its latency has wrk's bias.
//
// Usage:
//   loadgen --url http://127.0.0.1:PORT/api/v1/tokens --method POST
//       --header "Authorization: Bearer KEY" --header "Content-Type: application/json"
//       --body-template '{"location":"bench-host-{n}:~/Downloads","owner":"bench","count":1}'
//       --connections 200 --rate 5000 --duration 10 --warmup 1 --expect-status 201 [--json]
// `{n}` in the body template becomes a global request sequence number (1, 2, ...).
//
// Threads: --threads N runs N workers, each with its own epoll loop owning connections/N
// connections and every N-th slot of the schedule (so together they keep exact 1/R
// spacing). Workers share only the atomic sequence counter; their results are merged after
// they are joined. Each worker pre-connects its connections, then all start on one clock.
//
// Counting. Requests scheduled (closed-loop: sent) during the first --warmup seconds are
// not counted anywhere except `reconnects`. An answer with a status other than
// --expect-status is an error_status (the first 3 bodies go to stderr); a request lost to a
// socket error, a malformed answer, an EOF before the full answer, or --timeout seconds
// without one is an error_socket (the connection is re-opened). Latencies are those of all
// answered measured requests. After warmup+duration no request is sent; requests still
// queued are reported as queued_at_end (their latency is not in the percentiles: if that
// count is not 0 the server did not keep up and the percentiles understate), and requests
// in flight get 2 s to finish, after which they are abandoned and counted.
//
// Exit status: 0 after a run (whatever its errors), 2 on a usage or set-up error.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Nanos = int64_t;
constexpr Nanos kMilli = 1'000'000;
constexpr Nanos kSecond = 1'000'000'000;
constexpr Nanos kDrainGrace = 2 * kSecond;
constexpr Nanos kConnectRetry = 100 * kMilli;
constexpr Nanos kScanInterval = 10 * kMilli;
constexpr size_t kPreConnectBatch = 4;  // connects per millisecond before the run
constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kBodySampleBytes = 1024;

Nanos Now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Nanos{ts.tv_sec} * kSecond + ts.tv_nsec;
}

struct Options {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string body_template;
  int connections = 10;
  double rate = 0;  // requests/s over all threads; 0 = closed loop
  double duration = 10;
  double warmup = 0;
  int threads = 1;
  double timeout = 10;
  int expect_status = 200;
  bool json = false;
  std::string timeline;  // CSV of every measured answer, if set
};

// Closes its descriptor; move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IContains(std::string_view hay, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (IEquals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Where requests go: parsed from http://HOST[:PORT][/PATH], resolved once.
struct Target {
  std::string host_header;  // as in the URL: host[:port]
  std::string path;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int family = AF_INET;
};

bool ParseTarget(const std::string& url, Target* t, std::string* err) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    *err = "only http:// URLs are supported";
    return false;
  }
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  t->path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  t->host_header = std::string(hostport);
  std::string host, port = "80";
  if (!hostport.empty() && hostport.front() == '[') {  // [v6]:port
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      *err = "bad IPv6 host in URL";
      return false;
    }
    host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') {
      port = std::string(hostport.substr(close + 2));
    }
  } else {
    size_t colon = hostport.rfind(':');
    host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = std::string(hostport.substr(colon + 1));
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    *err = "cannot resolve " + host + ":" + port + ": " + gai_strerror(rc);
    return false;
  }
  std::memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
  t->addr_len = res->ai_addrlen;
  t->family = res->ai_family;
  freeaddrinfo(res);
  return true;
}

// Builds request n: the fixed request line and headers, then the body template with every
// `{n}` replaced by n. Immutable after construction, so shared by all workers.
class RequestBuilder {
 public:
  RequestBuilder(const Options& o, const Target& t) {
    head_ = o.method + " " + t.path + " HTTP/1.1\r\n";
    bool has_host = false;
    for (const std::string& h : o.headers) {
      has_host |= IEquals(Trim(std::string_view(h).substr(0, h.find(':'))), "host");
      head_ += h + "\r\n";
    }
    if (!has_host) head_ += "Host: " + t.host_header + "\r\n";
    has_body_ = !o.body_template.empty() || o.method == "POST" || o.method == "PUT" ||
                o.method == "PATCH";
    std::string_view tpl = o.body_template;
    for (size_t at; (at = tpl.find("{n}")) != std::string_view::npos; tpl.remove_prefix(at + 3)) {
      body_parts_.emplace_back(tpl.substr(0, at));
    }
    body_parts_.emplace_back(tpl);
  }

  void Build(uint64_t n, std::string* out) const {
    body_.clear();
    for (size_t i = 0; i < body_parts_.size(); ++i) {
      if (i > 0) body_ += std::to_string(n);
      body_ += body_parts_[i];
    }
    *out = head_;
    if (has_body_) *out += "Content-Length: " + std::to_string(body_.size()) + "\r\n";
    *out += "\r\n";
    *out += body_;
  }

 private:
  std::string head_;
  std::vector<std::string> body_parts_;
  bool has_body_ = false;
  static thread_local std::string body_;
};
thread_local std::string RequestBuilder::body_;

// Incremental parser for one HTTP/1.1 response: status line, headers, then a body framed
// by Content-Length, chunked transfer coding, or the end of the connection. Feed it bytes
// as they arrive, in pieces of any size; it keeps the first kBodySampleBytes of the body
// for error reports. (Responses to HEAD are not supported: they would wait for a body.)
class ResponseParser {
 public:
  enum class Step { kNeedMore, kDone, kError };

  void Reset() {
    buf_.clear();
    body_.clear();
    state_ = State::kHead;
    scan_ = pos_ = 0;
    status_ = 0;
    keep_alive_ = true;
    remaining_ = 0;
  }

  Step Feed(const char* data, size_t n) {
    buf_.append(data, n);
    return Parse();
  }

  // The peer closed the connection: that ends a body framed by the close.
  Step Eof() {
    if (state_ == State::kUntilClose) {
      state_ = State::kDone;
      return Step::kDone;
    }
    return Step::kError;
  }

  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  const std::string& body_sample() const { return body_; }

 private:
  enum class State { kHead, kLength, kChunkSize, kChunkData, kChunkCrlf, kTrailers, kUntilClose,
                     kDone };

  Step Parse() {
    for (;;) {
      switch (state_) {
        case State::kHead: {
          size_t end = buf_.find("\r\n\r\n", scan_);
          if (end == std::string::npos) {
            scan_ = buf_.size() >= 3 ? buf_.size() - 3 : 0;
            return buf_.size() > kMaxHeadBytes ? Step::kError : Step::kNeedMore;
          }
          bool chunked = false;
          bool has_length = false;
          if (!ParseHead(std::string_view(buf_).substr(0, end), &chunked, &has_length)) {
            return Step::kError;
          }
          pos_ = end + 4;
          if (status_ >= 100 && status_ < 200) {  // interim answer: the real one follows
            if (status_ == 101) return Step::kError;
            buf_.erase(0, pos_);
            scan_ = pos_ = 0;
            keep_alive_ = true;
            continue;
          }
          if (status_ == 204 || status_ == 304) return Finish();
          if (chunked) {
            state_ = State::kChunkSize;
          } else if (has_length) {
            state_ = State::kLength;
          } else {
            state_ = State::kUntilClose;
            keep_alive_ = false;
          }
          break;
        }
        case State::kLength:
        case State::kChunkData: {
          size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, buf_.size() - pos_));
          Sample(pos_, take);
          pos_ += take;
          remaining_ -= take;
          if (remaining_ > 0) return NeedMore();
          if (state_ == State::kLength) return Finish();
          state_ = State::kChunkCrlf;
          break;
        }
        case State::kChunkSize: {
          size_t eol = buf_.find("\r\n", pos_);
          if (eol == std::string::npos) {
            return buf_.size() - pos_ > 1024 ? Step::kError : NeedMore();
          }
          const char* first = buf_.data() + pos_;
          auto [p, ec] = std::from_chars(first, buf_.data() + eol, remaining_, 16);
          if (ec != std::errc() || p == first) return Step::kError;
          pos_ = eol + 2;
          state_ = remaining_ == 0 ? State::kTrailers : State::kChunkData;
          break;
        }
        case State::kChunkCrlf:
          if (buf_.size() - pos_ < 2) return NeedMore();
          if (buf_.compare(pos_, 2, "\r\n") != 0) return Step::kError;
          pos_ += 2;
          state_ = State::kChunkSize;
          break;
        case State::kTrailers: {
          size_t eol = buf_.find("\r\n", pos_);
          if (eol == std::string::npos) return NeedMore();
          bool last = eol == pos_;
          pos_ = eol + 2;
          if (last) return Finish();
          break;
        }
        case State::kUntilClose:
          Sample(pos_, buf_.size() - pos_);
          pos_ = buf_.size();
          return NeedMore();
        case State::kDone:
          return Step::kDone;
      }
    }
  }

  bool ParseHead(std::string_view head, bool* chunked, bool* has_length) {
    size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    // "HTTP/1.1 201 Created"
    if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[8] != ' ') return false;
    keep_alive_ = line.substr(5, 3) != "1.0";
    auto [p, ec] = std::from_chars(line.data() + 9, line.data() + 12, status_);
    if (ec != std::errc() || p != line.data() + 12) return false;
    while (eol != std::string_view::npos) {
      head.remove_prefix(eol + 2);
      eol = head.find("\r\n");
      line = head.substr(0, eol);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) return false;
      std::string_view name = Trim(line.substr(0, colon));
      std::string_view value = Trim(line.substr(colon + 1));
      if (IEquals(name, "content-length")) {
        auto [q, e2] = std::from_chars(value.data(), value.data() + value.size(), remaining_);
        if (e2 != std::errc() || q != value.data() + value.size()) return false;
        *has_length = true;
      } else if (IEquals(name, "transfer-encoding")) {
        *chunked = IContains(value, "chunked");
      } else if (IEquals(name, "connection")) {
        if (IContains(value, "close")) keep_alive_ = false;
        if (IContains(value, "keep-alive")) keep_alive_ = true;
      }
    }
    return true;
  }

  void Sample(size_t at, size_t n) {
    if (body_.size() < kBodySampleBytes) {
      body_.append(buf_, at, std::min(n, kBodySampleBytes - body_.size()));
    }
  }

  Step NeedMore() {  // drop what has been consumed; the head state never gets here
    buf_.erase(0, pos_);
    pos_ = 0;
    return Step::kNeedMore;
  }

  Step Finish() {
    state_ = State::kDone;
    return Step::kDone;
  }

  State state_ = State::kHead;
  std::string buf_;
  size_t scan_ = 0;  // head: where to resume looking for the blank line
  size_t pos_ = 0;   // first unconsumed byte of buf_
  int status_ = 0;
  bool keep_alive_ = true;
  uint64_t remaining_ = 0;  // of the body (Content-Length) or of the current chunk
  std::string body_;
};

// One worker's counts; merged into the totals after the workers are joined.
struct Stats {
  std::vector<uint32_t> latency_us;  // measured answers, from the scheduled time
  std::vector<uint32_t> service_us;  // measured answers, from the write
  std::vector<std::pair<uint32_t, uint32_t>> timeline;  // (scheduled, latency) us, if asked
  uint64_t scheduled = 0;            // measured requests scheduled (closed loop: sent)
  uint64_t ok = 0;                   // measured answers with the expected status
  uint64_t errors_status = 0;
  uint64_t errors_socket = 0;  // includes timeouts
  uint64_t timeouts = 0;
  uint64_t connect_errors = 0;
  uint64_t reconnects = 0;
  uint64_t ok_in_window = 0;  // expected-status answers completed inside the window
  uint64_t queued_at_end = 0;
  uint64_t abandoned = 0;
  uint64_t max_queue = 0;

  void Merge(const Stats& o) {
    latency_us.insert(latency_us.end(), o.latency_us.begin(), o.latency_us.end());
    service_us.insert(service_us.end(), o.service_us.begin(), o.service_us.end());
    timeline.insert(timeline.end(), o.timeline.begin(), o.timeline.end());
    scheduled += o.scheduled;
    ok += o.ok;
    errors_status += o.errors_status;
    errors_socket += o.errors_socket;
    timeouts += o.timeouts;
    connect_errors += o.connect_errors;
    reconnects += o.reconnects;
    ok_in_window += o.ok_in_window;
    queued_at_end += o.queued_at_end;
    abandoned += o.abandoned;
    max_queue = std::max(max_queue, o.max_queue);
  }
};

// What all workers share (read-only but for the counters, which are atomic).
struct Shared {
  Options opt;
  Target target;
  const RequestBuilder* builder = nullptr;
  std::atomic<uint64_t> seq{1};
  std::atomic<int> bodies_printed{0};
  Nanos start = 0;  // written by the barrier's completion, read after it
};

// One epoll loop and the connections it owns. Used by one thread only.
class Worker {
 public:
  Worker(Shared& shared, int index, int connections)
      : sh_(shared), index_(index), conns_(static_cast<size_t>(connections)) {}

  const Stats& stats() const { return stats_; }

  // Pre-connects, waits at `ready` for every worker, runs, drains. Returns false (with a
  // message on stderr) only if the epoll/timer set-up fails.
  template <typename Barrier>
  bool Run(Barrier& ready) {
    epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
    timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    bool ok = epoll_.get() >= 0 && timer_.get() >= 0;
    if (ok) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kTimerTag;
      ok = epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, timer_.get(), &ev) == 0;
    }
    if (!ok) std::fprintf(stderr, "loadgen: epoll/timerfd: %s\n", std::strerror(errno));
    timeout_ = static_cast<Nanos>(sh_.opt.timeout * kSecond);
    // Connect before the clock starts, so the first requests do not pay for it. Paced a
    // few per millisecond: a burst of SYNs overflows a short accept queue (listen
    // backlog), and a connection whose handshake the server dropped looks established
    // here but stalls its first request for a SYN-ACK retransmission (1 s, 2 s, 4 s...).
    for (size_t i = 0; ok && i < conns_.size(); ++i) {
      if (i > 0 && i % kPreConnectBatch == 0) {
        for (Nanos until = Now() + kMilli; Now() < until;) Poll(1);
      }
      StartConnect(i, Now());
    }
    Nanos connect_deadline = Now() + timeout_;
    while (ok && Now() < connect_deadline &&
           std::any_of(conns_.begin(), conns_.end(),
                       [](const Connection& c) { return c.state == ConnState::kConnecting; })) {
      Poll(10);
    }
    ready.arrive_and_wait();
    if (!ok) return false;
    Loop();
    return true;
  }

 private:
  static constexpr uint64_t kTimerTag = UINT64_MAX;
  enum class ConnState { kDown, kConnecting, kIdle, kBusy };
  enum class Phase { kPreConnect, kRunning, kDraining };

  struct Connection {
    UniqueFd fd;
    ConnState state = ConnState::kDown;
    uint32_t events = 0;  // registered with epoll
    bool in_idle_list = false;
    std::string out;
    size_t out_off = 0;
    ResponseParser parser;
    Nanos scheduled = 0;  // of the request in flight
    Nanos sent = 0;
    Nanos since = 0;  // kDown: retry time; kConnecting: when it began
  };

  void Loop() {
    open_loop_ = sh_.opt.rate > 0;
    const Nanos start = sh_.start;
    measure_from_ = start + static_cast<Nanos>(sh_.opt.warmup * kSecond);
    end_ = measure_from_ + static_cast<Nanos>(sh_.opt.duration * kSecond);
    if (open_loop_) interval_ = static_cast<double>(kSecond) / sh_.opt.rate;
    phase_ = Phase::kRunning;
    Nanos drain_deadline = 0;
    Nanos next_scan = start;
    Dispatch(Now());  // closed loop: every connection starts
    for (;;) {
      Nanos now = Now();
      if (phase_ == Phase::kRunning && open_loop_) {
        // Catch up: every request due by now is queued, however late the loop woke.
        for (Nanos due; (due = Due(next_slot_)) <= now && due < end_; ++next_slot_) {
          queue_.push_back(due);
          if (due >= measure_from_) ++stats_.scheduled;
        }
        stats_.max_queue = std::max<uint64_t>(stats_.max_queue, queue_.size());
        Dispatch(now);
      }
      if (phase_ == Phase::kRunning && now >= end_) {
        phase_ = Phase::kDraining;
        stats_.queued_at_end = queue_.size();
        queue_.clear();
        drain_deadline = now + kDrainGrace;
      }
      if (now >= next_scan) {
        Scan(now);
        next_scan = now + kScanInterval;
      }
      if (phase_ == Phase::kDraining && (busy_ == 0 || now >= drain_deadline)) {
        stats_.abandoned = busy_;
        return;
      }
      if (phase_ == Phase::kRunning) ArmTimer(open_loop_ ? std::min(Due(next_slot_), end_) : end_);
      Poll(static_cast<int>(kScanInterval / kMilli));
    }
  }

  // This worker's slot k of the global schedule: every threads-th 1/rate tick.
  Nanos Due(uint64_t k) const {
    double tick = static_cast<double>(k) * sh_.opt.threads + index_;
    return sh_.start + static_cast<Nanos>(tick * interval_);
  }

  void ArmTimer(Nanos at) {
    if (at == armed_at_) return;
    armed_at_ = at;
    itimerspec its{};
    its.it_value.tv_sec = at / kSecond;
    its.it_value.tv_nsec = at % kSecond;
    timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &its, nullptr);
  }

  void Poll(int timeout_ms) {
    epoll_event events[256];
    int n = epoll_wait(epoll_.get(), events, 256, timeout_ms);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kTimerTag) {
        uint64_t expirations;
        while (read(timer_.get(), &expirations, sizeof expirations) > 0) {
        }
        armed_at_ = 0;
        continue;
      }
      OnEvent(static_cast<size_t>(events[i].data.u64), events[i].events);
    }
  }

  void OnEvent(size_t i, uint32_t ev) {
    Connection& c = conns_[i];
    Nanos now = Now();
    switch (c.state) {
      case ConnState::kConnecting: {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err != 0) {
          ++stats_.connect_errors;
          Down(i, now + kConnectRetry);
          return;
        }
        if ((ev & EPOLLOUT) == 0) return;
        SetEvents(c, i, EPOLLIN);
        OnIdle(i, now);
        return;
      }
      case ConnState::kIdle: {  // the server closed an idle connection (or talks out of turn)
        Reconnect(i, now);
        return;
      }
      case ConnState::kBusy:
        if ((ev & EPOLLOUT) && c.out_off < c.out.size()) {
          Flush(i, now);
          if (c.state != ConnState::kBusy) return;
        }
        if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) Read(i, now);
        return;
      case ConnState::kDown:
        return;
    }
  }

  void StartConnect(size_t i, Nanos now) {
    Connection& c = conns_[i];
    c.parser.Reset();
    c.fd.reset(socket(sh_.target.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    c.events = 0;
    if (c.fd.get() < 0) {
      ++stats_.connect_errors;
      Down(i, now + kConnectRetry);
      return;
    }
    int one = 1;
    setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = connect(c.fd.get(), reinterpret_cast<const sockaddr*>(&sh_.target.addr),
                     sh_.target.addr_len);
    if (rc != 0 && errno != EINPROGRESS) {
      ++stats_.connect_errors;
      Down(i, now + kConnectRetry);
      return;
    }
    // Even a connect that completed at once goes through epoll (EPOLLOUT fires at once),
    // so a server that keeps failing cannot make connect/send/reconnect recurse.
    c.state = ConnState::kConnecting;
    c.since = now;
    SetEvents(c, i, EPOLLOUT);
  }

  void Down(size_t i, Nanos retry_at) {
    Connection& c = conns_[i];
    c.fd.reset();
    c.events = 0;
    c.state = ConnState::kDown;
    c.since = retry_at;
  }

  void Reconnect(size_t i, Nanos now) {
    ++stats_.reconnects;
    StartConnect(i, now);
  }

  void SetEvents(Connection& c, size_t i, uint32_t events) {
    if (c.events == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = i;
    epoll_ctl(epoll_.get(), c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd.get(), &ev);
    c.events = events;
  }

  void OnIdle(size_t i, Nanos now) {
    Connection& c = conns_[i];
    c.state = ConnState::kIdle;
    if (!c.in_idle_list) {
      c.in_idle_list = true;
      idle_.push_back(i);
    }
    Dispatch(now);
  }

  // Pairs free connections with queued requests (closed loop: with a request sent now).
  void Dispatch(Nanos now) {
    if (phase_ != Phase::kRunning) return;
    while (!idle_.empty() && (!open_loop_ || !queue_.empty())) {
      size_t i = idle_.front();
      idle_.pop_front();
      conns_[i].in_idle_list = false;
      if (conns_[i].state != ConnState::kIdle) continue;  // reconnecting since
      Nanos scheduled = now;
      if (open_loop_) {
        scheduled = queue_.front();
        queue_.pop_front();
      } else if (now >= measure_from_) {
        ++stats_.scheduled;
      }
      Send(i, scheduled, now);
    }
  }

  void Send(size_t i, Nanos scheduled, Nanos now) {
    Connection& c = conns_[i];
    sh_.builder->Build(sh_.seq.fetch_add(1, std::memory_order_relaxed), &c.out);
    c.out_off = 0;
    c.scheduled = scheduled;
    c.sent = now;
    c.state = ConnState::kBusy;
    c.parser.Reset();
    ++busy_;
    Flush(i, now);
  }

  void Flush(size_t i, Nanos now) {
    Connection& c = conns_[i];
    while (c.out_off < c.out.size()) {
      ssize_t n = send(c.fd.get(), c.out.data() + c.out_off, c.out.size() - c.out_off,
                       MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && errno == EAGAIN) {
        SetEvents(c, i, EPOLLIN | EPOLLOUT);
        return;
      } else {
        Fail(i, now, false);
        return;
      }
    }
    SetEvents(c, i, EPOLLIN);
  }

  void Read(size_t i, Nanos now) {
    Connection& c = conns_[i];
    for (;;) {
      ssize_t n = recv(c.fd.get(), rbuf_, sizeof rbuf_, 0);
      ResponseParser::Step step;
      if (n > 0) {
        step = c.parser.Feed(rbuf_, static_cast<size_t>(n));
      } else if (n == 0) {
        step = c.parser.Eof();
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN) {
        return;
      } else {
        step = ResponseParser::Step::kError;
      }
      if (step == ResponseParser::Step::kDone) {
        Complete(i, Now(), n == 0);
        return;
      }
      if (step == ResponseParser::Step::kError) {
        Fail(i, now, false);
        return;
      }
    }
  }

  void Complete(size_t i, Nanos now, bool closed) {
    Connection& c = conns_[i];
    --busy_;
    int status = c.parser.status();
    bool expected = status == sh_.opt.expect_status;
    if (c.scheduled >= measure_from_) {
      stats_.latency_us.push_back(ToMicros(now - c.scheduled));
      stats_.service_us.push_back(ToMicros(now - c.sent));
      if (!sh_.opt.timeline.empty())
        stats_.timeline.emplace_back(ToMicros(c.scheduled - measure_from_),
                                     ToMicros(now - c.scheduled));
      if (expected) {
        ++stats_.ok;
      } else {
        ++stats_.errors_status;
      }
    }
    if (expected && now >= measure_from_ && now < end_) ++stats_.ok_in_window;
    if (!expected && sh_.bodies_printed.fetch_add(1) < 3) {
      std::fprintf(stderr, "loadgen: unexpected status %d: %s\n", status,
                   c.parser.body_sample().c_str());
    }
    if (closed || !c.parser.keep_alive()) {
      Reconnect(i, now);
    } else {
      c.parser.Reset();
      OnIdle(i, now);
    }
  }

  // The request in flight on connection i is lost; the connection is re-opened.
  void Fail(size_t i, Nanos now, bool timed_out) {
    Connection& c = conns_[i];
    --busy_;
    if (c.scheduled >= measure_from_) {
      ++stats_.errors_socket;
      if (timed_out) ++stats_.timeouts;
    }
    Reconnect(i, now);
  }

  // Timeouts, and connections due for another connect attempt.
  void Scan(Nanos now) {
    for (size_t i = 0; i < conns_.size(); ++i) {
      Connection& c = conns_[i];
      if (c.state == ConnState::kBusy && now - c.sent > timeout_) {
        Fail(i, now, true);
      } else if (c.state == ConnState::kConnecting && now - c.since > timeout_) {
        ++stats_.connect_errors;
        Down(i, now);
      } else if (c.state == ConnState::kDown && now >= c.since && phase_ == Phase::kRunning) {
        StartConnect(i, now);
      }
    }
  }

  static uint32_t ToMicros(Nanos d) {
    return static_cast<uint32_t>(std::clamp<Nanos>((d + 500) / 1000, 0, UINT32_MAX));
  }

  Shared& sh_;
  const int index_;
  std::vector<Connection> conns_;
  UniqueFd epoll_;
  UniqueFd timer_;
  Stats stats_;
  Phase phase_ = Phase::kPreConnect;
  bool open_loop_ = false;
  Nanos timeout_ = 0;
  Nanos measure_from_ = 0;
  Nanos end_ = 0;
  double interval_ = 0;  // ns between two global schedule ticks
  uint64_t next_slot_ = 0;
  Nanos armed_at_ = 0;
  uint64_t busy_ = 0;
  // Free connections, least recently used first: at a low rate every connection still
  // gets requests, so none sits idle until the server's keep-alive timeout closes it.
  std::deque<size_t> idle_;
  std::deque<Nanos> queue_;  // scheduled times of requests waiting for a connection
  char rbuf_[64 * 1024];
};

double Percentile(const std::vector<uint32_t>& sorted, double p) {  // nearest rank, in ms
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1] / 1000.0;
}

void Report(const Options& o, Stats& s) {
  if (!o.timeline.empty()) {
    std::sort(s.timeline.begin(), s.timeline.end());
    if (FILE* f = std::fopen(o.timeline.c_str(), "w")) {
      std::fprintf(f, "scheduled_us,latency_us\n");
      for (const auto& [at, lat] : s.timeline) std::fprintf(f, "%u,%u\n", at, lat);
      std::fclose(f);
    } else {
      std::fprintf(stderr, "loadgen: cannot write %s\n", o.timeline.c_str());
    }
  }
  std::sort(s.latency_us.begin(), s.latency_us.end());
  std::sort(s.service_us.begin(), s.service_us.end());
  const std::vector<uint32_t>& l = s.latency_us;
  const std::vector<uint32_t>& v = s.service_us;
  double rate = static_cast<double>(s.ok_in_window) / o.duration;
  const char* mode = o.rate > 0 ? "open" : "closed";
  FILE* text = o.json ? stderr : stdout;
  std::fprintf(text,
               "%s loop, %d connections, %d thread(s), %.3g s after %.3g s warmup, offered "
               "%.0f req/s\n",
               mode, o.connections, o.threads, o.duration, o.warmup, o.rate);
  std::fprintf(text,
               "  scheduled %" PRIu64 "  answered %zu  completions %.1f/s  (status %d: %" PRIu64
               ")\n",
               s.scheduled, l.size(), rate, o.expect_status, s.ok);
  std::fprintf(text,
               "  errors: status %" PRIu64 ", socket %" PRIu64 " (timeouts %" PRIu64
               "), connect %" PRIu64 "; reconnects %" PRIu64 "\n",
               s.errors_status, s.errors_socket, s.timeouts, s.connect_errors, s.reconnects);
  std::fprintf(text,
               "  latency ms (from %s): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
               o.rate > 0 ? "scheduled time" : "send", Percentile(l, .5), Percentile(l, .9),
               Percentile(l, .99), Percentile(l, .999), Percentile(l, 1));
  std::fprintf(text, "  service ms (from send): p50 %.3f  p99 %.3f  max %.3f\n", Percentile(v, .5),
               Percentile(v, .99), Percentile(v, 1));
  std::fprintf(text,
               "  queued at end %" PRIu64 " (max queue %" PRIu64 "), abandoned in flight %" PRIu64
               "\n",
               s.queued_at_end, s.max_queue, s.abandoned);
  if (s.queued_at_end > 0) {
    std::fprintf(text, "  WARNING: the server did not keep up; percentiles understate\n");
  }
  if (o.json) {
    std::printf(
        "{\"mode\":\"%s\",\"connections\":%d,\"threads\":%d,\"duration_s\":%g,\"warmup_s\":%g,"
        "\"offered_rate\":%g,\"completions_per_s\":%.1f,\"scheduled\":%" PRIu64
        ",\"count\":%zu,\"ok\":%" PRIu64 ",\"errors_status\":%" PRIu64
        ",\"errors_socket\":%" PRIu64 ",\"timeouts\":%" PRIu64 ",\"connect_errors\":%" PRIu64
        ",\"reconnects\":%" PRIu64
        ",\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f},"
        "\"service_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"queued_at_end\":%" PRIu64
        ",\"max_queue\":%" PRIu64 ",\"abandoned\":%" PRIu64 "}\n",
        mode, o.connections, o.threads, o.duration, o.warmup, o.rate, rate, s.scheduled, l.size(),
        s.ok, s.errors_status, s.errors_socket, s.timeouts, s.connect_errors, s.reconnects,
        Percentile(l, .5), Percentile(l, .9), Percentile(l, .99), Percentile(l, .999),
        Percentile(l, 1), Percentile(v, .5), Percentile(v, .99), Percentile(v, 1),
        s.queued_at_end, s.max_queue, s.abandoned);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"loadgen: open-loop (or closed-loop) HTTP/1.1 load generator", "loadgen"};
  app.add_option("--url", o.url, "http://HOST:PORT/PATH")->required();
  app.add_option("--method", o.method, "HTTP method (default GET)");
  app.add_option("--header", o.headers, "\"Name: value\"; repeatable");
  app.add_option("--body-template", o.body_template, "Request body; {n} = sequence number");
  app.add_option("--connections", o.connections, "Keep-alive connections (default 10)")
      ->check(CLI::PositiveNumber);
  app.add_option("--rate", o.rate, "Requests/s over all connections; 0 = closed loop (default)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--duration", o.duration, "Measured seconds (default 10)")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup, "Unmeasured seconds first (default 0)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--threads", o.threads, "Worker threads (default 1)")->check(CLI::PositiveNumber);
  app.add_option("--timeout", o.timeout, "Per-request timeout, seconds (default 10)")
      ->check(CLI::PositiveNumber);
  app.add_option("--expect-status", o.expect_status, "Status of a good answer (default 200)");
  app.add_option("--timeline", o.timeline,
                 "Write every measured answer to this CSV (scheduled_us, latency_us)");
  app.add_flag("--json", o.json, "Also print one JSON object on stdout (text goes to stderr)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (o.threads > o.connections) {
    std::fprintf(stderr, "loadgen: --threads must not exceed --connections\n");
    return 2;
  }
  Shared sh;
  std::string err;
  if (!ParseTarget(o.url, &sh.target, &err)) {
    std::fprintf(stderr, "loadgen: %s\n", err.c_str());
    return 2;
  }
  sh.opt = o;
  RequestBuilder builder(o, sh.target);
  sh.builder = &builder;

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    int n = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(sh, t, n));
  }
  auto start_clock = [&sh]() noexcept { sh.start = Now(); };
  std::barrier ready(o.threads, start_clock);
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&w, &ready, &failed] {
      if (!w->Run(ready)) failed = true;
    });
  }
  for (std::thread& t : threads) t.join();
  if (failed) return 2;
  Stats total;
  for (const auto& w : workers) total.Merge(w->stats());
  Report(o, total);
  return 0;
}
