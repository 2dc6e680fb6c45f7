// Validation of a loaded Config. Each check names the key and where its value
// came from, so a typo in a file or an environment variable is found at start.
#include <cctype>
#include <string>
#include <string_view>

#include "config/config_fields.h"
#include "config/config_load.h"
#include "core/access_key.h"
#include "core/allowlist.h"

namespace spacecrab {
namespace config_internal {
namespace {

bool AllOf(std::string_view s, int (*pred)(int)) {
  for (unsigned char ch : s)
    if (!pred(ch)) return false;
  return true;
}

bool IsBase64Key32(std::string_view s) {
  // 32 bytes -> 44 characters with one '=' of padding (standard or url-safe alphabet).
  if (s.size() != 44 || s[43] != '=') return false;
  for (size_t i = 0; i < 43; ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    if (!std::isalnum(ch) && ch != '+' && ch != '/' && ch != '-' && ch != '_') return false;
  }
  return true;
}

bool IsAwsRegion(std::string_view r) {
  // us-east-1, eu-central-2, us-gov-west-1, ap-southeast-3 ...
  if (r.size() < 9 || r.size() > 25) return false;
  if (!std::isdigit(static_cast<unsigned char>(r.back()))) return false;
  int dashes = 0;
  for (unsigned char ch : r) {
    if (ch == '-') ++dashes;
    else if (!std::islower(ch) && !std::isdigit(ch)) return false;
  }
  return dashes >= 2;
}

bool IsS3Url(std::string_view u) {
  if (u.rfind("s3://", 0) != 0) return false;
  u.remove_prefix(5);
  const auto bucket = u.substr(0, u.find('/'));
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (unsigned char ch : bucket)
    if (!std::islower(ch) && !std::isdigit(ch) && ch != '-' && ch != '.') return false;
  return true;
}

class Checker {
 public:
  explicit Checker(const Origins& origins) : origins_(origins) {}

  // Records the first failure only; later checks are no-ops.
  void Fail(const std::string& label, const std::string& message) {
    if (status_.ok()) status_ = InvalidArgument(origins_.Of(label) + ": " + label + ": " + message);
  }
  void Require(bool ok, const std::string& label, const std::string& message) {
    if (!ok) Fail(label, message);
  }
  void Listen(const std::string& label, const std::string& value) {
    Require(IsValidListenAddress(value), label,
            "expected HOST:PORT with a port from 0 to 65535, got '" + value + "'");
  }
  void Url(const std::string& label, const std::string& value) {
    if (value.empty()) return;
    Require(IsSaneHttpUrl(value), label,
            "expected an http:// or https:// URL with a host, got '" + value + "'");
  }
  Status status() const { return status_; }

 private:
  const Origins& origins_;
  Status status_;
};

}  // namespace

Status Validate(const Config& c, const Origins& origins) {
  Checker ck(origins);
  ck.Require(c.provider == "decoy" || c.provider == "aws",
             origins.by_label.count("[provider] type") ? "[provider] type" : "provider",
             "expected \"decoy\" or \"aws\", got '" + c.provider + "'");

  ck.Listen("[server] listen", c.server.listen);
  ck.Require(!c.server.data_dir.empty(), "[server] data_dir", "must not be empty");
  ck.Url("[server] public_url", c.server.public_url);
  ck.Require(c.server.max_body_bytes >= 1024, "[server] max_body_bytes", "must be at least 1024");
  ck.Require(c.server.threads >= 1 && c.server.threads <= 256, "[server] threads",
             "expected 1 to 256, got " + std::to_string(c.server.threads));

  const auto& url = c.store.url;
  const bool sqlite = url.rfind("sqlite:", 0) == 0 && url.size() > 7;
  const bool postgres = (url.rfind("postgresql://", 0) == 0 && url.size() > 13) ||
                        (url.rfind("postgres://", 0) == 0 && url.size() > 11);
  ck.Require(sqlite || postgres, "[store] url",
             "expected sqlite:PATH or postgresql://..., got '" + url + "'");

  const auto& key = c.secrets.key;
  ck.Require(key.empty() || (key.size() == 64 && AllOf(key, ::isxdigit)) || IsBase64Key32(key),
             "[secrets] key", "expected 32 bytes as 64 hex characters or 44 base64 characters");
  ck.Require(key.empty() || c.secrets.key_file.empty(), "[secrets] key_file",
             "set either [secrets] key or key_file, not both");

  ck.Url("[aws] endpoint_url", c.aws.endpoint_url);
  ck.Require(IsAwsRegion(c.aws.region), "[aws] region",
             "expected an AWS region like us-east-1, got '" + c.aws.region + "'");
  for (const auto& acct : c.aws.accounts)
    ck.Require(IsValidAccountId(acct), "[aws] accounts",
               "expected 12-digit account ids, got '" + acct + "'");
  ck.Require(c.aws.last_used_lag_seconds >= 1, "[aws] last_used_lag", "must be at least 1 second");
  ck.Require(c.aws.last_used_sweep_seconds >= 1, "[aws] last_used_sweep",
             "must be at least 1 second");
  ck.Require(c.aws.pool_size >= 0 && c.aws.pool_size <= 10000, "[aws] pool_size",
             "expected 0 (no pool) to 10000, got " + std::to_string(c.aws.pool_size));
  ck.Require(c.aws.pool_refill_rate >= 1 && c.aws.pool_refill_rate <= 1000,
             "[aws] pool_refill_rate",
             "expected 1 to 1000 mints per second, got " + std::to_string(c.aws.pool_refill_rate));
  ck.Require(c.aws.max_users >= 1 && c.aws.max_users <= 5000, "[aws] max_users",
             "expected 1 to 5000 (IAM's user quota), got " + std::to_string(c.aws.max_users));
  for (const auto& a : c.accounts) {
    const std::string s = "accounts." + a.name;
    auto label = [&](const char* field) { return "[" + s + "] " + field; };
    bool name_ok = !a.name.empty() && a.name.size() <= 64;
    for (unsigned char ch : a.name) name_ok = name_ok && (std::isalnum(ch) || ch == '-');
    ck.Require(name_ok, "[" + s + "]",
               "account names are 1-64 letters, digits and '-', got '" + a.name + "'");
    ck.Require(a.profile.empty() || a.role_arn.empty(), label("role_arn"),
               "set either profile or role_arn, not both");
    const std::string_view arn = a.role_arn;
    const bool arn_ok = arn.empty() || (arn.rfind("arn:aws:iam::", 0) == 0 && arn.size() > 31 &&
                                        IsValidAccountId(arn.substr(13, 12)) &&
                                        arn.substr(25, 6) == ":role/");
    ck.Require(arn_ok, label("role_arn"),
               "expected arn:aws:iam::ACCOUNT:role/NAME, got '" + a.role_arn + "'");
    ck.Require(a.external_id.empty() || !a.role_arn.empty(), label("external_id"),
               "only used with role_arn");
    ck.Require(a.account_id.empty() || IsValidAccountId(a.account_id), label("account_id"),
               "expected 12 digits, got '" + a.account_id + "'");
    ck.Require(a.account_id.empty() || arn.empty() || arn.substr(13, 12) == a.account_id,
               label("account_id"), "does not match the account in role_arn");
    ck.Require(a.max_users == -1 || (a.max_users >= 1 && a.max_users <= 5000), label("max_users"),
               "expected 1 to 5000, got " + std::to_string(a.max_users));
    ck.Require(a.pool_size == -1 || (a.pool_size >= 0 && a.pool_size <= 10000),
               label("pool_size"), "expected 0 to 10000, got " + std::to_string(a.pool_size));
  }
  {
    // IAM's policy-name rule; and the name is visible to anyone who can read
    // the user's policies, so no word that gives the game away.
    const std::string& p = c.aws.policy_name;
    bool ok = !p.empty() && p.size() <= 128;
    for (unsigned char ch : p)
      ok = ok && (std::isalnum(ch) || std::string_view("+=,.@_-").find(static_cast<char>(ch)) !=
                                           std::string_view::npos);
    std::string lower;
    for (unsigned char ch : p) lower += static_cast<char>(std::tolower(ch));
    for (const char* word : {"spacecrab", "honey", "canary", "decoy", "trap", "token", "bait"})
      ok = ok && lower.find(word) == std::string::npos;
    ck.Require(ok, "[aws] policy_name",
               "expected 1-128 of [A-Za-z0-9+=,.@_-] without words that reveal its purpose, got '" +
                   p + "'");
  }

  ck.Listen("[decoy] listen", c.decoy.listen);
  ck.Require(c.decoy.account_id.empty() || IsValidAccountId(c.decoy.account_id),
             "[decoy] account_id", "expected 12 digits, got '" + c.decoy.account_id + "'");
  ck.Url("[decoy] endpoint_url", c.decoy.endpoint_url);
  ck.Require(c.decoy.tls_cert.empty() == c.decoy.tls_key.empty(),
             c.decoy.tls_cert.empty() ? "[decoy] tls_cert" : "[decoy] tls_key",
             "tls_cert and tls_key must be set together");

  for (const auto& s3 : c.ingest.s3)
    ck.Require(IsS3Url(s3), "[ingest] s3", "expected s3://bucket/prefix, got '" + s3 + "'");
  for (const auto& dir : c.ingest.watch_dirs)
    ck.Require(!dir.empty(), "[ingest] watch_dirs", "empty directory name");
  ck.Require(c.ingest.poll_seconds >= 1, "[ingest] poll_seconds", "must be at least 1");
  ck.Require(c.ingest.max_file_bytes >= 1024, "[ingest] max_file_bytes", "must be at least 1024");
  ck.Require(c.ingest.max_record_bytes >= 1024, "[ingest] max_record_bytes",
             "must be at least 1024");

  for (const auto& sink : c.sinks) {
    const std::string section = "sinks." + sink.name;
    ck.Require(!sink.name.empty(), KeyLabel(section, "type"), "sink name must not be empty");
    ck.Require(IsKnownSinkType(sink.type), KeyLabel(section, "type"),
               (sink.type.empty() ? std::string("missing") : "unknown sink type '" + sink.type + "'") +
                   " (known: " + KnownSinkTypes() + ")");
    if (auto it = sink.settings.find("url"); it != sink.settings.end())
      ck.Url(KeyLabel(section, "url"), it->second);
  }

  ck.Require(c.incidents.window_seconds >= 1, "[incidents] window", "must be at least 1 second");
  ck.Require(c.incidents.enumeration_min_actions >= 1, "[incidents] enumeration_min_actions",
             "must be at least 1");
  ck.Require(c.incidents.enumeration_min_services >= 1, "[incidents] enumeration_min_services",
             "must be at least 1");
  auto check_allowlist = [&ck](const char* name, const AllowlistSpec& one) {
    auto parsed = Allowlist::Parse(one);
    ck.Require(parsed.ok(), KeyLabel("incidents", name),
               parsed.ok() ? "" : parsed.status().message());
  };
  check_allowlist("allow_source_cidrs", {c.incidents.allow_source_cidrs, {}, {}});
  check_allowlist("allow_user_agents", {{}, c.incidents.allow_user_agents, {}});
  check_allowlist("allow_token_tags", {{}, {}, c.incidents.allow_token_tags});
  return ck.status();
}

}  // namespace config_internal

bool IsValidListenAddress(std::string_view addr) {
  const auto colon = addr.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto host = addr.substr(0, colon);
  const auto port = addr.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !config_internal::AllOf(port, ::isdigit)) return false;
  if (std::stoi(std::string(port)) > 65535) return false;
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return false;
    host = host.substr(1, host.size() - 2);
    for (unsigned char ch : host)
      if (!std::isxdigit(ch) && ch != ':' && ch != '.') return false;
    return true;
  }
  for (unsigned char ch : host)
    if (!std::isalnum(ch) && ch != '.' && ch != '-') return false;
  return true;
}

bool IsSaneHttpUrl(std::string_view url) {
  std::string_view rest;
  if (url.rfind("http://", 0) == 0) rest = url.substr(7);
  else if (url.rfind("https://", 0) == 0) rest = url.substr(8);
  else return false;
  const auto host_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, host_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  for (unsigned char ch : url)
    if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '<' || ch == '>' || ch == '\\') return false;
  if (authority.front() == ':') return false;
  return true;
}

}  // namespace spacecrab
