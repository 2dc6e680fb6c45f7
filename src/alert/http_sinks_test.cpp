// PagerDuty, webhook, Slack and Teams sinks against a scripted HttpClient:
// the exact bodies they send and how responses map to retry/final.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alert/alert_testing.h"
#include "alert/pagerduty_sink.h"
#include "alert/slack_sink.h"
#include "alert/webhook_sink.h"
#include "crypto/hash.h"

namespace spacecrab::alert {
namespace {

using nlohmann::json;
using testing::SampleMessage;
using testing::ScriptedHttpClient;

PagerDutyConfig Pd() {
  PagerDutyConfig c;
  c.url = "http://127.0.0.1:9/pd";
  c.routing_key = "R0UTINGKEY";
  return c;
}

TEST(PagerDutySink, TriggerCarriesDedupKeyPayloadAndLinks) {
  ScriptedHttpClient http;
  PagerDutySink sink("ops", Pd(), &http);
  ASSERT_TRUE(sink.Send(SampleMessage()).ok());
  auto reqs = http.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].url, "http://127.0.0.1:9/pd/v2/enqueue");
  json b = json::parse(reqs[0].body);
  EXPECT_EQ(b["routing_key"], "R0UTINGKEY");
  EXPECT_EQ(b["event_action"], "trigger");
  EXPECT_EQ(b["dedup_key"], "inc_01");
  EXPECT_EQ(b["payload"]["severity"], "critical");
  EXPECT_EQ(b["payload"]["source"], "laptop-0042:~/Downloads");
  EXPECT_EQ(b["payload"]["timestamp"], "2026-11-23T17:50:28Z");
  EXPECT_EQ(b["payload"]["class"], "first_use");
  EXPECT_EQ(b["payload"]["group"], "alice");
  EXPECT_NE(b["payload"]["summary"].get<std::string>().find("sts:GetCallerIdentity"),
            std::string::npos);
  EXPECT_EQ(b["payload"]["custom_details"]["source"]["ip"], "203.0.113.9");
  EXPECT_EQ(b["links"][0]["href"], "https://sc.example.com/incidents/inc_01");
}

TEST(PagerDutySink, UpdateIsATriggerWithTheSameKeyAndResolveIsMinimal) {
  ScriptedHttpClient http;
  PagerDutySink sink("ops", Pd(), &http);
  ASSERT_TRUE(sink.Send(SampleMessage(AlertKind::kUpdate)).ok());
  ASSERT_TRUE(sink.Send(SampleMessage(AlertKind::kResolve)).ok());
  auto reqs = http.requests();
  json u = json::parse(reqs[0].body), r = json::parse(reqs[1].body);
  EXPECT_EQ(u["event_action"], "trigger");
  EXPECT_EQ(u["dedup_key"], "inc_01");
  EXPECT_EQ(u["payload"]["custom_details"]["update"], true);
  EXPECT_EQ(
      r,
      json::parse(R"({"routing_key":"R0UTINGKEY","dedup_key":"inc_01","event_action":"resolve"})"));
}

TEST(PagerDutySink, MapsResponsesToRetryOrFinal) {
  ScriptedHttpClient http;
  PagerDutySink sink("ops", Pd(), &http);
  http.Script({HttpResponse{429, "slow down"}});
  EXPECT_EQ(sink.Send(SampleMessage()).code(), StatusCode::kUnavailable);
  http.Script({HttpResponse{503, ""}});
  EXPECT_EQ(sink.Send(SampleMessage()).code(), StatusCode::kUnavailable);
  http.Script({Unavailable("connection refused")});
  EXPECT_EQ(sink.Send(SampleMessage()).code(), StatusCode::kUnavailable);
  http.Script({HttpResponse{400, R"({"status":"invalid event"})"}});
  Status bad = sink.Send(SampleMessage());
  EXPECT_EQ(bad.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bad.message().find("R0UTINGKEY"), std::string::npos) << bad.message();
  EXPECT_NE(bad.message().find("127.0.0.1:9"), std::string::npos);
  http.Script({HttpResponse{202, R"({"status":"success"})"}});
  EXPECT_TRUE(sink.Send(SampleMessage()).ok());
}

TEST(PagerDutySink, InvalidUtf8FromTheAttackerStillProducesValidJson) {
  ScriptedHttpClient http;
  PagerDutySink sink("ops", Pd(), &http);
  auto m = SampleMessage();
  m.alert.source.user_agent = "evil\xff\xfe";
  ASSERT_TRUE(sink.Send(m).ok());
  EXPECT_NO_THROW(json::parse(http.requests()[0].body));
}

TEST(WebhookSink, SignsTimestampDotBodyWithHmacSha256) {
  ScriptedHttpClient http;
  ManualClock clock(*ParseRfc3339("2026-11-23T17:50:28Z"));
  WebhookConfig c;
  c.url = "http://127.0.0.1:9/hook";
  c.secret = "s3cret";
  c.headers = {{"Authorization", "Bearer abc"}};
  WebhookSink sink("hook", c, &http, &clock);
  ASSERT_TRUE(sink.Send(SampleMessage(AlertKind::kUpdate)).ok());
  HttpRequest r = http.requests().at(0);
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["X-Signature-Timestamp"], "1795456228");
  EXPECT_EQ(h["X-Signature-256"], "sha256=" + HmacSha256Hex("s3cret", "1795456228." + r.body));
  EXPECT_EQ(h["X-Dedup-Key"], "inc_01");
  EXPECT_EQ(h["Authorization"], "Bearer abc");
  EXPECT_EQ(h["Content-Type"], "application/json");
  json b = json::parse(r.body);
  EXPECT_EQ(b["kind"], "update");
  EXPECT_EQ(b["alert"]["incident"]["id"], "inc_01");
}

TEST(WebhookSink, KnownVectorSoReceiversInOtherLanguagesCanCheckThemselves) {
  // python3 -c "import hmac,hashlib;print(hmac.new(b'key',b'1.{}',hashlib.sha256).hexdigest())"
  EXPECT_EQ(WebhookSignature("key", "1", "{}"),
            "sha256=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224");
}

TEST(SlackSink, EscapesMentionsAndLinksFromAttackerText) {
  ScriptedHttpClient http;
  ChatWebhookConfig c;
  c.url = "https://hooks.slack.test/services/T/B/secretpath";
  SlackSink sink("chat", c, &http);
  auto m = SampleMessage();
  m.alert.source.user_agent = "<!channel> <http://evil|click> & more";
  ASSERT_TRUE(sink.Send(m).ok());
  std::string body = http.requests()[0].body;
  EXPECT_EQ(body.find("<!channel>"), std::string::npos);
  EXPECT_NE(body.find("&lt;!channel&gt; &lt;http://evil|click&gt; &amp; more"), std::string::npos);
  json b = json::parse(body);
  EXPECT_EQ(b["blocks"][0]["type"], "header");
  for (const auto& block : b["blocks"]) {
    if (block["type"] == "section") {
      EXPECT_LE(block["fields"].size(), 10u);
    }
  }
  EXPECT_EQ(b["blocks"].back()["elements"][0]["url"], "https://sc.example.com/incidents/inc_01");
}

TEST(SlackSink, ErrorsNameTheHostNotTheSecretPath) {
  ScriptedHttpClient http;
  http.Script({HttpResponse{404, "no_service"}});
  ChatWebhookConfig c;
  c.url = "https://hooks.slack.test/services/T/B/secretpath";
  SlackSink sink("chat", c, &http);
  Status st = sink.Send(SampleMessage());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message().find("secretpath"), std::string::npos);
  EXPECT_NE(st.message().find("hooks.slack.test"), std::string::npos);
}

TEST(TeamsSink, AdaptiveCardAndMessageCardShapes) {
  ScriptedHttpClient http;
  ChatWebhookConfig c;
  c.url = "https://example.webhook.office.test/x";
  TeamsSink adaptive("teams", c, &http);
  auto m = SampleMessage(AlertKind::kResolve);
  m.alert.source.user_agent = "[click](http://evil)";
  ASSERT_TRUE(adaptive.Send(m).ok());
  json a = json::parse(http.requests()[0].body);
  EXPECT_EQ(a["type"], "message");
  EXPECT_EQ(a["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  const json& content = a["attachments"][0]["content"];
  EXPECT_EQ(content["type"], "AdaptiveCard");
  EXPECT_EQ(content["body"][0]["text"].get<std::string>().rfind("Resolved: ", 0), 0u);
  EXPECT_EQ(content["actions"][0]["url"], "https://sc.example.com/incidents/inc_01");
  EXPECT_NE(http.requests()[0].body.find("\\\\[click\\\\]\\\\(http://evil\\\\)"),
            std::string::npos);
  c.format = "messagecard";
  TeamsSink legacy("teams2", c, &http);
  ASSERT_TRUE(legacy.Send(SampleMessage()).ok());
  json l = json::parse(http.requests()[1].body);
  EXPECT_EQ(l["@type"], "MessageCard");
  EXPECT_FALSE(l["sections"][0]["facts"].empty());
  EXPECT_EQ(l["potentialAction"][0]["targets"][0]["uri"],
            "https://sc.example.com/incidents/inc_01");
}

TEST(HttpStatus, ClassifiesCodes) {
  EXPECT_TRUE(StatusFromHttp({200, ""}, "x").ok());
  EXPECT_TRUE(StatusFromHttp({204, ""}, "x").ok());
  EXPECT_EQ(StatusFromHttp({408, ""}, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromHttp({502, ""}, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromHttp({403, ""}, "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(StatusFromHttp({301, ""}, "x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(UrlHost("https://user:pw@hooks.example.com:8443/a/b?c"), "hooks.example.com:8443");
}

}  // namespace
}  // namespace spacecrab::alert
