// Syslog message formats: RFC 5424 lines, optionally carrying an ArcSight
// CEF message for SIEMs, and RFC 6587 octet-counting framing for TCP.
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "alert/sink.h"

namespace spacecrab::alert {

struct SyslogFormatOptions {
  int facility = 16;  // local0
  std::string hostname = "-";
  std::string app_name = "spacecrab";
  std::string procid = "-";
  bool cef = false;  // MSG is a CEF:0 record instead of the text summary
};

// Facility by name: kern user mail daemon auth syslog lpr news uucp cron
// authpriv ftp local0..local7. -1 if unknown.
int SyslogFacility(std::string_view name);
// Syslog severity for a message: critical 2, error 3, warning 4, info 6;
// resolves are notices (5).
int SyslogSeverity(const AlertMessage& message);

// <PRI>1 TIMESTAMP HOST APP PROCID MSGID [alert@32473 ...] MSG
// MSGID is the message kind; structured data names incident, token, source
// and severity (32473 is the documentation enterprise number of RFC 5612).
std::string FormatRfc5424(const AlertMessage& message, const SyslogFormatOptions& options,
                          Timestamp now);
// CEF:0|spacecrab|spacecrab|1|<trigger>|<title>|<0-10>|ext... with CEF escaping.
std::string FormatCef(const AlertMessage& message);
// "LEN SP MSG" (RFC 6587 octet counting).
std::string OctetCounted(std::string_view message);

}  // namespace spacecrab::alert
