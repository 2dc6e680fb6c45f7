// Actor: who is making a call, for the audit log.
#pragma once

#include <string>

namespace spacecrab {

struct Actor {
  std::string id;         // "apikey:key_...", "system:expiry", "system:first-start", "cli:local"
  std::string source_ip;  // caller address when the call came over HTTP, else empty
};

}  // namespace spacecrab
