#include "api/parking_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace spacecrab {
namespace {

using Clock = std::chrono::steady_clock;

class ParkingServerTest : public ::testing::Test {
 protected:
  void Start(ParkingServerOptions options) {
    server_ = std::make_unique<ParkingServer>(options);
    server_->Get("/x", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    server_->Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.body, "text/plain");
    });
    port_ = server_->Bind("127.0.0.1", 0);
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ParkingServerTest() override {
    for (int fd : fds_) ::close(fd);
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }

  int Connect() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    fds_.push_back(fd);
    return fd;
  }
  static void Send(int fd, const std::string& bytes) {
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
  }
  // Reads until `count` complete responses with small bodies (Content-Length)
  // arrived, the peer closed, or 3 s passed. Returns what was read.
  static std::string Read(int fd, int count, bool* closed = nullptr) {
    std::string got;
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    while (Clock::now() < deadline) {
      int complete = 0;
      for (size_t at = got.find("\r\n\r\n"); at != std::string::npos;
           at = got.find("\r\n\r\n", at + 4)) {
        const size_t head = got.rfind("HTTP/1.1 ", at);
        const size_t cl = got.find("Content-Length: ", head);
        const size_t len = cl < at ? std::stoul(got.substr(cl + 16)) : 0;
        if (got.size() >= at + 4 + len) ++complete;
      }
      if (complete >= count) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      got.append(buf, size_t(n));
    }
    return got;
  }
  static int Count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  std::unique_ptr<ParkingServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::vector<int> fds_;
};

const std::string kGet = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

TEST_F(ParkingServerTest, ManyKeepAliveConnectionsShareTwoThreads) {
  // Two threads, 60 connections kept open: with a thread per connection the
  // third client would wait for the first to time out.
  Start({.threads = 2, .keep_alive_timeout = std::chrono::seconds(30)});
  std::vector<int> conns;
  for (int i = 0; i < 60; ++i) conns.push_back(Connect());
  const auto start = Clock::now();
  for (int round = 0; round < 3; ++round) {
    for (int fd : conns) {
      Send(fd, kGet);
      const std::string r = Read(fd, 1);
      ASSERT_EQ(r.rfind("HTTP/1.1 200 OK", 0), 0u) << r;
      EXPECT_NE(r.find("\r\n\r\nok"), std::string::npos);
    }
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  // Between requests every connection waits in the lot, not on a thread.
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (server_->parked_connections() < 60 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(server_->parked_connections(), 60u);
}

TEST_F(ParkingServerTest, PipelinedRequestsAreAllAnsweredInOrder) {
  Start({.threads = 2});
  const int fd = Connect();
  Send(fd, kGet + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + kGet);
  const std::string r = Read(fd, 3);
  EXPECT_EQ(Count(r, "HTTP/1.1 200 OK"), 3) << r;
  const size_t first = r.find("\r\n\r\nok"), echo = r.find("\r\n\r\nhello");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(echo, std::string::npos);
  EXPECT_LT(first, echo);
  EXPECT_NE(r.find("\r\n\r\nok", echo), std::string::npos);
}

TEST_F(ParkingServerTest, ExpectContinueGetsItsInterimAnswerBeforeTheBody) {
  Start({.threads = 1});
  const int fd = Connect();
  Send(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  std::string interim;
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (interim.find("\r\n\r\n") == std::string::npos && Clock::now() < deadline) {
    char buf[256];
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    interim.append(buf, size_t(n));
  }
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue", 0), 0u) << interim;
  Send(fd, "ping");
  const std::string r = Read(fd, 1);
  EXPECT_NE(r.find("\r\n\r\nping"), std::string::npos) << r;
}

TEST_F(ParkingServerTest, IdleConnectionsCloseAfterTheKeepAliveTimeout) {
  Start({.threads = 1, .keep_alive_timeout = std::chrono::seconds(1)});
  const int fd = Connect();
  Send(fd, kGet);
  ASSERT_EQ(Read(fd, 1).rfind("HTTP/1.1 200", 0), 0u);
  const auto idle = Clock::now();
  bool closed = false;
  Read(fd, 1, &closed);  // nothing more comes; the server hangs up
  EXPECT_TRUE(closed);
  const auto waited = Clock::now() - idle;
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::milliseconds(2500));
}

TEST_F(ParkingServerTest, TheLastRequestAllowedOnAConnectionClosesIt) {
  Start({.threads = 1, .keep_alive_max_requests = 3});
  const int fd = Connect();
  for (int i = 0; i < 2; ++i) {
    Send(fd, kGet);
    const std::string r = Read(fd, 1);
    EXPECT_EQ(r.find("Connection: close"), std::string::npos);
  }
  Send(fd, kGet);
  bool closed = false;
  const std::string r = Read(fd, 2, &closed);
  EXPECT_NE(r.find("Connection: close"), std::string::npos) << r;
  EXPECT_TRUE(closed);
}

TEST_F(ParkingServerTest, StopClosesParkedConnections) {
  Start({.threads = 1, .keep_alive_timeout = std::chrono::seconds(30)});
  const int fd = Connect();
  Send(fd, kGet);
  ASSERT_EQ(Read(fd, 1).rfind("HTTP/1.1 200", 0), 0u);
  server_->stop();
  thread_.join();
  server_.reset();
  bool closed = false;
  Read(fd, 1, &closed);
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace spacecrab
