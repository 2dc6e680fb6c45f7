// GCC 12 reports false "maybe-uninitialized" warnings inside <regex> when
// optimising with sanitizers; they are in the standard library, not here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "core/allowlist.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <regex>

namespace spacecrab {

struct Allowlist::CompiledRegex {
  std::regex re;
};

namespace {

using Ip16 = std::array<unsigned char, 16>;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "value # reason" -> {value, reason}. A '#' inside a regex would be cut, so
// only " #" (space before) starts a reason.
std::pair<std::string, std::string> SplitReason(std::string_view entry) {
  size_t pos = entry.find(" #");
  if (pos == std::string_view::npos) return {std::string(Trim(entry)), ""};
  return {std::string(Trim(entry.substr(0, pos))), std::string(Trim(entry.substr(pos + 2)))};
}

std::string WithReason(std::string what, const std::string& reason) {
  if (!reason.empty()) what += " (" + reason + ")";
  return what;
}

std::optional<int> ParseDecimal(std::string_view s, int max) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  return v;
}

std::optional<std::array<unsigned char, 4>> ParseIpv4(std::string_view s) {
  std::array<unsigned char, 4> out{};
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return std::nullopt;
    auto octet = ParseDecimal(s.substr(0, dot), 255);
    if (!octet) return std::nullopt;
    out[i] = static_cast<unsigned char>(*octet);
    s.remove_prefix(i < 3 ? dot + 1 : dot);
  }
  return out;
}

// Hex groups separated by ':'; the last may be dotted IPv4 (two groups).
std::optional<std::vector<uint16_t>> ParseGroups(std::string_view s, bool allow_v4_tail) {
  std::vector<uint16_t> groups;
  if (s.empty()) return groups;
  while (true) {
    size_t colon = s.find(':');
    std::string_view part = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_v4_tail && part.find('.') != part.npos) {
      auto v4 = ParseIpv4(part);
      if (!v4) return std::nullopt;
      groups.push_back(uint16_t((*v4)[0] << 8 | (*v4)[1]));
      groups.push_back(uint16_t((*v4)[2] << 8 | (*v4)[3]));
      return groups;
    }
    if (part.empty() || part.size() > 4) return std::nullopt;
    uint16_t g = 0;
    for (char c : part) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
      g = uint16_t(g * 16 + (std::isdigit(static_cast<unsigned char>(c))
                                 ? c - '0'
                                 : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10));
    }
    groups.push_back(g);
    if (colon == std::string_view::npos) return groups;
    s.remove_prefix(colon + 1);
  }
}

std::optional<Ip16> ParseIpv6(std::string_view s) {
  if (s.find('%') != s.npos) return std::nullopt;  // zone ids are never a remote caller
  size_t dbl = s.find("::");
  std::vector<uint16_t> head, tail;
  if (dbl == std::string_view::npos) {
    auto g = ParseGroups(s, true);
    if (!g || g->size() != 8) return std::nullopt;
    head = *g;
  } else {
    if (s.find("::", dbl + 1) != s.npos) return std::nullopt;
    auto h = ParseGroups(s.substr(0, dbl), false);
    auto t = ParseGroups(s.substr(dbl + 2), true);
    if (!h || !t || h->size() + t->size() > 7) return std::nullopt;
    head = *h;
    tail = *t;
  }
  Ip16 out{};
  for (size_t i = 0; i < head.size(); ++i) {
    out[2 * i] = head[i] >> 8;
    out[2 * i + 1] = head[i] & 0xff;
  }
  for (size_t i = 0; i < tail.size(); ++i) {
    size_t at = 16 - 2 * (tail.size() - i);
    out[at] = tail[i] >> 8;
    out[at + 1] = tail[i] & 0xff;
  }
  return out;
}

// IPv4 becomes IPv4-mapped IPv6 so one comparison serves both families.
std::optional<Ip16> ParseIp(std::string_view s, bool* was_v4) {
  if (auto v4 = ParseIpv4(s)) {
    Ip16 out{};
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, v4->data(), 4);
    if (was_v4) *was_v4 = true;
    return out;
  }
  if (was_v4) *was_v4 = false;
  return ParseIpv6(s);
}

bool PrefixEquals(const unsigned char* a, const unsigned char* b, int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a, b, full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whole-string glob with '*' and '?', iterative with single backtrack point.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

Expected<Allowlist> Allowlist::Parse(const AllowlistSpec& spec) {
  Allowlist out;
  for (size_t i = 0; i < spec.source_cidrs.size(); ++i) {
    auto [value, reason] = SplitReason(spec.source_cidrs[i]);
    auto bad = [&, v = value](std::string why) {
      return InvalidArgument("allowlist source_cidrs[" + std::to_string(i) + "] '" + v +
                             "': " + why);
    };
    size_t slash = value.find('/');
    bool v4 = false;
    auto ip = ParseIp(std::string_view(value).substr(0, slash), &v4);
    if (!ip) return bad("not an IPv4 or IPv6 address");
    int max = v4 ? 32 : 128, prefix = max;
    if (slash != std::string::npos) {
      auto p = ParseDecimal(std::string_view(value).substr(slash + 1), max);
      if (!p) return bad("prefix length must be 0.." + std::to_string(max));
      prefix = *p;
    }
    CidrRule rule{};
    std::memcpy(rule.net, ip->data(), 16);
    rule.prefix = v4 ? prefix + 96 : prefix;
    rule.reason = WithReason("source " + value, reason);
    out.cidrs_.push_back(std::move(rule));
  }
  for (size_t i = 0; i < spec.user_agents.size(); ++i) {
    auto [value, reason] = SplitReason(spec.user_agents[i]);
    AgentRule rule;
    if (value.empty()) {
      return InvalidArgument("allowlist user_agents[" + std::to_string(i) + "]: empty pattern");
    }
    if (value.rfind("re:", 0) == 0) {
      try {  // config loading is the one place exceptions are allowed
        rule.re = std::make_shared<const CompiledRegex>(CompiledRegex{std::regex(
            value.substr(3), std::regex::ECMAScript | std::regex::icase | std::regex::optimize)});
      } catch (const std::regex_error& e) {
        return InvalidArgument("allowlist user_agents[" + std::to_string(i) + "] '" + value +
                               "': invalid regex: " + e.what());
      }
    } else {
      rule.glob = Lower(value);
    }
    rule.reason = WithReason("user agent \"" + value + "\"", reason);
    out.agents_.push_back(std::move(rule));
  }
  for (size_t i = 0; i < spec.token_tags.size(); ++i) {
    auto [value, reason] = SplitReason(spec.token_tags[i]);
    size_t eq = value.find('=');
    TagRule rule;
    rule.key = value.substr(0, eq);
    if (eq != std::string::npos) rule.value = value.substr(eq + 1);
    if (rule.key.empty()) {
      return InvalidArgument("allowlist token_tags[" + std::to_string(i) + "] '" + value +
                             "': empty tag key");
    }
    rule.reason = WithReason("token tag " + value, reason);
    out.tags_.push_back(std::move(rule));
  }
  return out;
}

std::optional<std::string> Allowlist::Match(
    std::string_view source_ip, std::string_view user_agent,
    const std::map<std::string, std::string>& token_tags) const {
  if (!cidrs_.empty()) {
    if (auto ip = ParseIp(source_ip, nullptr)) {
      for (const auto& rule : cidrs_) {
        if (PrefixEquals(ip->data(), rule.net, rule.prefix)) return rule.reason;
      }
    }
  }
  if (!agents_.empty()) {
    std::string_view ua = user_agent.substr(0, 2048);
    std::string lowered = Lower(ua);
    for (const auto& rule : agents_) {
      bool hit = rule.re ? std::regex_search(ua.begin(), ua.end(), rule.re->re)
                         : GlobMatch(rule.glob, lowered);
      if (hit) return rule.reason;
    }
  }
  for (const auto& rule : tags_) {
    auto it = token_tags.find(rule.key);
    if (it != token_tags.end() && (!rule.value || *rule.value == it->second)) return rule.reason;
  }
  return std::nullopt;
}

}  // namespace spacecrab
