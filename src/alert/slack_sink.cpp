#include "alert/slack_sink.h"

#include <nlohmann/json.hpp>

#include "alert/chat_format.h"

namespace spacecrab::alert {
namespace {

using nlohmann::json;

void CheckUrl(SinkSettings& s, const std::string& url) {
  if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    s.Fail("url", "expected an http:// or https:// URL");
  }
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Status Post(HttpClient* http, const std::string& url, std::string body,
            std::chrono::milliseconds timeout, const std::string& what) {
  HttpRequest req;
  req.url = url;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = std::move(body);
  req.timeout = timeout;
  SC_ASSIGN_OR_RETURN(HttpResponse resp, http->Send(req));
  return StatusFromHttp(resp, what);
}

}  // namespace

Expected<ChatWebhookConfig> ParseSlackConfig(SinkSettings& s) {
  ChatWebhookConfig c;
  c.url = s.Secret("url", true);
  CheckUrl(s, c.url);
  c.channel = s.String("channel");
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

Expected<ChatWebhookConfig> ParseTeamsConfig(SinkSettings& s) {
  ChatWebhookConfig c;
  c.url = s.Secret("url", true);
  CheckUrl(s, c.url);
  c.format = s.Choice("format", "adaptive", {"adaptive", "messagecard"});
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string TeamsEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\\':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '(':
      case ')':
      case '#':
      case '~':
      case '|':
      case '!':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

SlackSink::SlackSink(std::string name, ChatWebhookConfig config, HttpClient* http)
    : name_(std::move(name)), config_(std::move(config)), http_(http) {}

std::string SlackSink::Body(const AlertMessage& m) const {
  const std::string headline = ChatHeadline(m);
  json blocks = json::array();
  blocks.push_back(
      {{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", Clip(headline, 150)}}}});
  json fields = json::array();
  for (const auto& f : ChatFacts(m.alert)) {
    if (fields.size() == 10) {  // Block Kit allows ten fields per section
      blocks.push_back({{"type", "section"}, {"fields", fields}});
      fields = json::array();
    }
    fields.push_back(
        {{"type", "mrkdwn"}, {"text", Clip("*" + f.label + "*\n" + SlackEscape(f.value), 2000)}});
  }
  if (!fields.empty()) blocks.push_back({{"type", "section"}, {"fields", fields}});
  if (!m.alert.dashboard_url.empty()) {
    blocks.push_back(
        {{"type", "actions"},
         {"elements", json::array({{{"type", "button"},
                                    {"text", {{"type", "plain_text"}, {"text", "Open incident"}}},
                                    {"url", m.alert.dashboard_url}}})}});
  }
  json body = {{"text", Clip(SlackEscape(headline), 3000)}, {"blocks", blocks}};
  if (!config_.channel.empty()) body["channel"] = config_.channel;
  return Dump(body);
}

Status SlackSink::Send(const AlertMessage& message) {
  return Post(http_, config_.url, Body(message), config_.policy.timeout,
              "slack '" + name_ + "' at " + UrlHost(config_.url));
}

TeamsSink::TeamsSink(std::string name, ChatWebhookConfig config, HttpClient* http)
    : name_(std::move(name)), config_(std::move(config)), http_(http) {}

std::string TeamsSink::Body(const AlertMessage& m) const {
  const std::string headline = TeamsEscape(ChatHeadline(m));
  const std::string& url = m.alert.dashboard_url;
  if (config_.format == "messagecard") {
    json facts = json::array();
    for (const auto& f : ChatFacts(m.alert))
      facts.push_back({{"name", f.label}, {"value", TeamsEscape(f.value)}});
    json card = {{"@type", "MessageCard"},
                 {"@context", "http://schema.org/extensions"},
                 {"themeColor", m.kind == AlertKind::kResolve ? "2EB886" : "D70000"},
                 {"summary", Clip(headline, 1000)},
                 {"title", Clip(headline, 1000)},
                 {"sections", json::array({{{"facts", facts}, {"markdown", true}}})}};
    if (!url.empty()) {
      card["potentialAction"] =
          json::array({{{"@type", "OpenUri"},
                        {"name", "Open incident"},
                        {"targets", json::array({{{"os", "default"}, {"uri", url}}})}}});
    }
    return Dump(card);
  }
  json facts = json::array();
  for (const auto& f : ChatFacts(m.alert))
    facts.push_back({{"title", f.label}, {"value", TeamsEscape(f.value)}});
  json content = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                  {"type", "AdaptiveCard"},
                  {"version", "1.4"},
                  {"body", json::array({{{"type", "TextBlock"},
                                         {"text", Clip(headline, 1000)},
                                         {"weight", "Bolder"},
                                         {"size", "Medium"},
                                         {"wrap", true}},
                                        {{"type", "FactSet"}, {"facts", facts}}})}};
  if (!url.empty()) {
    content["actions"] =
        json::array({{{"type", "Action.OpenUrl"}, {"title", "Open incident"}, {"url", url}}});
  }
  json body = {
      {"type", "message"},
      {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                    {"contentUrl", nullptr},
                                    {"content", content}}})}};
  return Dump(body);
}

Status TeamsSink::Send(const AlertMessage& message) {
  return Post(http_, config_.url, Body(message), config_.policy.timeout,
              "teams '" + name_ + "' at " + UrlHost(config_.url));
}

}  // namespace spacecrab::alert
