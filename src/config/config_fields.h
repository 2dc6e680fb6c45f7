// The table of every configuration key: section, name, type and where its
// value lives in Config. The file loader, the SPACECRAB_* environment
// overrides and the TOML writer all walk this one table, so a key added here
// is automatically settable from a file and from the environment.
//
// Internal to the config module.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace spacecrab::config_internal {

// A field's storage. kDurationSeconds is an int that also accepts "1h", "90m".
using FieldTarget = std::variant<std::string*, int*, size_t*, bool*, std::vector<std::string>*>;

struct Field {
  std::string_view section;  // "" for top-level keys (e.g. `provider`)
  std::string_view key;
  FieldTarget target;
  bool duration = false;     // int target that accepts duration strings
};

// Every fixed key of `config` (not the free-form [sinks.NAME] tables).
std::vector<Field> ConfigFields(Config& config);

// The fixed sections, and the free-form one.
bool IsKnownSection(std::string_view section);
inline constexpr std::string_view kSinksSection = "sinks";
inline constexpr std::string_view kAccountsSection = "accounts";

// "[server] listen", "provider", "[sinks.pd] url": how messages name a key.
std::string KeyLabel(std::string_view section, std::string_view key);

// Sets `field` from text (environment values, sink settings). Lists are comma
// separated. Returns an error message (without the key label) or "".
std::string SetFromText(const Field& field, std::string_view text);

// Sink types a [sinks.NAME] table may name.
bool IsKnownSinkType(std::string_view type);
std::string KnownSinkTypes();  // "pagerduty, smtp, ..." for messages

}  // namespace spacecrab::config_internal
