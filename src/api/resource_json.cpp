#include "api/resource_json.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

json Str() { return {{"type", "string"}}; }
json Time() { return {{"type", "string"}, {"format", "date-time"}}; }
json NullableTime() { return {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}; }
json NullableStr() { return {{"type", "string"}, {"nullable", true}}; }
json Enum(std::initializer_list<const char*> values) {
  json e = json::array();
  for (const char* v : values) e.push_back(v);
  return {{"type", "string"}, {"enum", e}};
}
json ListOf(const std::string& item) {
  return {{"type", "object"},
          {"required", {"items", "next_cursor"}},
          {"properties",
           {{"items", {{"type", "array"}, {"items", SchemaRef(item)}}},
            {"next_cursor", NullableStr()}}}};
}

}  // namespace

json SchemaRef(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json TimeOrNull(const std::optional<Timestamp>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}

namespace {

void TimeField(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t) {
  w.Key(key);
  if (t)
    w.String(FormatRfc3339(*t));
  else
    w.Null();
}

}  // namespace

void WriteToken(JsonWriter& w, const HoneyToken& t) {
  w.BeginObject();
  w.Field("id", t.id);
  w.Field("kind", ToString(t.kind));
  w.Field("status", ToString(t.status));
  w.Field("access_key_id", t.access_key_id);
  w.Field("account_id", t.account_id);
  w.Field("user_name", t.user_name);
  w.Field("arn", t.arn);
  w.Field("location", t.location);
  w.Field("owner", t.owner);
  w.Field("notes", t.notes);
  w.Key("tags");
  w.BeginObject();
  for (const auto& [k, v] : t.tags) w.Field(k, v);
  w.EndObject();
  w.Field("created_at", FormatRfc3339(t.created_at));
  w.Field("issued_at", FormatRfc3339(t.issued_at));
  TimeField(w, "planted_at", t.planted_at);
  TimeField(w, "expires_at", t.expires_at);
  TimeField(w, "first_used_at", t.first_used_at);
  TimeField(w, "last_used_at", t.last_used_at);
  w.Field("event_count", t.event_count);
  TimeField(w, "retired_at", t.retired_at);
  w.NullableField("rotated_from", t.rotated_from);
  w.NullableField("replaced_by", t.replaced_by);
  w.EndObject();
}

void WriteCredentials(JsonWriter& w, const Credentials& c, const std::string& formatted) {
  w.BeginObject();
  w.Field("access_key_id", c.access_key_id);
  w.Field("secret_access_key", c.secret_access_key);
  w.Field("region", c.region);
  if (!c.endpoint_url.empty()) w.Field("endpoint_url", c.endpoint_url);
  if (!formatted.empty()) w.Field("formatted", formatted);
  w.EndObject();
}

json TokenToJson(const HoneyToken& t) {
  std::string text;
  JsonWriter w(text);
  WriteToken(w, t);
  return json::parse(text);
}

json CredentialsToJson(const Credentials& c, const std::string& formatted) {
  std::string text;
  JsonWriter w(text);
  WriteCredentials(w, c, formatted);
  return json::parse(text);
}

json ApiKeyToJson(const ApiKey& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"scope", ToString(k.scope)},
          {"prefix", k.prefix},
          {"created_at", FormatRfc3339(k.created_at)},
          {"last_used_at", TimeOrNull(k.last_used_at)},
          {"revoked_at", TimeOrNull(k.revoked_at)}};
}

json AuditEntryToJson(const AuditEntry& e) {
  json detail = json::parse(e.detail_json, nullptr, /*allow_exceptions=*/false);
  if (detail.is_discarded()) detail = e.detail_json;
  return {{"id", e.id},
          {"at", FormatRfc3339(e.at)},
          {"actor", e.actor},
          {"action", e.action},
          {"object_id", e.object_id},
          {"source_ip", e.source_ip},
          {"detail", std::move(detail)}};
}

json ResourceSchemas() {
  json token_props = {{"id", Str()},
                      {"kind", Enum({"aws", "decoy"})},
                      {"status", Enum({"active", "revoked", "expired", "deleted"})},
                      {"access_key_id", Str()},
                      {"account_id", Str()},
                      {"user_name", Str()},
                      {"arn", Str()},
                      {"location", Str()},
                      {"owner", Str()},
                      {"notes", Str()},
                      {"tags", {{"type", "object"}, {"additionalProperties", Str()}}},
                      {"created_at", Time()},
                      {"issued_at", Time()},
                      {"planted_at", NullableTime()},
                      {"expires_at", NullableTime()},
                      {"first_used_at", NullableTime()},
                      {"last_used_at", NullableTime()},
                      {"event_count", {{"type", "integer"}}},
                      {"retired_at", NullableTime()},
                      {"rotated_from", NullableStr()},
                      {"replaced_by", NullableStr()}};
  json token_required = json::array();
  for (auto it = token_props.begin(); it != token_props.end(); ++it)
    token_required.push_back(it.key());

  json schemas;
  schemas["Token"] = {
      {"type", "object"}, {"required", token_required}, {"properties", token_props}};
  schemas["Credentials"] = {
      {"type", "object"},
      {"description", "Shown once, in the create or rotate response; never again."},
      {"required", {"access_key_id", "secret_access_key"}},
      {"properties",
       {{"access_key_id", Str()},
        {"secret_access_key", Str()},
        {"region", Str()},
        {"endpoint_url", Str()},
        {"formatted", {{"type", "string"}, {"description", "present when `format` was given"}}}}}};
  schemas["IssuedTokenList"] = {
      {"type", "object"},
      {"required", {"items"}},
      {"properties",
       {{"items",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"required", {"token", "credentials"}},
            {"properties",
             {{"token", SchemaRef("Token")}, {"credentials", SchemaRef("Credentials")}}}}}}}}}};
  schemas["TokenList"] = ListOf("Token");
  schemas["ApiKey"] = {{"type", "object"},
                       {"required", {"id", "name", "scope", "prefix", "created_at"}},
                       {"properties",
                        {{"id", Str()},
                         {"name", Str()},
                         {"scope", Enum({"read", "deploy", "admin"})},
                         {"prefix", Str()},
                         {"created_at", Time()},
                         {"last_used_at", NullableTime()},
                         {"revoked_at", NullableTime()}}}};
  schemas["CreatedApiKey"] = {
      {"allOf",
       {SchemaRef("ApiKey"),
        {{"type", "object"},
         {"required", {"api_key"}},
         {"properties",
          {{"api_key", {{"type", "string"}, {"description", "the secret, shown once"}}}}}}}}};
  schemas["ApiKeyList"] = ListOf("ApiKey");
  schemas["AuditEntry"] = {{"type", "object"},
                           {"properties",
                            {{"id", {{"type", "integer"}}},
                             {"at", Time()},
                             {"actor", Str()},
                             {"action", Str()},
                             {"object_id", Str()},
                             {"source_ip", Str()},
                             {"detail", {{"type", "object"}}}}}};
  schemas["AuditList"] = ListOf("AuditEntry");
  schemas["Problem"] = {
      {"type", "object"},
      {"required", {"type", "title", "status"}},
      {"properties",
       {{"type", Str()}, {"title", Str()}, {"status", {{"type", "integer"}}}, {"detail", Str()}}}};
  return schemas;
}

}  // namespace spacecrab
