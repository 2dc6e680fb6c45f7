#include "alert/sink_factory.h"

#include <gtest/gtest.h>

#include <fstream>

#include "alert/alert_testing.h"
#include "alert/jsonl_sink.h"

namespace spacecrab::alert {
namespace {

struct Deps {
  testing::ScriptedHttpClient http;
  SystemClock clock;
  SinkDeps deps() { return SinkDeps{&http, &clock, {{"PD_KEY", "from-env"}, {"HOME", "/root"}}}; }
};

SinkConfig Cfg(std::string name, std::string type, std::map<std::string, std::string> s) {
  return SinkConfig{std::move(name), std::move(type), std::move(s)};
}

TEST(SinkFactory, BuildsEveryType) {
  Deps d;
  std::vector<SinkConfig> all = {
      Cfg("pd", "pagerduty", {{"routing_key", "k"}}),
      Cfg("mail", "smtp",
          {{"server", "smtp://127.0.0.1:25"}, {"from", "a@b.c"}, {"to", "x@y.z,q@r.s"}}),
      Cfg("slack", "slack", {{"url", "https://hooks.slack.test/x"}}),
      Cfg("teams", "teams", {{"url", "https://teams.test/x"}, {"format", "messagecard"}}),
      Cfg("hook", "webhook", {{"url", "http://127.0.0.1:1/h"}, {"secret", "s"}}),
      Cfg("siem", "syslog", {{"address", "udp://[::1]:514"}, {"format", "cef"}}),
      Cfg("file", "jsonl", {{"path", "/tmp/x.jsonl"}}),
      Cfg("prog", "exec", {{"command", R"(["/bin/echo","a,b"])"}, {"pass_env", "HOME"}}),
      Cfg("console", "console", {{"stream", "stderr"}}),
  };
  auto sinks = MakeSinks(all, d.deps());
  ASSERT_TRUE(sinks.ok()) << sinks.status().ToString();
  ASSERT_EQ(sinks->size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ((*sinks)[i].sink->name(), all[i].name);
    EXPECT_EQ((*sinks)[i].sink->kind(), all[i].type);
  }
  EXPECT_NE((*sinks)[6].jsonl, nullptr);
  EXPECT_NEAR((*sinks)[0].policy.rate_per_second, 100.0 / 60.0, 1e-9);  // PagerDuty default
  EXPECT_EQ(SinkTypes().size(), all.size());
}

TEST(SinkFactory, ErrorsNameSinkAndKey) {
  Deps d;
  auto check = [&](SinkConfig c, const std::string& want) {
    auto s = MakeSink(c, d.deps());
    ASSERT_FALSE(s.ok()) << want;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find(want), std::string::npos) << s.status().message();
  };
  check(Cfg("pd", "pagerduty", {}), "sink 'pd' (pagerduty): routing_key: required");
  check(Cfg("pd", "pagerduty", {{"routing_key", "k"}, {"routing_kye", "k"}}),
        "routing_kye: unknown setting");
  check(Cfg("pd", "pagerdooty", {}), "type: unknown type 'pagerdooty'");
  check(Cfg("bad name", "console", {}), "name must be");
  check(Cfg("m", "smtp", {{"server", "http://x"}, {"from", "a@b.c"}, {"to", "x@y.z"}}), "server:");
  check(Cfg("m", "smtp", {{"server", "smtp://x"}, {"from", "a@b.c"}, {"to", "nobody"}}),
        "to: not an e-mail address");
  check(Cfg("h", "webhook", {{"url", "http://x"}}), "secret: required");
  check(Cfg("s", "syslog", {{"address", "udp://host"}}), "address: missing :PORT");
  check(Cfg("s", "syslog", {{"address", "x:1"}, {"facility", "local9"}}), "address:");
  check(Cfg("e", "exec", {{"command", "notify-send"}}), "absolute path");
  check(Cfg("c", "console", {{"timeout", "soon"}}), "timeout: expected a duration");
  check(Cfg("c", "console", {{"rate_limit", "5/d"}}), "rate_limit:");
  check(Cfg("c", "console", {{"send", "trigger,page"}}), "send:");
  check(Cfg("c", "console", {{"workers", "0"}}), "workers:");
  check(Cfg("pd", "pagerduty", {{"routing_key_env", "NOPE"}}), "NOPE is not set");
  check(Cfg("pd", "pagerduty", {{"routing_key", "a"}, {"routing_key_env", "PD_KEY"}}),
        "give only one");
}

TEST(SinkFactory, DuplicateNamesRejected) {
  Deps d;
  auto s = MakeSinks({Cfg("a", "console", {}), Cfg("a", "console", {})}, d.deps());
  EXPECT_NE(s.status().message().find("defined twice"), std::string::npos);
}

TEST(SinkSettings, ReadsPolicyAndSecretsFromEnvAndFile) {
  std::string path = "/tmp/sc_secret_" + std::to_string(getpid());
  { std::ofstream(path) << "file-secret\n"; }
  std::map<std::string, std::string> env = {{"PD_KEY", "from-env"}};
  SinkConfig c = Cfg("x", "webhook",
                     {{"secret_file", path},
                      {"timeout", "1500ms"},
                      {"retry_initial", "2"},
                      {"retry_max", "10m"},
                      {"max_age", "1h"},
                      {"update_interval", "30s"},
                      {"rate_limit", "30/m"},
                      {"workers", "3"},
                      {"send", "trigger, resolve"}});
  SinkSettings s(c, env);
  EXPECT_EQ(s.Secret("secret", true), "file-secret");
  DeliveryPolicy p = s.Policy(DeliveryPolicy{});
  EXPECT_TRUE(s.Finish().ok()) << s.Finish().ToString();
  EXPECT_EQ(p.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(p.retry_initial, std::chrono::seconds(2));
  EXPECT_EQ(p.retry_max, std::chrono::minutes(10));
  EXPECT_EQ(p.max_age, std::chrono::hours(1));
  EXPECT_EQ(p.update_interval, std::chrono::seconds(30));
  EXPECT_DOUBLE_EQ(p.rate_per_second, 0.5);
  EXPECT_EQ(p.workers, 3);
  EXPECT_EQ(p.kinds, (std::set<AlertKind>{AlertKind::kTrigger, AlertKind::kResolve}));
  SinkConfig e = Cfg("y", "pagerduty", {{"routing_key_env", "PD_KEY"}});
  SinkSettings s2(e, env);
  EXPECT_EQ(s2.Secret("routing_key", true), "from-env");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace spacecrab::alert
