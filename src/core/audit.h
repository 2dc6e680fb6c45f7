// Audit log entries: who did what to which object, when. Never a secret.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace spacecrab {

struct AuditEntry {
  int64_t id = 0;          // assigned by the store
  Timestamp at{};
  std::string actor;       // "apikey:key_..." | "cli:local" | "system:expiry" ...
  std::string action;      // "token.create", "token.revoke", "apikey.create", ...
  std::string object_id;   // token/api key/incident id
  std::string source_ip;   // caller address, when over HTTP
  std::string detail_json; // small JSON object of non-secret details
};

}  // namespace spacecrab
