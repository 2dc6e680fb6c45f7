#include "enrich/user_agent.h"

#include <array>
#include <vector>

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

// Rules grouped by the first byte of their marker, so one pass over the user
// agent tries at each position only the few markers that can start there.
// Priority stays the table order: the lowest matching rule index wins.
struct MarkerIndex {
  std::array<std::vector<uint16_t>, 256> by_first_byte;
  void Add(std::string_view marker, size_t rule) {
    by_first_byte[static_cast<unsigned char>(marker.front())].push_back(static_cast<uint16_t>(rule));
  }
  const std::vector<uint16_t>& At(char c) const { return by_first_byte[static_cast<unsigned char>(c)]; }
};

struct Indexes {
  MarkerIndex tokens;    // ToolRules() with Match::kToken
  MarkerIndex os;        // OsRules()
  MarkerIndex distros;   // DistroRules()
  std::vector<uint16_t> whole;  // ToolRules() matched against the whole user agent
};

const Indexes& GetIndexes() {
  static const Indexes idx = [] {
    Indexes x;
    const auto tools = ua_rules::ToolRules();
    for (size_t i = 0; i < tools.size(); ++i) {
      if (tools[i].match == Match::kToken) {
        x.tokens.Add(tools[i].marker, i);
      } else {
        x.whole.push_back(static_cast<uint16_t>(i));
      }
    }
    const auto os = ua_rules::OsRules();
    for (size_t i = 0; i < os.size(); ++i) x.os.Add(os[i].marker, i);
    const auto distros = ua_rules::DistroRules();
    for (size_t i = 0; i < distros.size(); ++i) x.distros.Add(distros[i].marker, i);
    return x;
  }();
  return idx;
}

bool WholeMatch(const ToolRule& rule, std::string_view ua, std::string_view lower) {
  switch (rule.match) {
    case Match::kExact:
      return ua == rule.marker;
    case Match::kPrefix:
      return lower.substr(0, rule.marker.size()) == rule.marker;
    case Match::kAwsHost:
      return IsAwsHost(lower);
    case Match::kToken:
      return false;
  }
  return false;
}

bool MarkerAt(std::string_view lower, size_t pos, std::string_view marker) {
  return lower.size() - pos >= marker.size() && lower.compare(pos, marker.size(), marker) == 0;
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
  const Indexes& idx = GetIndexes();
  const auto tools = ua_rules::ToolRules();
  const auto os = ua_rules::OsRules();
  const auto distros = ua_rules::DistroRules();

  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t best = kNone, best_at = 0;          // the tool
  size_t best_sdk = kNone, best_sdk_at = 0;  // the SDK underneath, if any
  size_t best_os = kNone, best_distro = kNone;
  for (uint16_t i : idx.whole) {
    if (WholeMatch(tools[i], ua, lower)) {
      best = i;
      break;  // `whole` is in table order
    }
  }
  for (size_t p = 0; p < lower.size(); ++p) {
    if (p == 0 || !IsWordChar(lower[p - 1])) {
      for (uint16_t i : idx.tokens.At(lower[p])) {
        const ToolRule& rule = tools[i];
        const bool wanted = i < best || (rule.category == ToolCategory::kSdk && i < best_sdk);
        if (!wanted || !MarkerAt(lower, p, rule.marker)) continue;
        if (i < best) {
          best = i;
          best_at = p;
        }
        if (rule.category == ToolCategory::kSdk && i < best_sdk) {
          best_sdk = i;
          best_sdk_at = p;
        }
      }
    }
    for (uint16_t i : idx.os.At(lower[p])) {
      if (i < best_os && MarkerAt(lower, p, os[i].marker)) best_os = i;
    }
    for (uint16_t i : idx.distros.At(lower[p])) {
      if (i < best_distro && MarkerAt(lower, p, distros[i].marker)) best_distro = i;
    }
  }

  info.family = "other";
  if (best != kNone) {
    const ToolRule& rule = tools[best];
    info.family = std::string(rule.family);
    info.category = rule.category;
    if (rule.version_follows) info.version = VersionAt(ua, best_at + rule.marker.size());
  }
  // The SDK underneath a wrapping tool (not for the SDKs themselves, and not
  // for browsers and AWS, whose user agents name no SDK the caller chose).
  const bool wraps_sdk = info.category == ToolCategory::kCli || info.category == ToolCategory::kOffensive ||
                         info.category == ToolCategory::kAudit || info.category == ToolCategory::kIac ||
                         info.category == ToolCategory::kGui;
  if (wraps_sdk && best_sdk != kNone) {
    const ToolRule& rule = tools[best_sdk];
    const std::string version = VersionAt(ua, best_sdk_at + rule.marker.size());
    info.sdk = version.empty() ? std::string(rule.family) : std::string(rule.family) + "/" + version;
  }
  if (best_os != kNone) info.os = std::string(os[best_os].os);
  if (best_distro != kNone) {
    info.distro = std::string(distros[best_distro].distro);
    info.pentest_distro = distros[best_distro].pentest;
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
