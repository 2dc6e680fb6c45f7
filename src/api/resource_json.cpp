#include "api/resource_json.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

json StringOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

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

json TokenToJson(const HoneyToken& t) {
  json tags = json::object();
  for (const auto& [k, v] : t.tags) tags[k] = v;
  return {{"id", t.id},
          {"kind", ToString(t.kind)},
          {"status", ToString(t.status)},
          {"access_key_id", t.access_key_id},
          {"account_id", t.account_id},
          {"user_name", t.user_name},
          {"arn", t.arn},
          {"location", t.location},
          {"owner", t.owner},
          {"notes", t.notes},
          {"tags", std::move(tags)},
          {"created_at", FormatRfc3339(t.created_at)},
          {"issued_at", FormatRfc3339(t.issued_at)},
          {"planted_at", TimeOrNull(t.planted_at)},
          {"expires_at", TimeOrNull(t.expires_at)},
          {"first_used_at", TimeOrNull(t.first_used_at)},
          {"last_used_at", TimeOrNull(t.last_used_at)},
          {"event_count", t.event_count},
          {"retired_at", TimeOrNull(t.retired_at)},
          {"rotated_from", StringOrNull(t.rotated_from)},
          {"replaced_by", StringOrNull(t.replaced_by)}};
}

json CredentialsToJson(const Credentials& c, const std::string& formatted) {
  json out = {{"access_key_id", c.access_key_id},
              {"secret_access_key", c.secret_access_key},
              {"region", c.region}};
  if (!c.endpoint_url.empty()) out["endpoint_url"] = c.endpoint_url;
  if (!formatted.empty()) out["formatted"] = formatted;
  return out;
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
  json token_props = {
      {"id", Str()},
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
  for (auto it = token_props.begin(); it != token_props.end(); ++it) token_required.push_back(it.key());

  json schemas;
  schemas["Token"] = {{"type", "object"}, {"required", token_required}, {"properties", token_props}};
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
            {"properties", {{"token", SchemaRef("Token")}, {"credentials", SchemaRef("Credentials")}}}}}}}}}};
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
         {"properties", {{"api_key", {{"type", "string"}, {"description", "the secret, shown once"}}}}}}}}};
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
  schemas["Problem"] = {{"type", "object"},
                        {"required", {"type", "title", "status"}},
                        {"properties",
                         {{"type", Str()},
                          {"title", Str()},
                          {"status", {{"type", "integer"}}},
                          {"detail", Str()}}}};
  return schemas;
}

}  // namespace spacecrab
