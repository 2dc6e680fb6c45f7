#include "alert/sample_alert.h"

#include <chrono>

namespace spacecrab::alert {

Alert MakeSampleAlert(std::string_view public_url, Timestamp now) {
  HoneyToken token;
  token.id = "tok_TEST";
  token.kind = TokenKind::kAws;
  token.access_key_id = "AKIAIOSFODNN7EXAMPLE";  // AWS's documentation key id
  token.account_id = "123456789012";
  token.location = "example: laptop-0042:~/Downloads/credentials";
  token.owner = "security team";
  token.notes = "sample alert from `spacecrab alert test`";
  token.tags = {{"test", "true"}};
  token.created_at = now - std::chrono::hours(24 * 7);
  token.issued_at = token.created_at;
  Incident inc;
  inc.id = "inc_TEST" + std::to_string(ToUnixMillis(now));
  inc.token_id = token.id;
  inc.source_ip = "203.0.113.7";  // TEST-NET-3
  inc.first_seen = inc.last_seen = now;
  inc.event_count = 1;
  inc.actions = {"sts:GetCallerIdentity"};
  inc.services = {"sts"};
  inc.paged = true;
  Event e;
  e.id = "00000000-0000-0000-0000-000000000000";
  e.token_id = token.id;
  e.event_time = now;
  e.event_source = "sts.amazonaws.com";
  e.event_name = "GetCallerIdentity";
  e.aws_region = "us-east-1";
  e.source_ip = inc.source_ip;
  e.user_agent = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12";
  AlertEnrichment enr;
  enr.country = "ZZ";
  enr.tool = "aws-cli";
  Alert a = BuildAlert(inc, token, e, enr, public_url);
  a.test = true;
  return a;
}

std::vector<SinkCheck> SendSampleAlert(const std::vector<BuiltSink>& sinks, const std::string& only,
                                       std::string_view public_url, Timestamp now,
                                       bool resolve_after) {
  std::vector<SinkCheck> out;
  AlertMessage m;
  m.kind = AlertKind::kTrigger;
  m.alert = MakeSampleAlert(public_url, now);
  m.dedup_key = m.alert.incident.id;
  for (const auto& b : sinks) {
    if (!only.empty() && b.sink->name() != only) continue;
    const auto start = std::chrono::steady_clock::now();
    SinkCheck check{b.sink->name(), std::string(b.sink->kind()), b.sink->Send(m), 0};
    if (check.status.ok() && resolve_after && b.policy.kinds.count(AlertKind::kResolve)) {
      AlertMessage r = m;
      r.kind = AlertKind::kResolve;
      check.status = b.sink->Send(r);
    }
    check.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    out.push_back(std::move(check));
  }
  if (!only.empty() && out.empty()) {
    out.push_back({only, "", NotFound("no sink named '" + only + "'"), 0});
  }
  return out;
}

}  // namespace spacecrab::alert
