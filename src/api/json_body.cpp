#include "api/json_body.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

std::string TypeName(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

Status WrongType(const std::string& field, const char* expected, const json& got) {
  return InvalidArgument(field + ": expected " + expected + ", got " + TypeName(got));
}

}  // namespace

Expected<JsonBody> JsonBody::Parse(std::string_view text, bool allow_empty) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (allow_empty) return JsonBody(json::object());
    return InvalidArgument("body: expected a JSON object, got an empty body");
  }
  bool too_deep = false;
  json::parser_callback_t limit_depth = [&too_deep](int depth, json::parse_event_t, json&) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return !too_deep;  // discarding stops building, the parse still checks syntax
  };
  json doc;
  try {
    doc = json::parse(text, limit_depth);
  } catch (const json::parse_error& e) {
    // e.byte is the offset; the library's message is precise but long.
    return InvalidArgument("body: malformed JSON at byte " + std::to_string(e.byte));
  }
  if (too_deep)
    return InvalidArgument("body: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  if (!doc.is_object())
    return InvalidArgument("body: expected a JSON object, got " + TypeName(doc));
  return JsonBody(std::move(doc));
}

const json* JsonBody::Field(const std::string& field) {
  read_.insert(field);
  auto it = doc_.find(field);
  return it == doc_.end() ? nullptr : &*it;
}

Expected<std::optional<std::string>> JsonBody::String(const std::string& field) {
  const json* v = Field(field);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(field, "a string", *v);
  return std::optional<std::string>(v->get<std::string>());
}

Expected<std::optional<int64_t>> JsonBody::Integer(const std::string& field, int64_t min,
                                                   int64_t max) {
  const json* v = Field(field);
  if (v == nullptr) return std::optional<int64_t>();
  const std::string range =
      "an integer between " + std::to_string(min) + " and " + std::to_string(max);
  if (!v->is_number_integer()) return WrongType(field, range.c_str(), *v);
  int64_t n;
  if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    if (u > uint64_t(max)) return InvalidArgument(field + ": expected " + range);
    n = int64_t(u);
  } else {
    n = v->get<int64_t>();
  }
  if (n < min || n > max) return InvalidArgument(field + ": expected " + range);
  return std::optional<int64_t>(n);
}

Expected<std::optional<bool>> JsonBody::Bool(const std::string& field) {
  const json* v = Field(field);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(field, "a boolean", *v);
  return std::optional<bool>(v->get<bool>());
}

Expected<std::optional<std::map<std::string, std::string>>> JsonBody::StringMap(
    const std::string& field) {
  using Map = std::map<std::string, std::string>;
  const json* v = Field(field);
  if (v == nullptr) return std::optional<Map>();
  if (!v->is_object()) return WrongType(field, "an object of strings", *v);
  Map out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) return WrongType(field + "." + it.key(), "a string", it.value());
    out.emplace(it.key(), it.value().get<std::string>());
  }
  return std::optional<Map>(std::move(out));
}

Expected<std::optional<Timestamp>> JsonBody::Time(const std::string& field) {
  const json* v = Field(field);
  if (v == nullptr) return std::optional<Timestamp>();
  if (!v->is_string()) return WrongType(field, "an RFC 3339 time string", *v);
  auto t = ParseRfc3339(v->get_ref<const std::string&>());
  if (!t) return InvalidArgument(field + ": expected an RFC 3339 time like 2026-01-31T12:00:00Z");
  return std::optional<Timestamp>(*t);
}

Expected<std::optional<std::optional<Timestamp>>> JsonBody::NullableTime(const std::string& field) {
  using Result = std::optional<std::optional<Timestamp>>;
  const json* v = Field(field);
  if (v == nullptr) return Result();
  if (v->is_null()) return Result(std::optional<Timestamp>());
  SC_ASSIGN_OR_RETURN(std::optional<Timestamp> t, Time(field));
  return Result(t);
}

Status JsonBody::RejectUnknown() const {
  for (auto it = doc_.begin(); it != doc_.end(); ++it)
    if (!read_.count(it.key())) {
      std::string name = it.key().substr(0, 64);
      return InvalidArgument("body: unknown field '" + name + "'");
    }
  return Status::Ok();
}

}  // namespace spacecrab
