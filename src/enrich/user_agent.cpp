#include "enrich/user_agent.h"

#include "enrich/user_agent_rules.h"

namespace spacecrab::enrich {
namespace {

using ua_rules::Match;
using ua_rules::ToolRule;

constexpr size_t kNotFound = std::string_view::npos;

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Position of `marker` in `lower` where it starts a token (at the start or
// after a non-word character), or npos.
size_t FindToken(std::string_view lower, std::string_view marker) {
  for (size_t at = lower.find(marker); at != kNotFound; at = lower.find(marker, at + 1)) {
    if (at == 0 || !IsWordChar(lower[at - 1])) return at;
  }
  return kNotFound;
}

// "<label>.amazonaws.com" with only host characters: an AWS service principal.
bool IsAwsHost(std::string_view lower) {
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (lower.size() <= kSuffix.size() || lower.substr(lower.size() - kSuffix.size()) != kSuffix) return false;
  for (char c : lower) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return true;
}

// Where the rule matches (offset of the marker), or npos.
size_t MatchRule(const ToolRule& rule, std::string_view ua, std::string_view lower) {
  switch (rule.match) {
    case Match::kExact:
      return ua == rule.marker ? 0 : kNotFound;
    case Match::kPrefix:
      return lower.substr(0, rule.marker.size()) == rule.marker ? 0 : kNotFound;
    case Match::kToken:
      return FindToken(lower, rule.marker);
    case Match::kAwsHost:
      return IsAwsHost(lower) ? 0 : kNotFound;
  }
  return kNotFound;
}

// The version written at `pos` ("2.15.0", "v1.2" -> "1.2"), after at most one
// '/' or ' ' separator; empty unless it starts with a digit.
std::string VersionAt(std::string_view ua, size_t pos) {
  if (pos < ua.size() && (ua[pos] == '/' || ua[pos] == ' ')) ++pos;
  if (pos < ua.size() && (ua[pos] == 'v' || ua[pos] == 'V') && pos + 1 < ua.size() && ua[pos + 1] >= '0' &&
      ua[pos + 1] <= '9')
    ++pos;
  if (pos >= ua.size() || ua[pos] < '0' || ua[pos] > '9') return {};
  size_t end = pos;
  while (end < ua.size()) {
    const char c = ua[end];
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                    c == '_' || c == '-' || c == '+';
    if (!ok) break;
    ++end;
  }
  return std::string(ua.substr(pos, end - pos));
}

// Text after `key` up to the next space, e.g. "command/" -> "s3.ls".
std::string ValueAfter(std::string_view ua, std::string_view lower, std::string_view key) {
  const size_t at = FindToken(lower, key);
  if (at == kNotFound) return {};
  const size_t start = at + key.size();
  size_t end = start;
  while (end < ua.size() && ua[end] != ' ' && ua[end] != ']' && ua[end] != ',') ++end;
  return std::string(ua.substr(start, end - start));
}

std::string_view TrimUa(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  // CloudTrail sometimes wraps the whole user agent in brackets.
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    s = s.substr(1, s.size() - 2);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string_view ToString(ToolCategory c) {
  switch (c) {
    case ToolCategory::kUnknown: return "unknown";
    case ToolCategory::kCli: return "cli";
    case ToolCategory::kSdk: return "sdk";
    case ToolCategory::kOffensive: return "offensive";
    case ToolCategory::kAudit: return "audit";
    case ToolCategory::kGui: return "gui";
    case ToolCategory::kIac: return "iac";
    case ToolCategory::kHttpClient: return "http-client";
    case ToolCategory::kBrowser: return "browser";
    case ToolCategory::kConsole: return "console";
    case ToolCategory::kAwsInternal: return "aws-internal";
  }
  return "unknown";
}

ToolInfo ClassifyUserAgent(std::string_view user_agent) {
  ToolInfo info;
  const std::string_view ua = TrimUa(user_agent);
  if (ua.empty()) return info;
  const std::string lower = ToLower(ua);

  info.family = "other";
  for (const ToolRule& rule : ua_rules::ToolRules()) {
    const size_t at = MatchRule(rule, ua, lower);
    if (at == kNotFound) continue;
    info.family = std::string(rule.family);
    info.category = rule.category;
    if (rule.version_follows) info.version = VersionAt(ua, at + rule.marker.size());
    break;
  }

  // The SDK underneath a wrapping tool (not for the SDKs themselves, and not
  // for browsers and AWS, whose user agents name no SDK the caller chose).
  const bool wraps_sdk = info.category == ToolCategory::kCli || info.category == ToolCategory::kOffensive ||
                         info.category == ToolCategory::kAudit || info.category == ToolCategory::kIac ||
                         info.category == ToolCategory::kGui;
  if (wraps_sdk) {
    for (const ToolRule& rule : ua_rules::ToolRules()) {
      if (rule.category != ToolCategory::kSdk) continue;
      const size_t at = MatchRule(rule, ua, lower);
      if (at == kNotFound) continue;
      const std::string version = VersionAt(ua, at + rule.marker.size());
      info.sdk = version.empty() ? std::string(rule.family) : std::string(rule.family) + "/" + version;
      break;
    }
  }

  for (const ua_rules::OsRule& rule : ua_rules::OsRules()) {
    if (lower.find(rule.marker) != kNotFound) {
      info.os = std::string(rule.os);
      break;
    }
  }
  for (const ua_rules::DistroRule& rule : ua_rules::DistroRules()) {
    if (lower.find(rule.marker) != kNotFound) {
      info.distro = std::string(rule.distro);
      info.pentest_distro = rule.pentest;
      break;
    }
  }

  info.command = ValueAfter(ua, lower, "command/");
  if (info.command.empty()) info.command = ValueAfter(ua, lower, "md/command#");
  info.exec_env = ValueAfter(ua, lower, "exec-env/");
  return info;
}

std::string ToolLabel(const ToolInfo& tool) {
  if (tool.family.empty()) return {};
  if (tool.version.empty()) return tool.family;
  return tool.family + "/" + tool.version;
}

}  // namespace spacecrab::enrich
