// JsonBody: strict reading of a JSON request body.
//
// Clients get told exactly what is wrong: every failure is InvalidArgument
// naming the field ("count: expected an integer between 1 and 1000",
// "body: unknown field 'colour'"). Nesting deeper than kMaxJsonDepth is
// refused while parsing, so a hostile body cannot exhaust the stack.
//
// Usage: parse, read each known field once, then RejectUnknown().
// Not thread-safe (one per request).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace spacecrab {

inline constexpr int kMaxJsonDepth = 16;

class JsonBody {
 public:
  // `text` must be a JSON object; an empty text is an empty object when
  // `allow_empty` (bodies that are optional as a whole).
  static Expected<JsonBody> Parse(std::string_view text, bool allow_empty = false);

  bool Has(const std::string& field) const { return doc_.contains(field); }
  bool empty() const { return doc_.empty(); }

  // Absent -> nullopt; present with the wrong type -> InvalidArgument.
  Expected<std::optional<std::string>> String(const std::string& field);
  Expected<std::optional<int64_t>> Integer(const std::string& field, int64_t min, int64_t max);
  Expected<std::optional<bool>> Bool(const std::string& field);
  // An object of string values.
  Expected<std::optional<std::map<std::string, std::string>>> StringMap(const std::string& field);
  // An RFC 3339 time.
  Expected<std::optional<Timestamp>> Time(const std::string& field);
  // An RFC 3339 time or null: absent -> nullopt, null -> optional holding nullopt.
  Expected<std::optional<std::optional<Timestamp>>> NullableTime(const std::string& field);

  // InvalidArgument naming the first field no getter asked for.
  Status RejectUnknown() const;

 private:
  explicit JsonBody(nlohmann::json doc) : doc_(std::move(doc)) {}
  const nlohmann::json* Field(const std::string& field);

  nlohmann::json doc_;
  std::set<std::string> read_;
};

}  // namespace spacecrab
