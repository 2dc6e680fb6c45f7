// SlackSink: Slack incoming webhook with a Block Kit message; TeamsSink:
// Microsoft Teams webhook (Adaptive Card via Workflows, or the legacy
// connector MessageCard).
//
// Both post the same facts (chat_format.h), escaped for the channel's markup
// so text chosen by an attacker (user agent, event name) cannot mention
// @channel or inject links. 2xx is success; 429/5xx retried; others final.
//
// Config ([sinks.NAME] type = "slack"):
//   url (secret: the webhook URL holds the credential; or url_env / url_file)
//   channel = ""      optional override (legacy webhooks only)
// Config ([sinks.NAME] type = "teams"):
//   url (secret, or url_env / url_file)
//   format = "adaptive" | "messagecard"
// plus the common keys (sink_settings.h).
//
// Thread-safety: Send is safe from any thread.
#pragma once

#include <string>

#include "alert/http_client.h"
#include "alert/sink.h"
#include "alert/sink_settings.h"

namespace spacecrab::alert {

struct ChatWebhookConfig {
  std::string url;
  std::string channel;              // slack only
  std::string format = "adaptive";  // teams only
  DeliveryPolicy policy;
};

Expected<ChatWebhookConfig> ParseSlackConfig(SinkSettings& settings);
Expected<ChatWebhookConfig> ParseTeamsConfig(SinkSettings& settings);

// Slack mrkdwn escaping: & < > become entities (Slack's rule), which is what
// stops <!channel>, <@user> and <http://link|text> coming from the input.
std::string SlackEscape(std::string_view text);
// Teams markdown escaping: backslash before markdown punctuation and
// entities for < > &.
std::string TeamsEscape(std::string_view text);

class SlackSink final : public Sink {
 public:
  SlackSink(std::string name, ChatWebhookConfig config, HttpClient* http);
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "slack"; }
  Status Send(const AlertMessage& message) override;
  std::string Body(const AlertMessage& message) const;

 private:
  std::string name_;
  ChatWebhookConfig config_;
  HttpClient* http_;
};

class TeamsSink final : public Sink {
 public:
  TeamsSink(std::string name, ChatWebhookConfig config, HttpClient* http);
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "teams"; }
  Status Send(const AlertMessage& message) override;
  std::string Body(const AlertMessage& message) const;

 private:
  std::string name_;
  ChatWebhookConfig config_;
  HttpClient* http_;
};

}  // namespace spacecrab::alert
