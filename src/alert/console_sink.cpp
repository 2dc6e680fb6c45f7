#include "alert/console_sink.h"

#include <cerrno>
#include <cstring>

#include "alert/alert_json.h"

namespace spacecrab::alert {

Expected<ConsoleConfig> ParseConsoleConfig(SinkSettings& s) {
  ConsoleConfig c;
  c.to_stderr = s.Choice("stream", "stdout", {"stdout", "stderr"}) == "stderr";
  c.format = s.Choice("format", "line", {"line", "text", "json"});
  c.policy = s.Policy(DeliveryPolicy{});
  SC_RETURN_IF_ERROR(s.Finish());
  return c;
}

std::string ConsoleRender(const AlertMessage& m, const std::string& format) {
  if (format == "json") return MessageToJson(m) + "\n";
  std::string head = "ALERT " + std::string(ToString(m.kind)) + " " + m.dedup_key + " [" +
                     m.alert.incident.severity + "] ";
  if (format == "text") return head + "\n" + AlertText(m.alert) + "\n";
  std::string line = head + AlertSummary(m.alert);
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';  // one line, whatever the input held
  return line + "\n";
}

ConsoleSink::ConsoleSink(std::string name, ConsoleConfig config, std::FILE* out)
    : name_(std::move(name)),
      config_(std::move(config)),
      out_(out ? out : (config_.to_stderr ? stderr : stdout)) {}

Status ConsoleSink::Send(const AlertMessage& message) {
  const std::string text = ConsoleRender(message, config_.format);
  std::lock_guard<std::mutex> lock(mu_);
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size() || std::fflush(out_) != 0) {
    return Unavailable("console '" + name_ + "': write: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace spacecrab::alert
