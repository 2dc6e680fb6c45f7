// SmtpSink: e-mail through any SMTP relay with libcurl — also how Amazon SES
// is used (email-smtp.REGION.amazonaws.com:587, STARTTLS, SMTP credentials).
//
// Each message is multipart/alternative (plain text + HTML). All messages of
// one incident share a thread: the trigger's Message-ID is derived from the
// dedup key and updates/resolves reference it.
//
// Config ([sinks.NAME] type = "smtp"):
//   server = "smtp://mail.example.com:587"   or smtps:// for implicit TLS   required
//   from = "alerts@example.com"                                          required
//   to = ["secops@example.com", ...]                                     required
//   starttls = "required" | "opportunistic" | "off"   (smtp:// only; default required)
//   username, password (secret, or password_env / password_file)
//   ca_file = ""          PEM bundle to verify the server (default: system store)
//   subject_prefix = "[security] "
// plus the common keys (sink_settings.h).
//
// Failure: connection/TLS/timeouts and SMTP 4xx/5xx replies are kUnavailable
// (retried); a login refused or a malformed URL is final.
// Thread-safety: Send is safe from any thread (one curl handle per call).
#pragma once

#include <string>
#include <vector>

#include "alert/sink.h"
#include "alert/sink_settings.h"

namespace spacecrab::alert {

struct SmtpConfig {
  std::string url;  // from `server`
  std::string from;
  std::vector<std::string> to;
  std::string starttls = "required";
  std::string username;
  std::string password;
  std::string ca_file;
  std::string subject_prefix;
  DeliveryPolicy policy;
};

Expected<SmtpConfig> ParseSmtpConfig(SinkSettings& settings);

// RFC 2047 encoded-words for a header value when it is not plain printable
// ASCII; CR and LF are always removed (no header injection).
std::string EncodeHeaderValue(std::string_view text);
// Minimal HTML escaping (& < > " ').
std::string HtmlEscape(std::string_view text);
// The HTML part of the e-mail (a table of the alert's facts).
std::string AlertHtml(const AlertMessage& message);

class SmtpSink final : public Sink {
 public:
  SmtpSink(std::string name, SmtpConfig config);
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "smtp"; }
  Status Send(const AlertMessage& message) override;

 private:
  std::string name_;
  SmtpConfig config_;
};

}  // namespace spacecrab::alert
