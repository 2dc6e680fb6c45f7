#include "config/config_fields.h"

#include <array>
#include <charconv>
#include <chrono>
#include <limits>

#include "core/time.h"

namespace spacecrab::config_internal {
namespace {

constexpr std::array<std::string_view, 9> kSections = {
    "server", "store", "secrets", "provider", "aws", "decoy", "ingest", "enrich", "incidents"};

constexpr std::array<std::string_view, 9> kSinkTypes = {
    "pagerduty", "smtp", "slack", "teams", "webhook", "syslog", "jsonl", "exec", "console"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <typename Int>
bool ParseInteger(std::string_view text, Int& out) {
  text = Trim(text);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::vector<Field> ConfigFields(Config& c) {
  return {
      {"", "provider", &c.provider},
      {"provider", "type", &c.provider},
      {"server", "listen", &c.server.listen},
      {"server", "data_dir", &c.server.data_dir},
      {"server", "public_url", &c.server.public_url},
      {"server", "max_body_bytes", &c.server.max_body_bytes},
      {"server", "threads", &c.server.threads},
      {"store", "url", &c.store.url},
      {"secrets", "key", &c.secrets.key},
      {"secrets", "key_file", &c.secrets.key_file},
      {"aws", "endpoint_url", &c.aws.endpoint_url},
      {"aws", "region", &c.aws.region},
      {"aws", "profile", &c.aws.profile},
      {"aws", "accounts", &c.aws.accounts},
      {"aws", "user_name_templates", &c.aws.user_name_templates},
      {"aws", "path_templates", &c.aws.path_templates},
      {"aws", "policy_name", &c.aws.policy_name},
      {"aws", "last_used_lag", &c.aws.last_used_lag_seconds, /*duration=*/true},
      {"aws", "last_used_sweep", &c.aws.last_used_sweep_seconds, /*duration=*/true},
      {"aws", "pool_size", &c.aws.pool_size},
      {"aws", "pool_refill_rate", &c.aws.pool_refill_rate},
      {"aws", "max_users", &c.aws.max_users},
      {"decoy", "enabled", &c.decoy.enabled},
      {"decoy", "listen", &c.decoy.listen},
      {"decoy", "account_id", &c.decoy.account_id},
      {"decoy", "endpoint_url", &c.decoy.endpoint_url},
      {"decoy", "tls_cert", &c.decoy.tls_cert},
      {"decoy", "tls_key", &c.decoy.tls_key},
      {"ingest", "s3", &c.ingest.s3},
      {"ingest", "watch_dirs", &c.ingest.watch_dirs},
      {"ingest", "poll_seconds", &c.ingest.poll_seconds},
      {"ingest", "max_file_bytes", &c.ingest.max_file_bytes},
      {"ingest", "max_record_bytes", &c.ingest.max_record_bytes},
      {"enrich", "tor_exit_list", &c.enrich.tor_exit_list},
      {"enrich", "geoip_db", &c.enrich.geoip_db},
      {"enrich", "geoip_v4", &c.enrich.geoip_v4},
      {"enrich", "geoip_v6", &c.enrich.geoip_v6},
      {"enrich", "cloud_ranges", &c.enrich.cloud_ranges},
      {"incidents", "window", &c.incidents.window_seconds, /*duration=*/true},
      {"incidents", "allow_source_cidrs", &c.incidents.allow_source_cidrs},
      {"incidents", "allow_user_agents", &c.incidents.allow_user_agents},
      {"incidents", "allow_token_tags", &c.incidents.allow_token_tags},
      {"incidents", "enumeration_min_actions", &c.incidents.enumeration_min_actions},
      {"incidents", "enumeration_min_services", &c.incidents.enumeration_min_services},
  };
}

bool IsKnownSection(std::string_view section) {
  for (auto s : kSections)
    if (s == section) return true;
  return section == kSinksSection || section == kAccountsSection;
}

std::string KeyLabel(std::string_view section, std::string_view key) {
  if (section.empty()) return std::string(key);
  return "[" + std::string(section) + "] " + std::string(key);
}

std::string SetFromText(const Field& field, std::string_view text) {
  struct Visitor {
    const Field& field;
    std::string_view text;
    std::string operator()(std::string* s) const {
      *s = std::string(text);
      return "";
    }
    std::string operator()(int* v) const {
      if (ParseInteger(text, *v)) return "";
      if (field.duration) {
        if (auto d = ParseDuration(Trim(text))) {
          const auto secs = std::chrono::duration_cast<std::chrono::seconds>(*d).count();
          if (secs > std::numeric_limits<int>::max()) return "duration too long";
          *v = static_cast<int>(secs);
          return "";
        }
        return "expected a duration like \"1h\", \"30m\" or a number of seconds, got '" +
               std::string(text) + "'";
      }
      return "expected an integer, got '" + std::string(text) + "'";
    }
    std::string operator()(size_t* v) const {
      if (!Trim(text).empty() && Trim(text).front() == '-')
        return "expected a non-negative integer, got '" + std::string(text) + "'";
      if (ParseInteger(text, *v)) return "";
      return "expected a non-negative integer, got '" + std::string(text) + "'";
    }
    std::string operator()(bool* b) const {
      const auto t = Trim(text);
      if (t == "true" || t == "1" || t == "yes" || t == "on") {
        *b = true;
        return "";
      }
      if (t == "false" || t == "0" || t == "no" || t == "off") {
        *b = false;
        return "";
      }
      return "expected true or false, got '" + std::string(text) + "'";
    }
    std::string operator()(std::vector<std::string>* list) const {
      list->clear();
      std::string_view rest = text;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = Trim(rest.substr(0, comma));
        if (!item.empty()) list->emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      return "";
    }
  };
  return std::visit(Visitor{field, text}, field.target);
}

bool IsKnownSinkType(std::string_view type) {
  for (auto t : kSinkTypes)
    if (t == type) return true;
  return false;
}

std::string KnownSinkTypes() {
  std::string out;
  for (auto t : kSinkTypes) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  return out;
}

}  // namespace spacecrab::config_internal
