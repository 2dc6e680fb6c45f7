// Sinks that talk to this machine: syslog over real UDP/TCP sockets on
// 127.0.0.1, the JSON-lines file (with rotation), the exec'd program, the
// console; and the pure formatting they rely on.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "alert/alert_testing.h"
#include "alert/child_process.h"
#include "alert/console_sink.h"
#include "alert/exec_sink.h"
#include "alert/jsonl_sink.h"
#include "alert/smtp_sink.h"
#include "alert/syslog_sink.h"

namespace spacecrab::alert {
namespace {

using testing::SampleMessage;
namespace fs = std::filesystem;

const Timestamp kNow = *ParseRfc3339("2026-11-23T17:50:30Z");

// A listening socket on 127.0.0.1:<ephemeral>.
struct Listener {
  int fd = -1;
  int port = 0;
  explicit Listener(int type) {
    fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    if (type == SOCK_STREAM) ::listen(fd, 4);
  }
  ~Listener() { ::close(fd); }
};

std::string ReadWithin(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return "";
  char buf[65536];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

SyslogConfig Syslog(bool tcp, int port, bool cef = false) {
  SyslogConfig c;
  c.tcp = tcp;
  c.host = "127.0.0.1";
  c.port = std::to_string(port);
  c.format.hostname = "sc-host";
  c.format.procid = "42";
  c.format.cef = cef;
  c.policy.timeout = std::chrono::seconds(2);
  return c;
}

TEST(SyslogFormat, Rfc5424LineWithStructuredData) {
  SyslogFormatOptions o;
  o.hostname = "sc-host";
  o.procid = "42";
  auto m = SampleMessage();
  m.alert.incident.id = "inc_\"x]";
  std::string line = FormatRfc5424(m, o, kNow);
  // local0 (16) * 8 + critical (2) = 130
  EXPECT_EQ(line.rfind("<130>1 2026-11-23T17:50:30Z sc-host spacecrab 42 trigger "
                       "[alert@32473 incident=\"inc_\\\"x\\]\" token=\"tok_01\"",
                       0),
            0u)
      << line;
  EXPECT_NE(line.find("] First use of a key"), std::string::npos);
  EXPECT_EQ(SyslogFacility("authpriv"), 10);
  EXPECT_EQ(SyslogFacility("local7"), 23);
  EXPECT_EQ(SyslogFacility("local8"), -1);
  EXPECT_EQ(OctetCounted("abc"), "3 abc");
}

TEST(SyslogFormat, CefEscapesHeaderAndExtension) {
  auto m = SampleMessage();
  m.alert.title = "a|b\\c";
  m.alert.source.user_agent = "x=y\nz";
  std::string cef = FormatCef(m);
  EXPECT_EQ(cef.rfind("CEF:0|spacecrab|spacecrab|1|first_use|a\\|b\\\\c|10|", 0), 0u) << cef;
  EXPECT_NE(cef.find("requestClientApplication=x\\=y\\nz"), std::string::npos);
  EXPECT_NE(cef.find("externalId=inc_01"), std::string::npos);
  EXPECT_NE(cef.find("rt=1795456228000"), std::string::npos);
}

TEST(SyslogSink, SendsOneDatagramPerMessageOverUdp) {
  Listener l(SOCK_DGRAM);
  ManualClock clock(kNow);
  SyslogSink sink("siem", Syslog(false, l.port), &clock);
  ASSERT_TRUE(sink.Send(SampleMessage()).ok());
  std::string got = ReadWithin(l.fd, 2000);
  EXPECT_EQ(got.rfind("<130>1 2026-11-23T17:50:30Z sc-host spacecrab 42 trigger [", 0), 0u) << got;
}

TEST(SyslogSink, TcpUsesOctetCountingAndReconnectsAfterPeerRestart) {
  Listener l(SOCK_STREAM);
  ManualClock clock(kNow);
  SyslogSink sink("siem", Syslog(true, l.port, true), &clock);
  ASSERT_TRUE(sink.Send(SampleMessage()).ok());
  int conn = ::accept(l.fd, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  std::string frame = ReadWithin(conn, 2000);
  size_t sp = frame.find(' ');
  ASSERT_NE(sp, std::string::npos);
  EXPECT_EQ(std::stoul(frame.substr(0, sp)), frame.size() - sp - 1) << frame;
  EXPECT_NE(frame.find(" CEF:0|spacecrab|"), std::string::npos);
  ::close(conn);  // the collector restarts; the next send must not vanish
  usleep(50 * 1000);
  ASSERT_TRUE(sink.Send(SampleMessage(AlertKind::kResolve)).ok());
  int conn2 = ::accept(l.fd, nullptr, nullptr);
  ASSERT_GE(conn2, 0);
  EXPECT_NE(ReadWithin(conn2, 2000).find(" resolve "), std::string::npos);
  ::close(conn2);
}

TEST(SyslogSink, RefusedTcpIsRetryable) {
  int port;
  {
    Listener l(SOCK_STREAM);
    port = l.port;
  }
  ManualClock clock(kNow);
  SyslogSink sink("siem", Syslog(true, port), &clock);
  EXPECT_EQ(sink.Send(SampleMessage()).code(), StatusCode::kUnavailable);
}

TEST(JsonlSink, AppendsLinesAndReopensAfterRotation) {
  fs::path dir = fs::temp_directory_path() / ("sc_jsonl_" + std::to_string(getpid()));
  fs::create_directories(dir);
  JsonlConfig c;
  c.path = (dir / "alerts.jsonl").string();
  JsonlSink sink("file", c);
  ASSERT_TRUE(sink.Send(SampleMessage()).ok());
  ASSERT_TRUE(sink.Send(SampleMessage(AlertKind::kUpdate)).ok());
  fs::rename(dir / "alerts.jsonl", dir / "alerts.jsonl.1");                  // logrotate
  ASSERT_TRUE(sink.Send(SampleMessage(AlertKind::kUpdate, "inc_02")).ok());  // still old fd
  sink.Reopen();
  ASSERT_TRUE(sink.Send(SampleMessage(AlertKind::kResolve)).ok());
  auto lines = [](const fs::path& p) {
    std::ifstream in(p);
    std::vector<nlohmann::json> out;
    for (std::string l; std::getline(in, l);) out.push_back(nlohmann::json::parse(l));
    return out;
  };
  auto old_file = lines(dir / "alerts.jsonl.1");
  auto new_file = lines(dir / "alerts.jsonl");
  ASSERT_EQ(old_file.size(), 3u);
  ASSERT_EQ(new_file.size(), 1u);
  EXPECT_EQ(old_file[0]["kind"], "trigger");
  EXPECT_EQ(new_file[0]["kind"], "resolve");
  EXPECT_EQ(fs::status(dir / "alerts.jsonl").permissions() & fs::perms::others_read,
            fs::perms::none);
  fs::remove_all(dir);
}

TEST(JsonlSink, MissingDirectoryIsRetryable) {
  JsonlConfig c;
  c.path = "/nonexistent-dir-sc/alerts.jsonl";
  JsonlSink sink("file", c);
  EXPECT_EQ(sink.Send(SampleMessage()).code(), StatusCode::kUnavailable);
}

TEST(ChildProcess, FeedsStdinCleanEnvironmentAndExitCode) {
  auto r = RunChild({"/bin/sh", "-c", "cat >&2; echo; env >&2; exit 3"}, {"ONLY=this"},
                    "hello-stdin", std::chrono::seconds(5));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stderr_head.rfind("hello-stdin", 0), 0u) << r->stderr_head;
  EXPECT_NE(r->stderr_head.find("ONLY=this"), std::string::npos);
  EXPECT_EQ(r->stderr_head.find("HOME="), std::string::npos);  // nothing inherited
}

TEST(ChildProcess, TimeoutKillsTheWholeProcessGroup) {
  fs::path marker = fs::temp_directory_path() / ("sc_child_" + std::to_string(getpid()));
  fs::remove(marker);
  auto start = std::chrono::steady_clock::now();
  // The grandchild would create the marker after 1s if it survived the kill.
  auto r = RunChild({"/bin/sh", "-c", "(sleep 1; touch " + marker.string() + ") & sleep 30"}, {},
                    "", std::chrono::milliseconds(300));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(took, std::chrono::seconds(3));
  usleep(1500 * 1000);
  EXPECT_FALSE(fs::exists(marker));
}

TEST(ChildProcess, MissingProgramIsUnavailable) {
  auto r = RunChild({"/nonexistent/program"}, {}, "", std::chrono::seconds(1));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST(ChildProcess, ChildThatIgnoresStdinDoesNotKillUs) {
  std::string big(4 << 20, 'x');  // larger than any pipe/socket buffer
  auto r = RunChild({"/bin/true"}, {}, big, std::chrono::seconds(5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
}

TEST(ExecSink, MapsExitCodesAndPassesAlertJson) {
  fs::path out = fs::temp_directory_path() / ("sc_exec_" + std::to_string(getpid()) + ".json");
  ExecConfig c;
  c.command = {"/bin/sh", "-c", "cat > \"$0\"; echo \"$ALERT_KIND $ALERT_DEDUP_KEY\" >> \"$0\"",
               out.string()};
  c.env = {"PATH=/usr/bin:/bin"};
  c.policy.timeout = std::chrono::seconds(5);
  ExecSink ok("prog", c);
  ASSERT_TRUE(ok.Send(SampleMessage(AlertKind::kUpdate)).ok());
  std::ifstream in(out);
  std::string json_line, env_line;
  std::getline(in, json_line);
  std::getline(in, env_line);
  EXPECT_EQ(nlohmann::json::parse(json_line)["alert"]["incident"]["id"], "inc_01");
  EXPECT_EQ(env_line, "update inc_01");
  fs::remove(out);

  c.command = {"/bin/sh", "-c", "echo 'ticket system down' >&2; exit 75"};
  Status retry = ExecSink("prog", c).Send(SampleMessage());
  EXPECT_EQ(retry.code(), StatusCode::kUnavailable);
  EXPECT_NE(retry.message().find("ticket system down"), std::string::npos);
  c.command = {"/bin/sh", "-c", "exit 65"};
  EXPECT_EQ(ExecSink("prog", c).Send(SampleMessage()).code(), StatusCode::kFailedPrecondition);
  c.command = {"/bin/sh", "-c", "sleep 10"};
  c.policy.timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(ExecSink("prog", c).Send(SampleMessage()).code(), StatusCode::kUnavailable);
}

TEST(ConsoleSink, OneLinePerMessageWhateverTheInput) {
  auto m = SampleMessage();
  m.alert.title = "multi\nline";
  std::string line = ConsoleRender(m, "line");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(line.rfind("ALERT trigger inc_01 [critical] multi line", 0), 0u) << line;
  std::FILE* f = std::tmpfile();
  ConsoleSink sink("console", ConsoleConfig{}, f);
  ASSERT_TRUE(sink.Send(m).ok());
  EXPECT_GT(std::ftell(f), 0);
  std::fclose(f);
}

TEST(SmtpFormat, EncodesNonAsciiSubjectsAndStripsNewlines) {
  EXPECT_EQ(EncodeHeaderValue("plain subject"), "plain subject");
  EXPECT_EQ(EncodeHeaderValue("a\r\nBcc: x@y"), "aBcc: x@y");
  std::string enc = EncodeHeaderValue("caf\xc3\xa9");
  EXPECT_EQ(enc, "=?UTF-8?B?Y2Fmw6k=?=");
  std::string long_subject(100, 'x');
  long_subject += "\xc3\xa9";
  for (const auto& word : {EncodeHeaderValue(long_subject)}) {
    EXPECT_EQ(word.find('\n'), std::string::npos);
  }
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  std::string html = AlertHtml(SampleMessage());
  EXPECT_NE(html.find("<a href=\"https://sc.example.com/incidents/inc_01\">"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab::alert
