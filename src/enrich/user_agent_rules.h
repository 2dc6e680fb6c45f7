// The pattern tables behind ClassifyUserAgent (user_agent.h). Data only: the
// order of kToolRules is the priority, first match wins.
#pragma once

#include <span>
#include <string_view>

#include "enrich/user_agent.h"

namespace spacecrab::enrich::ua_rules {

enum class Match {
  kExact,     // the whole user agent equals the marker (case-sensitive)
  kPrefix,    // the user agent starts with the marker (case-insensitive)
  kToken,     // the marker appears at a token boundary (case-insensitive)
  kAwsHost,   // the whole user agent is "<something>.amazonaws.com"
};

struct ToolRule {
  Match match;
  std::string_view marker;  // lowercase unless kExact
  std::string_view family;
  ToolCategory category;
  bool version_follows;     // the tool's version is written right after the marker
};

struct OsRule {
  std::string_view marker;  // lowercase, searched anywhere
  std::string_view os;
};

struct DistroRule {
  std::string_view marker;  // lowercase, searched anywhere
  std::string_view distro;
  bool pentest;
};

std::span<const ToolRule> ToolRules();
std::span<const OsRule> OsRules();
std::span<const DistroRule> DistroRules();

}  // namespace spacecrab::enrich::ua_rules
