// Test helpers for the ingest unit tests: CloudTrail record builders, gzip,
// and an in-memory SQLite store seeded with tokens. Test-only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/honey_token.h"
#include "core/key_matcher.h"
#include "store/store.h"

namespace spacecrab::ingest::testing {

struct RecordSpec {
  std::string event_id = "11111111-2222-3333-4444-555555555555";
  std::string type = "IAMUser";
  std::string access_key_id;
  std::string account_id = "111122223333";
  std::string user_name = "svc-backup";
  std::string event_source = "sts.amazonaws.com";
  std::string event_name = "GetCallerIdentity";
  std::string extra;  // raw JSON members appended to the record, e.g. "\"requestParameters\":{...}"
};

std::string RecordJson(const RecordSpec& spec);
std::string LogFileJson(const std::vector<std::string>& records);
std::string GzipBytes(std::string_view data);

// A migrated in-memory store holding `tokens`.
std::unique_ptr<Store> MemoryStoreWith(const std::vector<HoneyToken>& tokens);
HoneyToken Token(std::string id, std::string key, std::string account, std::string user,
                 TokenStatus status = TokenStatus::kActive);
std::vector<IndexedKey> IndexedKeys(const std::vector<HoneyToken>& tokens);

}  // namespace spacecrab::ingest::testing
