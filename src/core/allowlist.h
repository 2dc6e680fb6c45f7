// Allowlist: sources whose use of a key is expected and must not page — a red
// team's address range, AWS's own leaked-key scanner, tokens tagged for a drill.
// Matching events are still recorded and shown; the incident carries the
// reason so the alert history says why nobody was paged.
//
// Entries come from config as strings, each optionally followed by " # reason":
//   source CIDRs     "198.51.100.0/24 # red team", "2001:db8:7::/48", "203.0.113.7"
//   user agents      glob (case-insensitive, whole string, * and ?): "*TruffleHog*"
//                    or regex (ECMAScript, case-insensitive, search): "re:^aws-cli/1\."
//   token tags       "purpose=drill" (exact value) or "drill" (tag present, any value)
// IPv4 addresses also match as IPv4-mapped IPv6 ("::ffff:198.51.100.9").
//
// Thread-safety: immutable after Parse; Match is safe from any thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace spacecrab {

struct AllowlistSpec {
  std::vector<std::string> source_cidrs;
  std::vector<std::string> user_agents;
  std::vector<std::string> token_tags;
};

class Allowlist {
 public:
  Allowlist() = default;  // allows nothing

  // kInvalidArgument naming the bad entry ("allowlist source_cidrs[2]: ...").
  static Expected<Allowlist> Parse(const AllowlistSpec& spec);

  // The reason of the first matching entry, e.g. "source 198.51.100.0/24 (red
  // team)", or nullopt when nothing matches. User agents longer than 2048
  // bytes are matched on their first 2048 (bounds regex cost).
  std::optional<std::string> Match(std::string_view source_ip, std::string_view user_agent,
                                   const std::map<std::string, std::string>& token_tags) const;

  bool empty() const { return cidrs_.empty() && agents_.empty() && tags_.empty(); }

 private:
  struct CidrRule {
    unsigned char net[16];  // IPv6, or IPv4-mapped IPv6
    int prefix;             // 0..128
    std::string reason;
  };
  struct CompiledRegex;  // std::regex, kept out of this header (see allowlist.cpp)
  struct AgentRule {
    std::string glob;  // lower-cased; unused when `re` is set
    std::shared_ptr<const CompiledRegex> re;
    std::string reason;
  };
  struct TagRule {
    std::string key;
    std::optional<std::string> value;
    std::string reason;
  };
  std::vector<CidrRule> cidrs_;
  std::vector<AgentRule> agents_;
  std::vector<TagRule> tags_;
};

}  // namespace spacecrab
