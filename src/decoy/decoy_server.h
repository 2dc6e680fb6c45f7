// DecoyServer: the decoy AWS endpoint's own HTTP or HTTPS listener.
//
// Decoy tokens carry this endpoint's URL (DecoyConfig.endpoint_url); any AWS
// tool pointed at it reaches DecoyResponder, which answers as AWS would and
// records the request. The listener is built to face hostile clients:
//   - request line and each header line at most 8 KiB (cpp-httplib's
//     compiled-in limit), bodies at most `max_body_bytes` (larger ones are
//     answered from their headers alone, without reading the body);
//   - per-read / per-write timeouts against slow clients, and a keep-alive
//     idle timeout and request cap per connection. cpp-httplib 0.11 has no
//     whole-request deadline and no cap on the number of header lines: a
//     client that keeps dripping header lines inside the read timeout holds
//     one worker (and its header memory) until it stops; the bounded worker
//     pool keeps that from spreading beyond this endpoint;
//   - `worker_threads` workers and at most `max_pending_connections` accepted
//     connections waiting for one (BoundedTaskQueue);
//   - every byte is parsed defensively (fuzzed: fuzz/decoy/).
//
// Usage (RunServe):
//   DecoyServerOptions o; o.responder.keys = &lookup; o.responder.records = &sink;
//   SC_RETURN_IF_ERROR(SetListenAddress(o, config.decoy.listen));
//   SC_ASSIGN_OR_RETURN(auto server, DecoyServer::Create(std::move(o)));
//   SC_RETURN_IF_ERROR(server->Start());   ... server->Stop();
//
// Thread-safety: Start/Stop from one controlling thread; stats()/port() from any.
// Ownership: the server owns its socket, threads and responder; the lookup and
// record sink named in the options are borrowed and must outlive the server.
// Failure: Create fails (InvalidArgument) on bad options or an unreadable TLS
// certificate/key; Start fails (Unavailable) if the address cannot be bound.
// The process should ignore SIGPIPE (a client may vanish mid-write).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.h"
#include "decoy/bounded_task_queue.h"
#include "decoy/decoy_responder.h"

namespace httplib {
class Server;
}

namespace spacecrab::decoy {

struct DecoyServerOptions {
  std::string host = "127.0.0.1";
  int port = 8081;  // 0: an ephemeral port (see DecoyServer::port())
  // PEM files; when both are set the listener speaks HTTPS only.
  std::string tls_cert_file;
  std::string tls_key_file;

  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  // Also how long a connection may sit idle before its first request.
  std::chrono::seconds keep_alive_timeout{2};
  size_t keep_alive_max_requests = 100;
  size_t worker_threads = 16;
  size_t max_pending_connections = 64;

  DecoyResponderOptions responder;
};

// Sets host and port from "HOST:PORT" ("[v6]:PORT" too); InvalidArgument otherwise.
Status SetListenAddress(DecoyServerOptions& options, std::string_view host_port);

class DecoyServer final {
 public:
  static Expected<std::unique_ptr<DecoyServer>> Create(DecoyServerOptions options);
  ~DecoyServer();
  DecoyServer(const DecoyServer&) = delete;
  DecoyServer& operator=(const DecoyServer&) = delete;

  // Binds and starts serving on a background thread; returns once listening.
  Status Start();
  // Stops accepting, finishes in-flight requests, joins. Idempotent.
  void Stop();

  int port() const { return bound_port_; }
  bool tls() const { return tls_; }
  DecoyResponderStats stats() const { return responder_->stats(); }
  const ConnectionQueueStats& connection_stats() const { return *queue_stats_; }

 private:
  explicit DecoyServer(DecoyServerOptions options);
  void Install();

  DecoyServerOptions options_;
  bool tls_ = false;
  std::unique_ptr<DecoyResponder> responder_;
  std::shared_ptr<ConnectionQueueStats> queue_stats_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  int bound_port_ = -1;
};

}  // namespace spacecrab::decoy
