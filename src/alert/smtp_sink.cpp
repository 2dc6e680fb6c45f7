#include "alert/smtp_sink.h"

#include <curl/curl.h>

#include <chrono>
#include <ctime>

#include "alert/chat_format.h"
#include "alert/curl_http_client.h"
#include "alert/curl_status.h"
#include "crypto/encoding.h"

namespace spacecrab::alert {
namespace {

bool PlausibleAddress(const std::string& a) {
  size_t at = a.find('@');
  return at != std::string::npos && at > 0 && at + 1 < a.size() &&
         a.find_first_of("<>\r\n\t ,;\"") == std::string::npos;
}

std::string Rfc5322Date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string MessageId(const AlertMessage& m, const std::string& domain) {
  switch (m.kind) {
    case AlertKind::kTrigger:
      return "<" + m.dedup_key + ".trigger@" + domain + ">";
    case AlertKind::kResolve:
      return "<" + m.dedup_key + ".resolve@" + domain + ">";
    case AlertKind::kUpdate:
      break;
  }
  int64_t unique = m.outbox_id;
  if (unique == 0) {
    unique = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  }
  return "<" + m.dedup_key + ".update." + std::to_string(unique) + "@" + domain + ">";
}

}  // namespace

Expected<SmtpConfig> ParseSmtpConfig(SinkSettings& s) {
  SmtpConfig c;
  // `server`, not `url`: [sinks.*] url is checked as an HTTP URL by the config loader.
  c.url = s.RequiredString("server");
  if (!c.url.empty() && c.url.rfind("smtp://", 0) != 0 && c.url.rfind("smtps://", 0) != 0) {
    s.Fail("server", "expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
  }
  c.from = s.RequiredString("from");
  if (!c.from.empty() && !PlausibleAddress(c.from)) s.Fail("from", "not an e-mail address");
  c.to = s.List("to");
  if (c.to.empty()) s.Fail("to", "required: at least one recipient");
  for (const auto& t : c.to)
    if (!PlausibleAddress(t)) s.Fail("to", "not an e-mail address: '" + t + "'");
  c.starttls = s.Choice("starttls", "required", {"required", "opportunistic", "off"});
  c.username = s.String("username");
  c.password = s.Secret("password", false);
  if (!c.password.empty() && c.username.empty()) s.Fail("username", "required with a password");
  c.ca_file = s.String("ca_file");
  c.subject_prefix = s.String("subject_prefix");
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

std::string EncodeHeaderValue(std::string_view text) {
  std::string clean;
  bool plain = true;
  for (char ch : text) {
    if (ch == '\r' || ch == '\n') continue;
    unsigned char u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u >= 0x7f) plain = false;
    clean += ch;
  }
  if (plain) return clean;
  // Encoded-words of at most 75 characters: 45 input bytes -> 60 base64 chars
  // + 12 for "=?UTF-8?B?" "?=". Cuts stay on UTF-8 boundaries.
  std::string out;
  size_t i = 0;
  while (i < clean.size()) {
    size_t n = std::min<size_t>(45, clean.size() - i);
    while (n > 0 && i + n < clean.size() &&
           (static_cast<unsigned char>(clean[i + n]) & 0xc0) == 0x80)
      --n;
    if (n == 0) n = std::min<size_t>(45, clean.size() - i);
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?" + Base64Encode(std::string_view(clean).substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

std::string HtmlEscape(std::string_view text) {
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
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string AlertHtml(const AlertMessage& m) {
  std::string html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><h2>" +
                     HtmlEscape(ChatHeadline(m)) + "</h2><table cellpadding=\"4\">";
  for (const auto& f : ChatFacts(m.alert)) {
    html += "<tr><th align=\"left\">" + HtmlEscape(f.label) + "</th><td>" + HtmlEscape(f.value) +
            "</td></tr>";
  }
  html += "</table>";
  const std::string& url = m.alert.dashboard_url;
  if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
    html += "<p><a href=\"" + HtmlEscape(url) + "\">Open incident " +
            HtmlEscape(m.alert.incident.id) + "</a></p>";
  }
  return html + "</body></html>";
}

SmtpSink::SmtpSink(std::string name, SmtpConfig config)
    : name_(std::move(name)), config_(std::move(config)) {
  EnsureCurlInitialised();
}

Status SmtpSink::Send(const AlertMessage& m) {
  const std::string what = "smtp '" + name_ + "' at " + UrlHost(config_.url);
  CurlEasyPtr curl(curl_easy_init());
  if (!curl) return Internal(what + ": curl_easy_init failed");
  CURL* c = curl.get();

  const std::string domain = config_.from.substr(config_.from.find('@') + 1);
  CurlSlistPtr rcpt, headers;
  std::string to_header;
  for (const auto& t : config_.to) {
    if (!AppendHeader(rcpt, "<" + t + ">")) return Internal(what + ": out of memory");
    to_header += (to_header.empty() ? "" : ", ") + t;
  }
  const std::string message_id = MessageId(m, domain);
  const std::string thread_root = "<" + m.dedup_key + ".trigger@" + domain + ">";
  std::vector<std::string> lines = {
      "Date: " + Rfc5322Date(std::time(nullptr)),
      "From: " + config_.from,
      "To: " + to_header,
      "Subject: " + EncodeHeaderValue(Clip(config_.subject_prefix + ChatHeadline(m), 200)),
      "Message-ID: " + message_id,
      "X-Dedup-Key: " + m.dedup_key,
  };
  if (m.kind != AlertKind::kTrigger) {
    lines.push_back("In-Reply-To: " + thread_root);
    lines.push_back("References: " + thread_root);
  }
  for (const auto& l : lines)
    if (!AppendHeader(headers, l)) return Internal(what + ": out of memory");

  // multipart/mixed { multipart/alternative { text/plain, text/html } }
  CurlMimePtr mime(curl_mime_init(c));
  curl_mime* alt = curl_mime_init(c);  // owned by `mime` once attached below
  const std::string text = AlertText(m.alert);
  const std::string html = AlertHtml(m);
  curl_mimepart* part = curl_mime_addpart(alt);
  curl_mime_data(part, text.data(), text.size());
  curl_mime_type(part, "text/plain; charset=utf-8");
  curl_mime_encoder(part, "quoted-printable");
  part = curl_mime_addpart(alt);
  curl_mime_data(part, html.data(), html.size());
  curl_mime_type(part, "text/html; charset=utf-8");
  curl_mime_encoder(part, "quoted-printable");
  part = curl_mime_addpart(mime.get());
  curl_mime_subparts(part, alt);
  curl_mime_type(part, "multipart/alternative");
  CurlSlistPtr part_headers;
  if (!AppendHeader(part_headers, "Content-Disposition: inline"))
    return Internal(what + ": out of memory");
  curl_mime_headers(part, part_headers.release(), /*take_ownership=*/1);

  const long timeout_ms = static_cast<long>(config_.policy.timeout.count());
  curl_easy_setopt(c, CURLOPT_URL, config_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
  const bool implicit_tls = config_.url.rfind("smtps://", 0) == 0;
  long use_ssl = implicit_tls || config_.starttls == "required" ? CURLUSESSL_ALL
                 : config_.starttls == "opportunistic"          ? CURLUSESSL_TRY
                                                                : CURLUSESSL_NONE;
  curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
  if (!config_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config_.password.c_str());
  }
  const std::string mail_from = "<" + config_.from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());

  CURLcode rc = curl_easy_perform(c);
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  // The handle only borrows these; detach before they are freed (reverse order).
  curl_easy_setopt(c, CURLOPT_MIMEPOST, nullptr);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  if (rc == CURLE_OK) return Status::Ok();
  Status st = StatusFromCurl(rc, what + (reply ? " (SMTP " + std::to_string(reply) + ")" : ""));
  // A permanent SMTP rejection of the recipient or sender (5xx other than
  // auth) will not change on retry.
  if (reply == 550 || reply == 551 || reply == 553 || reply == 501) {
    return FailedPrecondition(st.message());
  }
  return st;
}

}  // namespace spacecrab::alert
