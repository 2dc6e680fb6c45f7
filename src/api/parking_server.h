// ParkingServer: a cpp-httplib server whose idle keep-alive connections wait
// in epoll instead of holding a pool thread.
//
// cpp-httplib 0.11 (Debian 12's) serves each connection on one pool thread
// for its whole life, and waits for the next request on a keep-alive
// connection by polling it every ~11 ms. So N clients keeping connections open
// need N threads, and each idle one wakes ~85 times a second: 200 laptops
// checking in meant 200 threads and ~17,000 wakeups/s before any work, and the
// 201st client waited for a thread to free up.
//
// Here a connection waits in epoll between requests ("parked"). A fixed set
// of threads waits in the same epoll: the kernel wakes one per connection
// whose next request's bytes arrive, and that thread serves it and parks it
// again — no hand-off between threads, so one wakeup per request. Threads are
// bounded whatever the number of connections, and an idle connection costs a
// map entry. Request parsing, limits and responses stay cpp-httplib's
// (Server::process_request), so behaviour on the wire is unchanged:
// keep-alive timeout and request count, read and write timeouts,
// Expect: 100-continue.
//
// A connection's unread bytes (a pipelined next request) stay with it, so the
// same thread serves it at once instead of parking it. Responses are written in one
// send (cpp-httplib writes headers and body separately).
//
// Thread-safety: configure before listening, like httplib::Server; stop() from
// any thread. Ownership: owns every accepted socket until it is closed.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace spacecrab {

struct ParkingServerOptions {
  size_t threads = 8;  // threads serving requests (requests in flight at most)
  std::chrono::seconds keep_alive_timeout{5};
  size_t keep_alive_max_requests = 10000;
  std::chrono::seconds read_timeout{15};
  std::chrono::seconds write_timeout{15};
};

class ParkingServer final : public httplib::Server {
 public:
  explicit ParkingServer(ParkingServerOptions options);
  ~ParkingServer() override;

  // bind_to_port / bind_to_any_port (port 0), then raises the listen backlog
  // to SOMAXCONN: cpp-httplib 0.11 listens with 5 (compiled into Debian's
  // library), so when a fleet connects at once — 9 a.m., or after a restart —
  // the kernel drops handshakes past it and those clients stall 1-7 s in SYN
  // retries. Returns the bound port, or -1.
  int Bind(const std::string& host, int port);

  // Connections waiting for their next request right now (for tests).
  size_t parked_connections() const;

  class Lot;  // the parked connections and the threads serving them

 private:
  bool process_and_close_socket(socket_t sock) override;

  const ParkingServerOptions options_;
  std::unique_ptr<Lot> lot_;
};

}  // namespace spacecrab
