#include "alert/alert_driver_inputs.h"

namespace spacecrab::alert {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<Timestamp> Time(const json& j, const char* k) {
  std::string s = Str(j, k);
  return s.empty() ? std::nullopt : ParseRfc3339(s);
}

}  // namespace

// A unique AKIA key id per synthetic token (SQLite keeps them unique).
std::string SyntheticKeyId(int n) {
  static const char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id = "AKIA";
  for (int i = 15; i >= 0; --i) id += kB32[(n >> (i % 6 * 5)) & 31];
  return id;
}

HoneyToken TokenFromJson(const json& j, Timestamp now) {
  HoneyToken t;
  t.id = Str(j, "id");
  t.kind = ParseTokenKind(Str(j, "kind")).value_or(TokenKind::kAws);
  t.status = ParseTokenStatus(Str(j, "status")).value_or(TokenStatus::kActive);
  t.access_key_id = Str(j, "access_key_id");
  t.location = Str(j, "location");
  t.owner = Str(j, "owner");
  t.notes = Str(j, "notes");
  if (auto it = j.find("tags"); it != j.end() && it->is_object())
    for (const auto& [k, v] : it->items()) t.tags[k] = v.is_string() ? v.get<std::string>() : "";
  t.created_at = Time(j, "created_at").value_or(now - std::chrono::hours(24));
  t.issued_at = t.created_at;
  t.planted_at = Time(j, "planted_at");
  t.first_used_at = Time(j, "first_used_at");
  t.retired_at = Time(j, "retired_at");
  return t;
}

HoneyToken SyntheticToken(const std::string& id, Timestamp now) {
  HoneyToken t;
  t.id = id;
  t.kind = TokenKind::kAws;
  t.location = "placement-" + id;
  t.owner = "owner-" + id;
  t.created_at = t.issued_at = now - std::chrono::hours(24);
  return t;
}

Event EventFromJson(const json& j) {
  Event e;
  e.id = Str(j, "id");
  e.token_id = Str(j, "token_id");
  e.event_time = Time(j, "event_time").value_or(Timestamp{});
  e.event_source = Str(j, "event_source");
  e.event_name = Str(j, "event_name");
  e.aws_region = Str(j, "aws_region");
  e.source_ip = Str(j, "source_ip");
  e.user_agent = Str(j, "user_agent");
  e.error_code = Str(j, "error_code");
  e.request_id = Str(j, "request_id");
  if (auto it = j.find("enrichment"); it != j.end() && it->is_object())
    e.enrichment_json = it->dump();
  return e;
}

// Storm: events spread over one minute of event time, `tokens` tokens,
// `sources` addresses each, 20 actions like an enumeration tool.
std::vector<Event> StormEvents(const StormSpec& a, Timestamp start) {
  static const char* kActions[][2] = {{"sts.amazonaws.com", "GetCallerIdentity"},
                                      {"iam.amazonaws.com", "ListUsers"},
                                      {"iam.amazonaws.com", "ListRoles"},
                                      {"iam.amazonaws.com", "GetAccountAuthorizationDetails"},
                                      {"s3.amazonaws.com", "ListBuckets"},
                                      {"ec2.amazonaws.com", "DescribeInstances"},
                                      {"ec2.amazonaws.com", "DescribeRegions"},
                                      {"lambda.amazonaws.com", "ListFunctions"},
                                      {"secretsmanager.amazonaws.com", "ListSecrets"},
                                      {"ssm.amazonaws.com", "DescribeParameters"},
                                      {"iam.amazonaws.com", "ListAttachedUserPolicies"},
                                      {"iam.amazonaws.com", "GetUser"},
                                      {"rds.amazonaws.com", "DescribeDBInstances"},
                                      {"kms.amazonaws.com", "ListKeys"},
                                      {"dynamodb.amazonaws.com", "ListTables"},
                                      {"sns.amazonaws.com", "ListTopics"},
                                      {"sqs.amazonaws.com", "ListQueues"},
                                      {"cloudtrail.amazonaws.com", "DescribeTrails"},
                                      {"organizations.amazonaws.com", "DescribeOrganization"},
                                      {"iam.amazonaws.com", "ListGroups"}};
  std::vector<Event> out;
  out.reserve(a.storm_events);
  for (int i = 0; i < a.storm_events; ++i) {
    Event e;
    e.id = "storm-" + std::to_string(i);
    e.token_id = "tok_storm" + std::to_string(i % a.storm_tokens);
    int src = (i / a.storm_tokens) % a.storm_sources;
    e.source_ip = "198.51.100." + std::to_string(src + 1);
    e.event_time = start + std::chrono::milliseconds(int64_t(i) * 60000 / a.storm_events);
    // The attacker's tool moves on to a new API every 3 s of the minute, and
    // keeps calling the earlier ones: new actions (material updates) arrive
    // all through the storm, not only at its start.
    const int64_t stage = int64_t(i) * 20 / a.storm_events;
    const auto& act = kActions[i % 4 == 0 ? stage : (i / a.storm_tokens) % (stage + 1)];
    e.event_source = act[0];
    e.event_name = act[1];
    e.aws_region = "us-east-1";
    e.user_agent = "aws-cli/2.15.0 Python/3.11";
    e.error_code = "AccessDenied";
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace spacecrab::alert
