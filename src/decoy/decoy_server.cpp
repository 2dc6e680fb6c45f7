#include "decoy/decoy_server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <strings.h>
#include <sys/socket.h>

#include <charconv>
#include <filesystem>

#include "aws/uri_encoding.h"

namespace spacecrab::decoy {
namespace {

// Headers httplib adds to every request itself; they never came from the client.
bool IsSyntheticHeader(std::string_view name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

std::optional<size_t> DeclaredLength(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  const std::string v = req.get_header_value("Content-Length");
  size_t n = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return n;
}

// cpp-httplib 0.11 percent-decodes header values. x-amz-copy-source is the one
// signed header SDKs send percent-encoded (bucket/key quoted with '/' kept,
// then an optional "?versionId=..."): encode it back so the signature over
// what the client actually sent can still be checked.
std::string ReencodeCopySource(const std::string& decoded) {
  const size_t version = decoded.find("?versionId=");
  std::string out = aws::UriEncode(decoded.substr(0, version), /*keep_slash=*/true);
  if (version != std::string::npos) out += decoded.substr(version);
  return out;
}

IncomingRequest ToIncoming(const httplib::Request& req, bool body_read) {
  IncomingRequest in;
  in.http.method = req.method;
  const size_t q = req.target.find('?');
  in.http.path = req.target.substr(0, q);
  if (q != std::string::npos) in.http.query = req.target.substr(q + 1);
  for (const auto& [name, value] : req.headers) {
    if (IsSyntheticHeader(name)) continue;
    const bool copy_source = ::strcasecmp(name.c_str(), "x-amz-copy-source") == 0;
    in.http.headers.emplace_back(name, copy_source ? ReencodeCopySource(value) : value);
  }
  if (body_read) {
    in.body = req.body;
    in.body_bytes = req.body.size();
  } else {
    in.body_bytes = DeclaredLength(req).value_or(0);
  }
  in.source_ip = req.remote_addr;
  if (req.ssl != nullptr) {
    in.tls = true;
    in.tls_version = SSL_get_version(req.ssl);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(req.ssl))
      in.tls_cipher = SSL_CIPHER_get_name(cipher);
  }
  return in;
}

void WriteResponse(const DecoyResponse& r, httplib::Response& res) {
  res.status = r.status;
  for (const auto& [name, value] : r.headers) res.set_header(name, value);
  res.set_content(r.body, r.content_type);
}

}  // namespace

Status SetListenAddress(DecoyServerOptions& options, std::string_view host_port) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return InvalidArgument("expected HOST:PORT, got '" + std::string(host_port) + "'");
  std::string_view host = host_port.substr(0, colon);
  const std::string_view port = host_port.substr(colon + 1);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  int value = -1;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 0 ||
      value > 65535) {
    return InvalidArgument("expected HOST:PORT, got '" + std::string(host_port) + "'");
  }
  options.host = std::string(host);
  options.port = value;
  return Status::Ok();
}

Expected<std::unique_ptr<DecoyServer>> DecoyServer::Create(DecoyServerOptions options) {
  if (options.responder.keys == nullptr || options.responder.records == nullptr)
    return InvalidArgument("decoy server needs a key lookup and a record sink");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty())
    return InvalidArgument("[decoy] tls_cert and tls_key must be set together");
  if (options.worker_threads == 0 || options.max_pending_connections == 0 ||
      options.max_body_bytes == 0) {
    return InvalidArgument("decoy server limits must be positive");
  }
  std::unique_ptr<DecoyServer> server(new DecoyServer(std::move(options)));
  if (server->tls_) {
    for (const auto& path : {server->options_.tls_cert_file, server->options_.tls_key_file}) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec))
        return InvalidArgument("[decoy] TLS file '" + path + "' is not a readable file");
    }
    server->http_ = std::make_unique<httplib::SSLServer>(server->options_.tls_cert_file.c_str(),
                                                         server->options_.tls_key_file.c_str());
  } else {
    server->http_ = std::make_unique<httplib::Server>();
  }
  if (!server->http_->is_valid()) {
    return InvalidArgument("[decoy] cannot load TLS certificate '" +
                           server->options_.tls_cert_file + "' / key '" +
                           server->options_.tls_key_file + "'");
  }
  server->Install();
  return server;
}

DecoyServer::DecoyServer(DecoyServerOptions options)
    : options_(std::move(options)),
      tls_(!options_.tls_cert_file.empty()),
      responder_(std::make_unique<DecoyResponder>(options_.responder)),
      queue_stats_(std::make_shared<ConnectionQueueStats>()) {}

DecoyServer::~DecoyServer() { Stop(); }

void DecoyServer::Install() {
  httplib::Server& s = *http_;
  const size_t threads = options_.worker_threads;
  const size_t pending = options_.max_pending_connections;
  auto stats = queue_stats_;
  s.new_task_queue = [threads, pending, stats] {
    return new BoundedTaskQueue(threads, pending, stats);
  };
  s.set_read_timeout(options_.read_timeout);
  s.set_write_timeout(options_.write_timeout);
  s.set_keep_alive_timeout(options_.keep_alive_timeout.count());
  s.set_keep_alive_max_count(options_.keep_alive_max_requests);
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // process silently share the port; only allow quick rebinding.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  DecoyResponder* responder = responder_.get();
  const size_t max_body = options_.max_body_bytes;
  auto answer = [responder](const httplib::Request& req, httplib::Response& res, bool body_read) {
    WriteResponse(responder->Handle(ToIncoming(req, body_read)), res);
  };
  // A body over the limit is never read: the request is answered (and
  // recorded) from its headers, as AWS answers before reading an upload.
  auto oversized = [max_body](const httplib::Request& req) {
    const auto declared = DeclaredLength(req);
    return declared && *declared > max_body;
  };
  s.set_expect_100_continue_handler(
      [answer, oversized](const httplib::Request& req, httplib::Response& res) {
        if (!oversized(req)) return 100;
        answer(req, res, false);
        return res.status;
      });
  s.set_pre_routing_handler(
      [answer, oversized](const httplib::Request& req, httplib::Response& res) {
        if (!oversized(req)) return httplib::Server::HandlerResponse::Unhandled;
        answer(req, res, false);
        return httplib::Server::HandlerResponse::Handled;
      });
  // Every path, including ones with encoded newlines.
  const std::string any = R"([\s\S]*)";
  auto handler = [answer](const httplib::Request& req, httplib::Response& res) {
    answer(req, res, true);
  };
  s.Get(any, handler);
  s.Post(any, handler);
  s.Put(any, handler);
  s.Delete(any, handler);
  s.Patch(any, handler);
  s.Options(any, handler);
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    // Never echo internals (httplib would put e.what() in a header).
    res.status = 500;
    res.set_content(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>"
        "We encountered an internal error. Please try again.</Message></Error>",
        "application/xml");
  });
}

Status DecoyServer::Start() {
  if (listener_.joinable()) return FailedPrecondition("decoy server already started");
  if (options_.port == 0) {
    bound_port_ = http_->bind_to_any_port(options_.host);
  } else {
    bound_port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (bound_port_ <= 0) {
    return Unavailable("decoy endpoint cannot listen on " + options_.host + ":" +
                       std::to_string(options_.port));
  }
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs; wait so Stop() always works.
  for (int i = 0; i < 5000 && !http_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void DecoyServer::Stop() {
  if (!listener_.joinable()) return;
  http_->stop();
  listener_.join();
}

}  // namespace spacecrab::decoy
