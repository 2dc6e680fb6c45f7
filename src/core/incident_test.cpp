#include "core/incident.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kT0 = *ParseRfc3339("2026-11-23T17:00:00Z");

HoneyToken Token() {
  HoneyToken t;
  t.id = "tok_01";
  t.location = "laptop-0042:~/Downloads";
  t.owner = "alice";
  t.created_at = kT0 - std::chrono::hours(24 * 30);
  return t;
}

Event Ev(std::string id, Timestamp at, std::string source, std::string name,
         std::string ip = "203.0.113.9") {
  Event e;
  e.id = std::move(id);
  e.token_id = "tok_01";
  e.event_time = at;
  e.event_source = std::move(source);
  e.event_name = std::move(name);
  e.source_ip = std::move(ip);
  e.user_agent = "aws-cli/2.13.0";
  return e;
}

struct Sequence {
  IncidentPolicy policy;
  Allowlist allow;
  HoneyToken token = Token();
  std::optional<Incident> open;
  int next_id = 0;

  IncidentDecision Apply(const Event& e) {
    auto d = ApplyEvent(policy, allow, e, token, open ? &*open : nullptr,
                        "inc_" + std::to_string(++next_id), e.event_time);
    open = d.incident;
    return d;
  }
};

TEST(Incident, FirstEventOfUnusedTokenTriggersCriticalFirstUse) {
  Sequence r;
  auto d = r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_TRUE(d.created);
  EXPECT_EQ(d.page, AlertKind::kTrigger);
  EXPECT_EQ(d.incident.id, "inc_1");
  EXPECT_EQ(d.incident.trigger, IncidentTrigger::kFirstUse);
  EXPECT_EQ(d.incident.severity, IncidentSeverity::kCritical);
  EXPECT_EQ(d.incident.profile, IncidentProfile::kSingleProbe);
  EXPECT_EQ(d.incident.actions, std::vector<std::string>{"sts:GetCallerIdentity"});
  EXPECT_EQ(d.incident.services, std::vector<std::string>{"sts"});
  EXPECT_TRUE(d.incident.paged);
  EXPECT_EQ(IncidentHeadline(d.incident, r.token), "First use of a key");
}

TEST(Incident, SameActionAgainUpdatesCountsWithoutPaging) {
  Sequence r;
  r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  auto d = r.Apply(Ev("e2", kT0 + seconds(5), "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_FALSE(d.created);
  EXPECT_FALSE(d.page);
  EXPECT_EQ(d.incident.event_count, 2);
  EXPECT_EQ(d.incident.last_seen, kT0 + seconds(5));
  EXPECT_EQ(d.incident.last_event_id, "e2");
}

TEST(Incident, ManyDistinctActionsBecomeEnumerationAndPageAnUpdate) {
  Sequence r;
  r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  auto d2 = r.Apply(Ev("e2", kT0 + seconds(1), "s3.amazonaws.com", "ListBuckets"));
  EXPECT_EQ(d2.page, AlertKind::kUpdate);
  EXPECT_TRUE(d2.new_action);
  EXPECT_EQ(d2.incident.profile, IncidentProfile::kSingleProbe);
  auto d3 = r.Apply(Ev("e3", kT0 + seconds(2), "iam.amazonaws.com", "ListUsers"));
  EXPECT_EQ(d3.incident.profile, IncidentProfile::kEnumeration);
  EXPECT_TRUE(d3.profile_changed);
  EXPECT_EQ(d3.page, AlertKind::kUpdate);
  EXPECT_EQ(d3.incident.services, (std::vector<std::string>{"sts", "s3", "iam"}));
}

TEST(Incident, EnumerationRaisesRepeatUseToCriticalAndNeverLowers) {
  Sequence r;
  r.token.first_used_at = kT0 - std::chrono::hours(48);
  auto d1 = r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_EQ(d1.incident.trigger, IncidentTrigger::kRepeatUse);
  EXPECT_EQ(d1.incident.severity, IncidentSeverity::kError);
  EXPECT_EQ(IncidentHeadline(d1.incident, r.token), "Repeat activity on a key");
  r.Apply(Ev("e2", kT0 + seconds(1), "iam.amazonaws.com", "ListUsers"));
  auto d3 = r.Apply(Ev("e3", kT0 + seconds(2), "iam.amazonaws.com", "ListRoles"));
  EXPECT_EQ(d3.incident.severity, IncidentSeverity::kCritical);
  EXPECT_TRUE(d3.severity_raised);
}

TEST(Incident, FirstUseCountsEventAlreadyRecordedByIngest) {
  Sequence r;
  r.token.first_used_at = kT0;  // ingest bumped it for this very event
  auto d = r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_EQ(d.incident.trigger, IncidentTrigger::kFirstUse);
}

TEST(Incident, UseOfRevokedTokenSaysRetired) {
  Sequence r;
  r.token.status = TokenStatus::kRevoked;
  r.token.retired_at = kT0 - minutes(10);
  auto d = r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_EQ(d.incident.trigger, IncidentTrigger::kRetiredTokenUse);
  EXPECT_TRUE(d.incident.retired_token);
  EXPECT_EQ(d.incident.severity, IncidentSeverity::kError);
  EXPECT_EQ(d.page, AlertKind::kTrigger);
  EXPECT_EQ(IncidentHeadline(d.incident, r.token), "Use of a revoked key");
}

TEST(Incident, LateRecordOfUseBeforeRevocationIsNotRetiredUse) {
  Sequence r;
  r.token.status = TokenStatus::kDeleted;
  r.token.retired_at = kT0 + minutes(10);
  auto d = r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_EQ(d.incident.trigger, IncidentTrigger::kFirstUse);
  EXPECT_FALSE(d.incident.retired_token);
  EXPECT_EQ(IncidentHeadline(d.incident, r.token), "First use of a key");
}

TEST(Incident, QuietLongerThanWindowStartsNewIncident) {
  Sequence r;
  r.policy.window = minutes(30);
  r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  r.token.first_used_at = kT0;
  auto inside = r.Apply(Ev("e2", kT0 + minutes(29), "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_FALSE(inside.created);
  auto after =
      r.Apply(Ev("e3", kT0 + minutes(29) + minutes(31), "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_TRUE(after.created);
  EXPECT_NE(after.incident.id, inside.incident.id);
  EXPECT_EQ(after.incident.trigger, IncidentTrigger::kRepeatUse);
  EXPECT_EQ(after.page, AlertKind::kTrigger);
}

TEST(Incident, LateOutOfOrderEventInsideWindowMovesFirstSeenBack) {
  Sequence r;
  r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  auto d = r.Apply(Ev("e0", kT0 - minutes(3), "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_FALSE(d.created);
  EXPECT_EQ(d.incident.first_seen, kT0 - minutes(3));
  EXPECT_EQ(d.incident.last_seen, kT0);
}

TEST(Incident, ResolvedIncidentDoesNotAcceptAndAckedDoes) {
  Sequence r;
  auto d = r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  auto acked = Acknowledge(d.incident, "apikey:key_1", kT0 + seconds(10));
  ASSERT_TRUE(acked.ok());
  EXPECT_FALSE(acked->page);
  r.open = acked->incident;
  auto d2 = r.Apply(Ev("e2", kT0 + seconds(20), "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_FALSE(d2.created);
  EXPECT_EQ(d2.incident.status, IncidentStatus::kAcknowledged);
  auto resolved = Resolve(d2.incident, "cli:local", kT0 + seconds(30));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->page, AlertKind::kResolve);
  EXPECT_EQ(resolved->incident.resolved_by, "cli:local");
  r.open = resolved->incident;
  auto d3 = r.Apply(Ev("e3", kT0 + seconds(40), "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_TRUE(d3.created);
  EXPECT_FALSE(Resolve(resolved->incident, "x", kT0).ok());
  EXPECT_EQ(Acknowledge(resolved->incident, "x", kT0).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(Incident, AllowlistedSourceIsRecordedButNeverPages) {
  Sequence r;
  r.allow = [] {
    AllowlistSpec s;
    s.source_cidrs = {"203.0.113.0/24 # red team"};
    return *Allowlist::Parse(s);
  }();
  auto d = r.Apply(Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_TRUE(d.created);
  EXPECT_FALSE(d.page);
  EXPECT_TRUE(d.incident.allowlisted);
  EXPECT_EQ(d.incident.allowlist_reason, "source 203.0.113.0/24 (red team)");
  EXPECT_EQ(d.incident.severity, IncidentSeverity::kInfo);
  for (int i = 0; i < 5; ++i) {
    auto u = r.Apply(Ev("x" + std::to_string(i), kT0 + seconds(i), "iam.amazonaws.com",
                        "List" + std::to_string(i)));
    EXPECT_FALSE(u.page);
  }
  EXPECT_EQ(r.open->event_count, 6);
  auto resolved = Resolve(*r.open, "cli:local", kT0 + minutes(1));
  EXPECT_FALSE(resolved->page);  // never paged, nothing to resolve
}

TEST(Incident, NonAllowlistedEventInAllowlistedIncidentPagesOnce) {
  Sequence r;
  r.allow = [] {
    AllowlistSpec s;
    s.user_agents = {"*TruffleHog*"};
    return *Allowlist::Parse(s);
  }();
  Event scan = Ev("e1", kT0, "sts.amazonaws.com", "GetCallerIdentity");
  scan.user_agent = "TruffleHog";
  EXPECT_FALSE(r.Apply(scan).page);
  auto d = r.Apply(Ev("e2", kT0 + seconds(1), "sts.amazonaws.com", "GetCallerIdentity"));
  EXPECT_EQ(d.page, AlertKind::kTrigger);
  EXPECT_FALSE(d.incident.allowlisted);
  EXPECT_EQ(d.incident.severity, IncidentSeverity::kCritical);
  Event scan2 = scan;
  scan2.id = "e3";
  EXPECT_FALSE(r.Apply(scan2).page);
  EXPECT_FALSE(r.open->allowlisted);
}

TEST(Incident, ActionListIsBoundedUnderAStorm) {
  Sequence r;
  r.policy.max_actions = 10;
  for (int i = 0; i < 50; ++i) {
    r.Apply(Ev("e" + std::to_string(i), kT0 + seconds(i), "iam.amazonaws.com",
               "Call" + std::to_string(i)));
  }
  EXPECT_EQ(r.open->actions.size(), 10u);
  EXPECT_TRUE(r.open->actions_truncated);
  EXPECT_EQ(r.open->event_count, 50);
}

TEST(Incident, NamesRoundTrip) {
  EXPECT_EQ(ParseIncidentStatus("acknowledged"), IncidentStatus::kAcknowledged);
  EXPECT_EQ(ParseIncidentProfile("single probe"), IncidentProfile::kSingleProbe);
  EXPECT_EQ(ParseIncidentSeverity("critical"), IncidentSeverity::kCritical);
  EXPECT_EQ(ParseIncidentTrigger("retired_token_use"), IncidentTrigger::kRetiredTokenUse);
  EXPECT_EQ(ParseAlertKind("resolve"), AlertKind::kResolve);
  EXPECT_FALSE(ParseAlertKind("page"));
  EXPECT_EQ(ActionName("sts.amazonaws.com", "GetCallerIdentity"), "sts:GetCallerIdentity");
  EXPECT_EQ(ShortServiceName("custom.example"), "custom.example");
}

}  // namespace
}  // namespace spacecrab
