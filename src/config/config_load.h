// Internal pieces of LoadConfig, shared by config.cpp and config_validate.cpp.
#pragma once

#include <map>
#include <string>

#include "config/config.h"

namespace spacecrab::config_internal {

// Where each key's value came from, by KeyLabel: "spacecrab.toml:12" or
// "environment variable SPACECRAB_SERVER_LISTEN". Keys never set are absent.
struct Origins {
  std::string file;  // the file loaded, or "" for built-in defaults
  std::map<std::string, std::string> by_label;

  // "spacecrab.toml:12", "environment variable ...", the file, or "built-in defaults".
  std::string Of(const std::string& label) const;
};

// Checks every value of a fully loaded config; the first problem comes back as
// InvalidArgument("<origin>: <key label>: <what is wrong>").
Status Validate(const Config& config, const Origins& origins);

}  // namespace spacecrab::config_internal
