// The endpoint over real loopback sockets: signed requests, limits, timeouts, garbage.
#include "decoy/decoy_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "decoy/test_requests.h"

namespace spacecrab::decoy {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A connected loopback socket (closed on destruction).
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  void Send(std::string_view bytes) { (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  // Reads until the peer closes or `timeout` passes; `closed` says which.
  std::string ReadAll(milliseconds timeout, bool* closed = nullptr) {
    std::string out;
    const auto deadline = steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed != nullptr) *closed = true;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    if (closed != nullptr) *closed = false;
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class DecoyServerTest : public ::testing::Test {
 protected:
  void Start(DecoyServerOptions options = {}) {
    keys_.Add(key_);
    options.host = "127.0.0.1";
    options.port = 0;
    options.responder.keys = &keys_;
    options.responder.records = &sink_;
    auto server = DecoyServer::Create(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_TRUE(server_->Start().ok());
    host_ = "127.0.0.1:" + std::to_string(server_->port());
  }

  // A signed request as botocore would send it to this server.
  httplib::Result SendSigned(std::string service, std::string body, std::string_view secret) {
    aws::HttpRequestParts http;
    http.method = "POST";
    http.headers = {{"Host", host_},
                    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    aws::SignOptions o;
    o.service = std::move(service);
    o.time = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
    EXPECT_TRUE(
        aws::SignRequest(http, body, {key_.access_key_id, std::string(secret), ""}, o).ok());
    httplib::Headers headers;
    for (const auto& [n, v] : http.headers)
      if (n != "Content-Type" && n != "Host") headers.emplace(n, v);
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(5);
    return client.Post("/", headers, body, "application/x-www-form-urlencoded; charset=utf-8");
  }

  DecoyKey key_ = testing::MakeKey(1);
  InMemoryKeyLookup keys_;
  testing::CapturingSink sink_;
  std::unique_ptr<DecoyServer> server_;
  std::string host_;
};

TEST_F(DecoyServerTest, SignedCallerIdentityOverHttp) {
  Start();
  auto res = SendSigned("sts", "Action=GetCallerIdentity&Version=2011-06-15", testing::kSecret);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("<Arn>" + key_.arn + "</Arn>"), std::string::npos) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/xml");
  for (const auto& [name, value] : res->headers)
    EXPECT_FALSE(testing::MentionsProduct(name + ": " + value)) << name << ": " << value;
  const auto records = sink_.records();
  ASSERT_EQ(records.size(), 1u);
  const auto rec = nlohmann::json::parse(records[0].json);
  EXPECT_EQ(rec["key_check"], "verified");
  EXPECT_EQ(rec["sourceIPAddress"], "127.0.0.1");
}

TEST_F(DecoyServerTest, WrongSecretOverHttpIsKeyIdOnly) {
  Start();
  auto res = SendSigned("iam", "Action=ListUsers&Version=2010-05-08", "wrong-secret");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_NE(res->body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos);
  ASSERT_EQ(sink_.records().size(), 1u);
  EXPECT_EQ(sink_.records()[0].key_check, KeyCheck::kKeyIdOnly);
}

TEST_F(DecoyServerTest, OversizedUploadIsAnsweredAndRecordedWithoutReadingIt) {
  DecoyServerOptions options;
  options.max_body_bytes = 1024;
  Start(options);
  aws::HttpRequestParts http;
  http.method = "PUT";
  http.path = "/backups/dump.sql";
  http.headers = {{"Host", host_}, {"Content-Length", "10485760"}};
  aws::SignOptions o;
  o.service = "s3";
  o.time = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  o.add_content_sha256_header = true;
  o.payload_hash = std::string(aws::kUnsignedPayload);
  ASSERT_TRUE(aws::SignRequest(http, "", {key_.access_key_id, testing::kSecret, ""}, o).ok());
  std::string head = "PUT /backups/dump.sql HTTP/1.1\r\n";
  for (const auto& [n, v] : http.headers) head += n + ": " + v + "\r\n";
  head += "Expect: 100-continue\r\n\r\n";
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.connected());
  conn.Send(head);
  const std::string reply = conn.ReadAll(milliseconds(3000));
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 403")) << reply;
  EXPECT_NE(reply.find("<Code>AccessDenied</Code>"), std::string::npos);
  ASSERT_EQ(sink_.records().size(), 1u);
  const auto rec = nlohmann::json::parse(sink_.records()[0].json);
  EXPECT_EQ(rec["eventName"], "PutObject");
  EXPECT_EQ(rec["key_check"], "verified");
}

TEST_F(DecoyServerTest, EncodedCopySourceStillVerifies) {
  Start();
  aws::HttpRequestParts http;
  http.method = "PUT";
  http.path = "/dst/copy.txt";
  http.headers = {{"Host", host_}, {"x-amz-copy-source", "src/a%20b%2Bc.txt?versionId=v1"}};
  aws::SignOptions o;
  o.service = "s3";
  o.time = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  o.add_content_sha256_header = true;
  ASSERT_TRUE(aws::SignRequest(http, "", {key_.access_key_id, testing::kSecret, ""}, o).ok());
  std::string head = "PUT /dst/copy.txt HTTP/1.1\r\n";
  for (const auto& [n, v] : http.headers) head += n + ": " + v + "\r\n";
  head += "Content-Length: 0\r\nConnection: close\r\n\r\n";
  RawConnection conn(server_->port());
  conn.Send(head);
  const std::string reply = conn.ReadAll(milliseconds(3000));
  EXPECT_NE(reply.find("<Code>AccessDenied</Code>"), std::string::npos) << reply;
  ASSERT_EQ(sink_.records().size(), 1u);
  const auto rec = nlohmann::json::parse(sink_.records()[0].json);
  EXPECT_EQ(rec["eventName"], "CopyObject");
  EXPECT_EQ(rec["key_check"], "verified");
}

TEST_F(DecoyServerTest, GarbageNeverTakesTheServerDown) {
  DecoyServerOptions options;
  options.keep_alive_timeout = std::chrono::seconds(1);
  Start(options);
  const std::vector<std::string> garbage = {
      std::string("\x00\x01\x02\xff\r\n\r\n", 8),
      "GET\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\nX-Long: " + std::string(20000, 'b') + "\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /%0a%00%ff?%%%&&==&X-Amz-Credential=%41KIA HTTP/1.1\r\nHost: x\r\n"
      "Authorization: AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=\r\n\r\n",
      "GET /" + std::string(7000, '/') + " HTTP/1.1\r\nHost: x\r\n\r\n",
  };
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (const auto& bytes : garbage) {
    conns.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(conns.back()->connected());
    conns.back()->Send(bytes);
  }
  for (auto& conn : conns) {
    const std::string reply = conn->ReadAll(milliseconds(1500));
    EXPECT_FALSE(testing::MentionsProduct(reply)) << reply;
  }
  auto res = SendSigned("sts", "Action=GetCallerIdentity&Version=2011-06-15", testing::kSecret);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(DecoyServerTest, SilentClientIsDisconnectedAfterTheReadTimeout) {
  DecoyServerOptions options;
  options.read_timeout = std::chrono::seconds(1);
  options.keep_alive_timeout = std::chrono::seconds(1);
  Start(options);
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.connected());
  conn.Send("GET / HTTP/1.1\r\nHost: x\r\n");  // never finishes the headers
  bool closed = false;
  const auto started = steady_clock::now();
  conn.ReadAll(milliseconds(6000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(4));
}

TEST_F(DecoyServerTest, BusyWorkersDelayButDoNotLoseRequests) {
  DecoyServerOptions options;
  options.worker_threads = 1;
  options.max_pending_connections = 1;
  options.read_timeout = std::chrono::seconds(1);
  options.keep_alive_timeout = std::chrono::seconds(1);
  Start(options);
  RawConnection idle1(server_->port());  // occupies the only worker
  RawConnection idle2(server_->port());  // fills the queue; the acceptor now waits
  ASSERT_TRUE(idle1.connected() && idle2.connected());
  const auto started = steady_clock::now();
  auto res = SendSigned("sts", "Action=GetCallerIdentity&Version=2011-06-15", testing::kSecret);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_GE(server_->connection_stats().waited_for_room.load(), 1u);
}

TEST_F(DecoyServerTest, HeadRequestGetsStatusAndHeadersOnly) {
  Start();
  RawConnection conn(server_->port());
  conn.Send("HEAD /bucket/key HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string reply = conn.ReadAll(milliseconds(2000));
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 403")) << reply;
  EXPECT_NE(reply.find("x-amz-request-id: "), std::string::npos);
  EXPECT_TRUE(reply.ends_with("\r\n\r\n")) << "no body after the headers";
}

TEST_F(DecoyServerTest, SecondServerOnTheSamePortFailsToStart) {
  Start();
  DecoyServerOptions options;
  options.port = server_->port();
  options.responder.keys = &keys_;
  options.responder.records = &sink_;
  auto other = DecoyServer::Create(std::move(options));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->Start().code(), StatusCode::kUnavailable);
  server_->Stop();
  server_->Stop();  // idempotent
}

TEST(DecoyServerOptions, ListenAddressParsing) {
  DecoyServerOptions o;
  ASSERT_TRUE(SetListenAddress(o, "0.0.0.0:8443").ok());
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 8443);
  ASSERT_TRUE(SetListenAddress(o, "[::1]:0").ok());
  EXPECT_EQ(o.host, "::1");
  EXPECT_FALSE(SetListenAddress(o, "8081").ok());
  EXPECT_FALSE(SetListenAddress(o, "host:99999").ok());
  EXPECT_FALSE(SetListenAddress(o, "host:").ok());
}

TEST(DecoyServerOptions, TlsNeedsBothFilesAndReadableOnes) {
  InMemoryKeyLookup keys;
  testing::CapturingSink sink;
  DecoyServerOptions o;
  o.responder.keys = &keys;
  o.responder.records = &sink;
  o.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_EQ(DecoyServer::Create(o).status().code(), StatusCode::kInvalidArgument);
  o.tls_key_file = "/nonexistent/key.pem";
  EXPECT_EQ(DecoyServer::Create(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spacecrab::decoy
