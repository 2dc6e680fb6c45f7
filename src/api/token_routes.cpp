#include "api/token_routes.h"

#include "api/json_body.h"
#include "api/json_writer.h"
#include "api/resource_json.h"
#include "core/access_key.h"
#include "core/credential_format.h"
#include "core/ids.h"
#include "service/validation.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

constexpr char kBase[] = "/api/v1/tokens";

// An id that is not even well formed cannot exist; answer without a lookup
// and without echoing arbitrary path text.
Status CheckTokenId(const std::string& id) {
  if (!IsWellFormedId("tok", id)) return NotFound("no such token");
  return Status::Ok();
}

struct FormatRequest {
  std::string format;  // empty: none
  CredentialFormatOptions options;
};

Expected<FormatRequest> ReadFormat(JsonBody& body) {
  FormatRequest out;
  SC_ASSIGN_OR_RETURN(auto format, body.String("format"));
  SC_ASSIGN_OR_RETURN(auto profile, body.String("profile"));
  if (format) {
    if (!ParseCredentialFormat(*format)) {
      std::string names;
      for (std::string_view n : CredentialFormatNames())
        names += (names.empty() ? "" : ", ") + std::string(n);
      return InvalidArgument("format: expected one of " + names);
    }
    out.format = *format;
  }
  if (profile) {
    if (!format) return InvalidArgument("profile: only meaningful with format");
    out.options.profile = *profile;
  }
  return out;
}

// Writes {"token": ..., "credentials": ...} for one issued token.
Status WriteIssuedItem(JsonWriter& w, const IssuedToken& issued, const FormatRequest& format) {
  std::string formatted;
  if (!format.format.empty()) {
    auto rendered = FormatCredentials(issued.credentials, format.format, format.options);
    if (!rendered.ok()) {
      // Only the profile name can be wrong here; the format was checked.
      return InvalidArgument("profile: " + rendered.status().message());
    }
    formatted = std::move(rendered).value();
  }
  w.BeginObject();
  w.Key("token");
  WriteToken(w, issued.token);
  w.Key("credentials");
  WriteCredentials(w, issued.credentials, formatted);
  w.EndObject();
  return Status::Ok();
}

// {"items": [issued...]}: the create and rotate answer.
Expected<ApiResponse> IssuedResponse(const std::vector<IssuedToken>& issued,
                                     const FormatRequest& format) {
  std::string text;
  text.reserve(issued.size() * 1200);
  JsonWriter w(text);
  w.BeginObject();
  w.Key("items");
  w.BeginArray();
  for (const IssuedToken& one : issued) SC_RETURN_IF_ERROR(WriteIssuedItem(w, one, format));
  w.EndArray();
  w.EndObject();
  return ApiResponse::JsonText(201, std::move(text));
}

ApiResponse TokenResponse(const HoneyToken& token) {
  std::string text;
  JsonWriter w(text);
  WriteToken(w, token);
  return ApiResponse::JsonText(200, std::move(text));
}

json FormatSchemaProperties() {
  json names = json::array();
  for (std::string_view n : CredentialFormatNames()) names.push_back(n);
  return {{"format",
           {{"type", "string"},
            {"enum", names},
            {"description", "also render the credentials in this format (credentials.formatted)"}}},
          {"profile",
           {{"type", "string"},
            {"description",
             "profile (or Secret) name for the INI and k8s formats; default 'default'"}}}};
}

}  // namespace

Expected<ApiResponse> TokenRoutes::Create(const ApiRequest& request) {
  SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body));
  TokenSpec spec;
  SC_ASSIGN_OR_RETURN(auto location, body.String("location"));
  SC_ASSIGN_OR_RETURN(auto owner, body.String("owner"));
  SC_ASSIGN_OR_RETURN(auto notes, body.String("notes"));
  SC_ASSIGN_OR_RETURN(auto tags, body.StringMap("tags"));
  SC_ASSIGN_OR_RETURN(auto planted_at, body.Time("planted_at"));
  SC_ASSIGN_OR_RETURN(auto expires_at, body.Time("expires_at"));
  SC_ASSIGN_OR_RETURN(auto expires_in, body.String("expires_in"));
  SC_ASSIGN_OR_RETURN(auto count, body.Integer("count", 1, tokens_.max_batch()));
  SC_ASSIGN_OR_RETURN(auto kind, body.String("kind"));
  SC_ASSIGN_OR_RETURN(auto user_name, body.String("user_name"));
  SC_ASSIGN_OR_RETURN(FormatRequest format, ReadFormat(body));
  SC_RETURN_IF_ERROR(body.RejectUnknown());

  if (!location) return InvalidArgument("location: is required");
  spec.location = *location;
  spec.owner = owner.value_or("");
  spec.notes = notes.value_or("");
  if (tags) spec.tags = *tags;
  spec.planted_at = planted_at;
  spec.expires_at = expires_at;
  if (expires_in) {
    if (expires_at) return InvalidArgument("expires_in: give expires_at or expires_in, not both");
    spec.expires_in = ParseDuration(*expires_in);
    if (!spec.expires_in || spec.expires_in->count() <= 0)
      return InvalidArgument("expires_in: expected a duration like 90d, 12h, 30m");
  }
  if (kind) {
    spec.kind = ParseTokenKind(*kind);
    if (!spec.kind) return InvalidArgument("kind: expected 'aws' or 'decoy'");
  }
  spec.user_name = user_name.value_or("");

  SC_ASSIGN_OR_RETURN(std::vector<IssuedToken> issued,
                      tokens_.Create(spec, int(count.value_or(1)), request.actor()));
  return IssuedResponse(issued, format);
}

Expected<ApiResponse> TokenRoutes::List(const ApiRequest& request) {
  QueryParams query(request.query);
  TokenFilter filter;
  SC_ASSIGN_OR_RETURN(std::string status, query.Get("status"));
  if (!status.empty()) {
    filter.status = ParseTokenStatus(status);
    if (!filter.status)
      return InvalidArgument("status: expected active, revoked, expired or deleted");
  }
  SC_ASSIGN_OR_RETURN(std::string kind, query.Get("kind"));
  if (!kind.empty()) {
    filter.kind = ParseTokenKind(kind);
    if (!filter.kind) return InvalidArgument("kind: expected aws or decoy");
  }
  SC_ASSIGN_OR_RETURN(filter.location_prefix, query.Get("location_prefix"));
  SC_RETURN_IF_ERROR(ValidateText("location_prefix", filter.location_prefix, kMaxLocationChars));
  SC_ASSIGN_OR_RETURN(filter.owner, query.Get("owner"));
  SC_RETURN_IF_ERROR(ValidateText("owner", filter.owner, kMaxOwnerChars));
  SC_ASSIGN_OR_RETURN(std::string tag, query.Get("tag"));
  if (!tag.empty()) {
    const size_t eq = tag.find('=');
    filter.tag_key = tag.substr(0, eq);
    SC_RETURN_IF_ERROR(ValidateTagKey("tag", filter.tag_key));
    if (eq != std::string::npos) {
      filter.tag_value = tag.substr(eq + 1);
      SC_RETURN_IF_ERROR(ValidateText("tag", filter.tag_value, kMaxTagValueChars));
    }
  }
  SC_ASSIGN_OR_RETURN(filter.access_key_id, query.Get("access_key_id"));
  if (!filter.access_key_id.empty() && !LooksLikeAccessKeyId(filter.access_key_id))
    return InvalidArgument("access_key_id: expected AKIA followed by 16 characters of A-Z2-7");
  SC_ASSIGN_OR_RETURN(filter.after_id, query.Get("cursor"));
  if (!filter.after_id.empty() && !IsWellFormedId("tok", filter.after_id))
    return InvalidArgument("cursor: not a cursor this API returned");
  SC_ASSIGN_OR_RETURN(int64_t limit, query.Int("limit", 100, 1, 1000));
  filter.limit = int(limit);

  SC_ASSIGN_OR_RETURN(TokenPage page, tokens_.List(filter));
  std::string text;
  text.reserve(page.items.size() * 900);
  JsonWriter w(text);
  w.BeginObject();
  w.Key("items");
  w.BeginArray();
  for (const HoneyToken& t : page.items) WriteToken(w, t);
  w.EndArray();
  w.NullableField("next_cursor", page.next_cursor);
  w.EndObject();
  return ApiResponse::JsonText(200, std::move(text));
}

Expected<ApiResponse> TokenRoutes::Show(const ApiRequest& request) {
  const std::string& id = request.param("id");
  SC_RETURN_IF_ERROR(CheckTokenId(id));
  SC_ASSIGN_OR_RETURN(HoneyToken token, tokens_.Get(id));
  return TokenResponse(token);
}

Expected<ApiResponse> TokenRoutes::Update(const ApiRequest& request) {
  const std::string& id = request.param("id");
  SC_RETURN_IF_ERROR(CheckTokenId(id));
  SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body));
  TokenPatch patch;
  SC_ASSIGN_OR_RETURN(patch.location, body.String("location"));
  SC_ASSIGN_OR_RETURN(patch.owner, body.String("owner"));
  SC_ASSIGN_OR_RETURN(patch.notes, body.String("notes"));
  SC_ASSIGN_OR_RETURN(patch.tags, body.StringMap("tags"));
  SC_ASSIGN_OR_RETURN(patch.planted_at, body.NullableTime("planted_at"));
  SC_ASSIGN_OR_RETURN(patch.expires_at, body.NullableTime("expires_at"));
  SC_RETURN_IF_ERROR(body.RejectUnknown());
  if (body.empty())
    return InvalidArgument(
        "body: nothing to update (give location, owner, notes, tags, planted_at or expires_at)");
  SC_ASSIGN_OR_RETURN(HoneyToken token, tokens_.Update(id, patch, request.actor()));
  return TokenResponse(token);
}

Expected<ApiResponse> TokenRoutes::Revoke(const ApiRequest& request) {
  const std::string& id = request.param("id");
  SC_RETURN_IF_ERROR(CheckTokenId(id));
  SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body, /*allow_empty=*/true));
  SC_RETURN_IF_ERROR(body.RejectUnknown());
  SC_ASSIGN_OR_RETURN(HoneyToken token, tokens_.Revoke(id, request.actor()));
  return TokenResponse(token);
}

Expected<ApiResponse> TokenRoutes::Delete(const ApiRequest& request) {
  const std::string& id = request.param("id");
  SC_RETURN_IF_ERROR(CheckTokenId(id));
  SC_ASSIGN_OR_RETURN(HoneyToken token, tokens_.Delete(id, request.actor()));
  return TokenResponse(token);
}

Expected<ApiResponse> TokenRoutes::Rotate(const ApiRequest& request) {
  const std::string& id = request.param("id");
  SC_RETURN_IF_ERROR(CheckTokenId(id));
  SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body, /*allow_empty=*/true));
  SC_ASSIGN_OR_RETURN(FormatRequest format, ReadFormat(body));
  SC_RETURN_IF_ERROR(body.RejectUnknown());
  SC_ASSIGN_OR_RETURN(IssuedToken issued, tokens_.Rotate(id, request.actor()));
  return IssuedResponse({std::move(issued)}, format);
}

json TokenRoutes::Schemas() { return ResourceSchemas(); }

std::vector<Route> TokenRoutes::Routes() {
  const std::string base = kBase;
  const std::string item = base + "/{id}";
  auto bind = [this](Expected<ApiResponse> (TokenRoutes::*fn)(const ApiRequest&)) {
    return HandleExpected([this, fn](const ApiRequest& r) { return (this->*fn)(r); });
  };

  json tag_map = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  json create_props = {
      {"location",
       {{"type", "string"}, {"maxLength", 256}, {"description", "where it is planted"}}},
      {"owner", {{"type", "string"}, {"maxLength", 256}}},
      {"notes", {{"type", "string"}, {"maxLength", 2048}}},
      {"tags", tag_map},
      {"planted_at", {{"type", "string"}, {"format", "date-time"}}},
      {"expires_at", {{"type", "string"}, {"format", "date-time"}}},
      {"expires_in",
       {{"type", "string"}, {"description", "a duration like 90d; not with expires_at"}}},
      {"count", {{"type", "integer"}, {"minimum", 1}, {"maximum", tokens_.max_batch()}}},
      {"kind", {{"type", "string"}, {"enum", {"aws", "decoy"}}}},
      {"user_name",
       {{"type", "string"}, {"description", "IAM user name; default: a generated one"}}}};
  create_props.update(FormatSchemaProperties());
  json patch_props = {
      {"location", {{"type", "string"}, {"maxLength", 256}}},
      {"owner", {{"type", "string"}, {"maxLength", 256}}},
      {"notes", {{"type", "string"}, {"maxLength", 2048}}},
      {"tags", tag_map},
      {"planted_at", {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}},
      {"expires_at", {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}}};
  json list_params = json::array(
      {QueryParameter("status", "active | revoked | expired | deleted"),
       QueryParameter("kind", "aws | decoy"),
       QueryParameter("location_prefix", "locations starting with this text"),
       QueryParameter("owner", "exact owner"), QueryParameter("tag", "KEY or KEY=VALUE"),
       QueryParameter("access_key_id", "exact access key id"),
       QueryParameter("cursor", "next_cursor of the previous page"),
       QueryParameter("limit", "page size, 1-1000 (default 100)",
                      {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}})});

  std::vector<Route> routes;
  RouteDoc doc;

  doc = {};
  doc.summary = "Issue one token, or `count` tokens, for a placement";
  doc.tag = "tokens";
  doc.request_schema = {{"type", "object"},
                        {"required", {"location"}},
                        {"additionalProperties", false},
                        {"properties", create_props}};
  doc.success_status = 201;
  doc.response_schema = SchemaRef("IssuedTokenList");
  routes.push_back({"POST", base, ApiScope::kDeploy, bind(&TokenRoutes::Create), doc});

  doc = {};
  doc.summary = "List tokens (filters, cursor paging)";
  doc.tag = "tokens";
  doc.parameters = list_params;
  doc.response_schema = SchemaRef("TokenList");
  routes.push_back({"GET", base, ApiScope::kRead, bind(&TokenRoutes::List), doc});

  doc = {};
  doc.summary = "Show one token";
  doc.tag = "tokens";
  doc.response_schema = SchemaRef("Token");
  routes.push_back({"GET", item, ApiScope::kRead, bind(&TokenRoutes::Show), doc});

  doc = {};
  doc.summary = "Update a token's metadata (null clears planted_at / expires_at)";
  doc.tag = "tokens";
  doc.request_schema = {{"type", "object"},
                        {"additionalProperties", false},
                        {"minProperties", 1},
                        {"properties", patch_props}};
  doc.response_schema = SchemaRef("Token");
  routes.push_back({"PATCH", item, ApiScope::kDeploy, bind(&TokenRoutes::Update), doc});

  doc = {};
  doc.summary = "Delete a token: its row stays as a tombstone (status deleted) and stays matchable";
  doc.tag = "tokens";
  doc.response_schema = SchemaRef("Token");
  routes.push_back({"DELETE", item, ApiScope::kAdmin, bind(&TokenRoutes::Delete), doc});

  doc = {};
  doc.summary = "Revoke a token (it stays matchable; a use still alerts)";
  doc.tag = "tokens";
  doc.request_schema = {{"type", "object"}, {"additionalProperties", false}};
  doc.request_body_required = false;
  doc.response_schema = SchemaRef("Token");
  routes.push_back({"POST", item + "/revoke", ApiScope::kAdmin, bind(&TokenRoutes::Revoke), doc});

  doc = {};
  doc.summary = "Rotate: a new token for the same placement; the old one is revoked";
  doc.tag = "tokens";
  doc.request_schema = {{"type", "object"},
                        {"additionalProperties", false},
                        {"properties", FormatSchemaProperties()}};
  doc.request_body_required = false;
  doc.success_status = 201;
  doc.response_schema = SchemaRef("IssuedTokenList");
  routes.push_back({"POST", item + "/rotate", ApiScope::kDeploy, bind(&TokenRoutes::Rotate), doc});
  return routes;
}

}  // namespace spacecrab
