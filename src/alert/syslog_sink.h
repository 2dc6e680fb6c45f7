// SyslogSink: RFC 5424 messages to a syslog server or SIEM collector over UDP
// (one datagram per message, RFC 5426) or TCP (octet counting, RFC 6587),
// the message text either the alert summary or a CEF record.
//
// Config ([sinks.NAME] type = "syslog"):
//   address = "udp://10.0.0.5:514" | "tcp://siem.example.com:601"   required
//   facility = "local0"      see SyslogFacility
//   format = "rfc5424" | "cef"
//   app_name = "spacecrab", hostname = (this host's name)
//   max_udp_bytes = 8192     longer datagrams are cut (at a UTF-8 boundary)
// plus the common keys (sink_settings.h).
//
// TCP keeps one connection open and reconnects once per Send after an error;
// failures are kUnavailable. UDP is fire-and-forget, except that a refused
// port reported by the kernel (ICMP) is kUnavailable.
//
// Thread-safety: Send is serialised by an internal mutex.
#pragma once

#include <mutex>
#include <string>

#include "alert/sink.h"
#include "alert/sink_settings.h"
#include "alert/syslog_format.h"
#include "core/clock.h"

namespace spacecrab::alert {

struct SyslogConfig {
  bool tcp = false;
  std::string host;
  std::string port;
  SyslogFormatOptions format;
  size_t max_udp_bytes = 8192;
  DeliveryPolicy policy;
};

Expected<SyslogConfig> ParseSyslogConfig(SinkSettings& settings);

class SyslogSink final : public Sink {
 public:
  // `clock` is not owned and must outlive the sink.
  SyslogSink(std::string name, SyslogConfig config, const Clock* clock);
  ~SyslogSink() override;
  SyslogSink(const SyslogSink&) = delete;
  SyslogSink& operator=(const SyslogSink&) = delete;

  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "syslog"; }
  Status Send(const AlertMessage& message) override;

 private:
  Status Connect();
  Status Write(const std::string& frame);
  void Close();

  std::string name_;
  SyslogConfig config_;
  const Clock* clock_;
  std::mutex mu_;
  int fd_ = -1;  // guarded by mu_
};

}  // namespace spacecrab::alert
