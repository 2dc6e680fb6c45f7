#include "core/cloudtrail_record.h"

namespace spacecrab {

std::string_view UserNameFromArn(std::string_view arn) {
  // arn:PARTITION:iam::ACCOUNT:user/[path/]NAME
  if (arn.substr(0, 4) != "arn:") return {};
  const size_t user = arn.find(":user/");
  if (user == std::string_view::npos) return {};
  std::string_view rest = arn.substr(user + 6);
  const size_t slash = rest.rfind('/');
  if (slash != std::string_view::npos) rest = rest.substr(slash + 1);
  return rest;
}

std::string_view AccountIdFromArn(std::string_view arn) {
  // Fields: arn, partition, service, region, account, resource.
  size_t pos = 0;
  for (int field = 0; field < 4; ++field) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  const size_t end = arn.find(':', pos);
  if (end == std::string_view::npos) return {};
  return arn.substr(pos, end - pos);
}

Event ToEvent(const CloudTrailRecord& r, std::string_view token_id,
              std::string_view access_key_id, std::string_view origin,
              std::string_view raw_json, Timestamp received_at) {
  Event e;
  e.id = std::string(r.event_id);
  e.token_id = std::string(token_id);
  e.access_key_id = std::string(access_key_id);
  e.event_time = ParseRfc3339(r.event_time).value_or(received_at);
  e.event_source = std::string(r.event_source);
  e.event_name = std::string(r.event_name);
  e.aws_region = std::string(r.aws_region);
  e.source_ip = std::string(r.source_ip);
  e.user_agent = std::string(r.user_agent);
  e.error_code = std::string(r.error_code);
  e.request_id = std::string(r.request_id);
  e.origin = std::string(origin);
  e.raw_json = std::string(raw_json);
  e.received_at = received_at;
  return e;
}

}  // namespace spacecrab
