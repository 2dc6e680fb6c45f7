#include "alert/alert_routes.h"

#include <algorithm>
#include <charconv>

#include "alert/sample_alert.h"
#include "api/json_body.h"
#include "api/json_writer.h"
#include "api/resource_json.h"
#include "core/ids.h"
#include "enrich/event_json.h"

namespace spacecrab::alert {
namespace {

using json = nlohmann::json;

constexpr char kIncidents[] = "/api/v1/incidents";
constexpr char kEvents[] = "/api/v1/events";
constexpr char kAlerts[] = "/api/v1/alerts";
// GET /incidents/{id} shows at most this many of its events (the newest);
// GET /events?incident_id= pages through all of them.
constexpr size_t kShowEvents = 500;

// An id that is not even well formed cannot exist: answer without a lookup
// and without echoing arbitrary path text.
Status CheckIncidentId(const std::string& id) {
  if (!IsWellFormedId("inc", id)) return NotFound("no such incident");
  return Status::Ok();
}

// Filter values: a malformed one is a 400 naming the parameter.
Status CheckIdParam(const char* name, const char* prefix, const std::string& value) {
  if (value.empty() || IsWellFormedId(prefix, value)) return Status::Ok();
  return InvalidArgument(std::string(name) + ": expected an id like " + prefix + "_ followed by " +
                         "26 characters");
}

// Sink names as sink_factory allows them: [A-Za-z0-9_-]{1,64}.
bool IsSinkName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Status CheckSinkParam(const char* name, const std::string& value) {
  if (value.empty() || IsSinkName(value)) return Status::Ok();
  return InvalidArgument(std::string(name) + ": expected a sink name ([A-Za-z0-9_-], 1-64)");
}

Expected<std::optional<Timestamp>> TimeParam(const QueryParams& query, const std::string& name) {
  SC_ASSIGN_OR_RETURN(std::string text, query.Get(name));
  if (text.empty()) return std::optional<Timestamp>();
  auto t = ParseRfc3339(text);
  if (!t) return InvalidArgument(name + ": expected an RFC 3339 time like 2026-01-31T12:00:00Z");
  return std::optional<Timestamp>(*t);
}

// A positive decimal integer cursor (event seq, outbox row id).
Expected<int64_t> NumericCursor(const std::string& text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0)
    return InvalidArgument("cursor: not a cursor this API returned");
  return value;
}

// ---- JSON -----------------------------------------------------------------

void TimeField(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t) {
  w.Key(key);
  if (t)
    w.String(FormatRfc3339(*t));
  else
    w.Null();
}

void BoolField(JsonWriter& w, std::string_view key, bool value) {
  w.Key(key);
  w.Bool(value);
}

void StringList(JsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
  w.Key(key);
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
}

// The incident's members, without the braces (Show appends more).
void WriteIncidentFields(JsonWriter& w, const Incident& i) {
  w.Field("id", i.id);
  w.Field("token_id", i.token_id);
  w.Field("status", ToString(i.status));
  w.Field("source_ip", i.source_ip);
  w.Field("first_seen", FormatRfc3339(i.first_seen));
  w.Field("last_seen", FormatRfc3339(i.last_seen));
  w.Field("event_count", i.event_count);
  StringList(w, "actions", i.actions);
  BoolField(w, "actions_truncated", i.actions_truncated);
  StringList(w, "services", i.services);
  w.Field("severity", ToString(i.severity));
  w.Field("profile", ToString(i.profile));
  w.Field("trigger", ToString(i.trigger));
  BoolField(w, "retired_token", i.retired_token);
  BoolField(w, "allowlisted", i.allowlisted);
  w.NullableField("allowlist_reason", i.allowlist_reason);
  BoolField(w, "paged", i.paged);
  w.NullableField("last_event_id", i.last_event_id);
  w.Field("created_at", FormatRfc3339(i.created_at));
  w.Field("updated_at", FormatRfc3339(i.updated_at));
  TimeField(w, "acknowledged_at", i.acknowledged_at);
  w.NullableField("acknowledged_by", i.acknowledged_by);
  TimeField(w, "resolved_at", i.resolved_at);
  w.NullableField("resolved_by", i.resolved_by);
}

void WriteIncident(JsonWriter& w, const Incident& i) {
  w.BeginObject();
  WriteIncidentFields(w, i);
  w.EndObject();
}

// DESIGN's event shape (enrich/event_json.h), without the raw record.
void WriteEvent(JsonWriter& w, const Event& e) {
  w.Raw(enrich::EventToJsonValue(e).dump(-1, ' ', false, json::error_handler_t::replace));
}

// Never the payload: it is the full alert, kept for the sender.
void WriteOutboxRow(JsonWriter& w, const OutboxRow& r) {
  w.BeginObject();
  w.Field("id", r.id);
  w.Field("incident_id", r.incident_id);
  w.Field("sink", r.sink);
  w.Field("kind", ToString(r.kind));
  w.Field("state", ToString(r.state));
  w.Field("attempts", int64_t{r.attempts});
  w.Field("created_at", FormatRfc3339(r.created_at));
  w.Field("next_attempt_at", FormatRfc3339(r.next_attempt_at));
  w.NullableField("last_error", r.last_error);
  TimeField(w, "sent_at", r.sent_at);
  w.EndObject();
}

ApiResponse IncidentResponse(const Incident& incident) {
  std::string text;
  JsonWriter w(text);
  WriteIncident(w, incident);
  return ApiResponse::JsonText(200, std::move(text));
}

// ---- an incident's newest events ------------------------------------------

bool Newer(const Event& a, const Event& b) {
  if (a.event_time != b.event_time) return a.event_time > b.event_time;
  return a.id > b.id;
}

// Reads the incident's events with event_time >= since (all when unset),
// keeping the `cap` newest in `keep` (newest first). Returns how many matched.
Expected<int64_t> ScanNewest(Store& store, const std::string& incident_id,
                             std::optional<Timestamp> since, size_t cap, std::vector<Event>& keep) {
  EventFilter filter;
  filter.incident_id = incident_id;
  filter.since = since;
  filter.limit = 1000;
  int64_t seen = 0;
  auto trim = [&keep, cap] {
    const size_t n = std::min(cap, keep.size());
    std::partial_sort(keep.begin(), keep.begin() + static_cast<std::ptrdiff_t>(n), keep.end(),
                      Newer);
    keep.erase(keep.begin() + static_cast<std::ptrdiff_t>(n), keep.end());
  };
  for (;;) {
    SC_ASSIGN_OR_RETURN(EventPage page, store.ListEvents(filter));
    seen += static_cast<int64_t>(page.items.size());
    for (Event& e : page.items) keep.push_back(std::move(e));
    if (keep.size() > 4 * cap) trim();  // bounded memory under a storm
    if (page.next_cursor.empty()) break;
    filter.after_id = page.next_cursor;
  }
  trim();
  return seen;
}

struct NewestEvents {
  std::vector<Event> events;  // newest first
  bool truncated = false;
};

// The store pages events in arrival order only. A storm's incident can hold
// many thousands, so instead of reading all of them the scan starts at a
// guessed slice of the incident's time span (from its event rate) and widens
// the slice until it holds `cap` events or covers the whole incident.
Expected<NewestEvents> LoadNewestEvents(Store& store, const Incident& incident, size_t cap) {
  NewestEvents out;
  double fraction =
      incident.event_count <= static_cast<int64_t>(cap)
          ? 1.0
          : 2.0 * static_cast<double>(cap) / static_cast<double>(incident.event_count);
  const auto span = incident.last_seen - incident.first_seen;
  int64_t seen = 0;
  for (;;) {
    std::optional<Timestamp> since;
    if (fraction < 1.0 && span.count() > 0)
      since = incident.last_seen - std::chrono::milliseconds(static_cast<int64_t>(
                                       static_cast<double>(span.count()) * fraction));
    out.events.clear();
    SC_ASSIGN_OR_RETURN(seen, ScanNewest(store, incident.id, since, cap, out.events));
    if (!since || out.events.size() >= cap) break;
    fraction *= 4;
  }
  out.truncated = static_cast<int64_t>(out.events.size()) < std::max(seen, incident.event_count);
  return out;
}

// ---- OpenAPI --------------------------------------------------------------

json Str() { return {{"type", "string"}}; }
json NullableStr() { return {{"type", "string"}, {"nullable", true}}; }
json Time() { return {{"type", "string"}, {"format", "date-time"}}; }
json NullableTime() { return {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}; }
json Int() { return {{"type", "integer"}}; }
json Bool() { return {{"type", "boolean"}}; }
json StrArray() { return {{"type", "array"}, {"items", Str()}}; }
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
json Required(const json& props) {
  json names = json::array();
  for (auto it = props.begin(); it != props.end(); ++it) names.push_back(it.key());
  return names;
}
json LimitParam() {
  return QueryParameter("limit", "page size, 1-1000 (default 100)",
                        {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}});
}

json IncidentProps() {
  return {{"id", Str()},
          {"token_id", Str()},
          {"status", Enum({"open", "acknowledged", "resolved"})},
          {"source_ip", Str()},
          {"first_seen", Time()},
          {"last_seen", Time()},
          {"event_count", Int()},
          {"actions", StrArray()},
          {"actions_truncated", Bool()},
          {"services", StrArray()},
          {"severity", Enum({"info", "warning", "error", "critical"})},
          {"profile", Enum({"single probe", "enumeration"})},
          {"trigger", Enum({"first_use", "retired_token_use", "repeat_use"})},
          {"retired_token", Bool()},
          {"allowlisted", Bool()},
          {"allowlist_reason", NullableStr()},
          {"paged", Bool()},
          {"last_event_id", NullableStr()},
          {"created_at", Time()},
          {"updated_at", Time()},
          {"acknowledged_at", NullableTime()},
          {"acknowledged_by", NullableStr()},
          {"resolved_at", NullableTime()},
          {"resolved_by", NullableStr()}};
}

}  // namespace

// ---- handlers ---------------------------------------------------------------

namespace {

class Handlers {
 public:
  explicit Handlers(const AlertRoutesDeps& d) : d_(d) {}

  Expected<ApiResponse> ListIncidents(const ApiRequest& request) const {
    QueryParams query(request.query);
    IncidentFilter filter;
    SC_ASSIGN_OR_RETURN(std::string status, query.Get("status"));
    if (!status.empty()) {
      filter.status = ParseIncidentStatus(status);
      if (!filter.status) return InvalidArgument("status: expected open, acknowledged or resolved");
    }
    SC_ASSIGN_OR_RETURN(filter.token_id, query.Get("token_id"));
    SC_RETURN_IF_ERROR(CheckIdParam("token_id", "tok", filter.token_id));
    SC_ASSIGN_OR_RETURN(filter.after_id, query.Get("cursor"));
    if (!filter.after_id.empty() && !IsWellFormedId("inc", filter.after_id))
      return InvalidArgument("cursor: not a cursor this API returned");
    SC_ASSIGN_OR_RETURN(int64_t limit, query.Int("limit", 100, 1, 1000));
    filter.limit = int(limit);

    SC_ASSIGN_OR_RETURN(IncidentPage page, d_.alerts->ListIncidents(filter));
    std::string text;
    text.reserve(page.items.size() * 700);
    JsonWriter w(text);
    w.BeginObject();
    w.Key("items");
    w.BeginArray();
    for (const Incident& i : page.items) WriteIncident(w, i);
    w.EndArray();
    w.NullableField("next_cursor", page.next_cursor);
    w.EndObject();
    return ApiResponse::JsonText(200, std::move(text));
  }

  Expected<ApiResponse> ShowIncident(const ApiRequest& request) const {
    const std::string& id = request.param("id");
    SC_RETURN_IF_ERROR(CheckIncidentId(id));
    SC_ASSIGN_OR_RETURN(Incident incident, d_.alerts->GetIncident(id));
    SC_ASSIGN_OR_RETURN(NewestEvents newest, LoadNewestEvents(*d_.store, incident, kShowEvents));
    auto token = d_.alerts->GetToken(incident.token_id);
    if (!token.ok() && token.status().code() != StatusCode::kNotFound) return token.status();

    std::string text;
    JsonWriter w(text);
    w.BeginObject();
    WriteIncidentFields(w, incident);
    w.Key("token");
    if (token.ok()) {
      w.BeginObject();
      w.Field("id", token->id);
      w.Field("kind", ToString(token->kind));
      w.Field("status", ToString(token->status));
      w.Field("access_key_id", token->access_key_id);
      w.Field("location", token->location);
      w.Field("owner", token->owner);
      w.EndObject();
    } else {
      w.Null();
    }
    w.Key("events");
    w.BeginArray();
    for (const Event& e : newest.events) WriteEvent(w, e);
    w.EndArray();
    BoolField(w, "events_truncated", newest.truncated);
    w.EndObject();
    return ApiResponse::JsonText(200, std::move(text));
  }

  Expected<ApiResponse> Acknowledge(const ApiRequest& request) const {
    const std::string& id = request.param("id");
    SC_RETURN_IF_ERROR(CheckIncidentId(id));
    SC_RETURN_IF_ERROR(EmptyBody(request));
    const Actor actor = request.actor();
    SC_ASSIGN_OR_RETURN(Incident incident, d_.stage->Acknowledge(id, actor.id));
    Audit(actor, "incident.acknowledge", id, json::object());
    return IncidentResponse(incident);
  }

  Expected<ApiResponse> Resolve(const ApiRequest& request) const {
    const std::string& id = request.param("id");
    SC_RETURN_IF_ERROR(CheckIncidentId(id));
    SC_RETURN_IF_ERROR(EmptyBody(request));
    const Actor actor = request.actor();
    SC_ASSIGN_OR_RETURN(Incident incident, d_.stage->Resolve(id, actor.id));
    Audit(actor, "incident.resolve", id, json::object());
    return IncidentResponse(incident);
  }

  Expected<ApiResponse> ListEvents(const ApiRequest& request) const {
    QueryParams query(request.query);
    EventFilter filter;
    SC_ASSIGN_OR_RETURN(filter.token_id, query.Get("token_id"));
    SC_RETURN_IF_ERROR(CheckIdParam("token_id", "tok", filter.token_id));
    SC_ASSIGN_OR_RETURN(filter.incident_id, query.Get("incident_id"));
    SC_RETURN_IF_ERROR(CheckIdParam("incident_id", "inc", filter.incident_id));
    SC_ASSIGN_OR_RETURN(filter.since, TimeParam(query, "since"));
    SC_ASSIGN_OR_RETURN(filter.until, TimeParam(query, "until"));
    SC_ASSIGN_OR_RETURN(filter.after_id, query.Get("cursor"));
    if (!filter.after_id.empty()) SC_RETURN_IF_ERROR(NumericCursor(filter.after_id).status());
    SC_ASSIGN_OR_RETURN(int64_t limit, query.Int("limit", 100, 1, 1000));
    filter.limit = int(limit);

    SC_ASSIGN_OR_RETURN(EventPage page, d_.store->ListEvents(filter));
    std::string text;
    text.reserve(page.items.size() * 600);
    JsonWriter w(text);
    w.BeginObject();
    w.Key("items");
    w.BeginArray();
    for (const Event& e : page.items) WriteEvent(w, e);
    w.EndArray();
    w.NullableField("next_cursor", page.next_cursor);
    w.EndObject();
    return ApiResponse::JsonText(200, std::move(text));
  }

  Expected<ApiResponse> ListOutbox(const ApiRequest& request) const {
    QueryParams query(request.query);
    OutboxFilter filter;
    SC_ASSIGN_OR_RETURN(std::string state, query.Get("state"));
    if (!state.empty()) {
      filter.state = ParseState(state);
      if (!filter.state) return InvalidArgument("state: expected pending, sent or dead");
    }
    SC_ASSIGN_OR_RETURN(filter.sink, query.Get("sink"));
    SC_RETURN_IF_ERROR(CheckSinkParam("sink", filter.sink));
    SC_ASSIGN_OR_RETURN(filter.incident_id, query.Get("incident_id"));
    SC_RETURN_IF_ERROR(CheckIdParam("incident_id", "inc", filter.incident_id));
    SC_ASSIGN_OR_RETURN(std::string cursor, query.Get("cursor"));
    if (!cursor.empty()) {
      SC_ASSIGN_OR_RETURN(filter.after_id, NumericCursor(cursor));
    }
    SC_ASSIGN_OR_RETURN(int64_t limit, query.Int("limit", 100, 1, 1000));
    filter.limit = int(limit) + 1;  // one more tells whether a next page exists

    SC_ASSIGN_OR_RETURN(std::vector<OutboxRow> rows, d_.alerts->ListOutbox(filter));
    std::string next;
    if (static_cast<int64_t>(rows.size()) > limit) {
      rows.resize(static_cast<size_t>(limit));
      next = std::to_string(rows.back().id);
    }
    std::string text;
    text.reserve(rows.size() * 300);
    JsonWriter w(text);
    w.BeginObject();
    w.Key("items");
    w.BeginArray();
    for (const OutboxRow& r : rows) WriteOutboxRow(w, r);
    w.EndArray();
    w.NullableField("next_cursor", next);
    w.EndObject();
    return ApiResponse::JsonText(200, std::move(text));
  }

  Expected<ApiResponse> RetryOutbox(const ApiRequest& request) const {
    SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body, /*allow_empty=*/true));
    SC_ASSIGN_OR_RETURN(auto sink, body.String("sink"));
    SC_ASSIGN_OR_RETURN(auto incident_id, body.String("incident_id"));
    SC_RETURN_IF_ERROR(body.RejectUnknown());
    OutboxFilter filter;
    filter.state = OutboxState::kDead;
    filter.sink = sink.value_or("");
    filter.incident_id = incident_id.value_or("");
    SC_RETURN_IF_ERROR(CheckSinkParam("sink", filter.sink));
    SC_RETURN_IF_ERROR(CheckIdParam("incident_id", "inc", filter.incident_id));
    SC_ASSIGN_OR_RETURN(int64_t requeued, d_.alerts->RequeueDead(filter, d_.clock->Now()));
    json detail = {{"requeued", requeued}};
    if (!filter.sink.empty()) detail["sink"] = filter.sink;
    if (!filter.incident_id.empty()) detail["incident_id"] = filter.incident_id;
    Audit(request.actor(), "alert.retry", filter.incident_id, detail);
    return ApiResponse::Json(200, json{{"requeued", requeued}});
  }

  Expected<ApiResponse> TestAlert(const ApiRequest& request) const {
    SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body, /*allow_empty=*/true));
    SC_ASSIGN_OR_RETURN(auto only, body.String("sink"));
    SC_ASSIGN_OR_RETURN(auto resolve, body.Bool("resolve"));
    SC_RETURN_IF_ERROR(body.RejectUnknown());
    const std::string name = only.value_or("");
    if (only) SC_RETURN_IF_ERROR(CheckSinkParam("sink", name));
    const std::vector<BuiltSink> none;
    const std::vector<BuiltSink>& sinks = d_.sinks ? *d_.sinks : none;
    if (sinks.empty())
      return FailedPrecondition("no sinks are configured ([sinks.NAME] in the config)");
    if (!name.empty() && std::none_of(sinks.begin(), sinks.end(), [&name](const BuiltSink& b) {
          return b.sink->name() == name;
        }))
      return NotFound("no sink named '" + name + "'");

    const std::vector<SinkCheck> checks =
        SendSampleAlert(sinks, name, d_.public_url, d_.clock->Now(), resolve.value_or(true));
    bool all_ok = true;
    json items = json::array();
    for (const SinkCheck& c : checks) {
      all_ok = all_ok && c.status.ok();
      items.push_back({{"sink", c.sink},
                       {"type", c.kind},
                       {"ok", c.status.ok()},
                       {"error", c.status.ok() ? json(nullptr) : json(c.status.message())},
                       {"elapsed_ms", c.elapsed_ms}});
    }
    Audit(request.actor(), "alert.test", "", {{"sink", name}, {"ok", all_ok}});
    json out = {{"ok", all_ok}, {"items", std::move(items)}};
    return ApiResponse::JsonText(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
  }

 private:
  static Status EmptyBody(const ApiRequest& request) {
    SC_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body, /*allow_empty=*/true));
    return body.RejectUnknown();
  }

  static std::optional<OutboxState> ParseState(const std::string& s) {
    for (OutboxState st : {OutboxState::kPending, OutboxState::kSent, OutboxState::kDead})
      if (ToString(st) == s) return st;
    return std::nullopt;
  }

  // The change is committed; an audit failure must not turn it into an error.
  void Audit(const Actor& actor, std::string action, std::string object_id,
             const json& detail) const {
    if (!d_.store) return;
    AuditEntry entry;
    entry.at = d_.clock->Now();
    entry.actor = actor.id;
    entry.action = std::move(action);
    entry.object_id = std::move(object_id);
    entry.source_ip = actor.source_ip;
    entry.detail_json = detail.dump(-1, ' ', false, json::error_handler_t::replace);
    (void)d_.store->AppendAudit(entry);
  }

  const AlertRoutesDeps& d_;
};

}  // namespace

json AlertRoutes::Schemas() {
  json schemas;
  const json incident_props = IncidentProps();
  schemas["Incident"] = {
      {"type", "object"}, {"required", Required(incident_props)}, {"properties", incident_props}};
  schemas["IncidentList"] = ListOf("Incident");
  const json token_summary = {{"id", Str()},       {"kind", Str()},
                              {"status", Str()},   {"access_key_id", Str()},
                              {"location", Str()}, {"owner", Str()}};
  schemas["IncidentDetail"] = {
      {"allOf",
       {SchemaRef("Incident"),
        {{"type", "object"},
         {"required", {"token", "events", "events_truncated"}},
         {"properties",
          {{"token", {{"type", "object"}, {"nullable", true}, {"properties", token_summary}}},
           {"events",
            {{"type", "array"},
             {"items", SchemaRef("Event")},
             {"description", "the newest events first, at most 500"}}},
           {"events_truncated", Bool()}}}}}}};
  const json event_props = {{"id", Str()},
                            {"token_id", NullableStr()},
                            {"access_key_id", NullableStr()},
                            {"event_time", Time()},
                            {"event_source", NullableStr()},
                            {"event_name", NullableStr()},
                            {"aws_region", NullableStr()},
                            {"source_ip", NullableStr()},
                            {"user_agent", NullableStr()},
                            {"error_code", NullableStr()},
                            {"request_id", NullableStr()},
                            {"incident_id", NullableStr()},
                            {"origin", NullableStr()},
                            {"received_at", Time()},
                            {"enrichment", {{"type", "object"}}}};
  schemas["Event"] = {
      {"type", "object"}, {"required", Required(event_props)}, {"properties", event_props}};
  schemas["EventList"] = ListOf("Event");
  const json outbox_props = {{"id", Int()},
                             {"incident_id", Str()},
                             {"sink", Str()},
                             {"kind", Enum({"trigger", "update", "resolve"})},
                             {"state", Enum({"pending", "sent", "dead"})},
                             {"attempts", Int()},
                             {"created_at", Time()},
                             {"next_attempt_at", Time()},
                             {"last_error", NullableStr()},
                             {"sent_at", NullableTime()}};
  schemas["OutboxRow"] = {
      {"type", "object"}, {"required", Required(outbox_props)}, {"properties", outbox_props}};
  schemas["OutboxList"] = ListOf("OutboxRow");
  schemas["AlertTestResult"] = {{"type", "object"},
                                {"required", {"ok", "items"}},
                                {"properties",
                                 {{"ok", Bool()},
                                  {"items",
                                   {{"type", "array"},
                                    {"items",
                                     {{"type", "object"},
                                      {"required", {"sink", "type", "ok", "error", "elapsed_ms"}},
                                      {"properties",
                                       {{"sink", Str()},
                                        {"type", Str()},
                                        {"ok", Bool()},
                                        {"error", NullableStr()},
                                        {"elapsed_ms", Int()}}}}}}}}}};
  return schemas;
}

std::vector<Route> AlertRoutes::Routes() {
  auto handlers = std::make_shared<Handlers>(d_);
  auto bind = [handlers](Expected<ApiResponse> (Handlers::*fn)(const ApiRequest&) const) {
    return HandleExpected([handlers, fn](const ApiRequest& r) { return ((*handlers).*fn)(r); });
  };
  const std::string incidents = kIncidents;
  const std::string item = incidents + "/{id}";
  const std::string alerts = kAlerts;
  const json empty_body = {{"type", "object"}, {"additionalProperties", false}};

  std::vector<Route> routes;
  RouteDoc doc;

  doc = {};
  doc.summary = "List incidents, newest first (filters, cursor paging)";
  doc.tag = "incidents";
  doc.parameters =
      json::array({QueryParameter("status", "open | acknowledged | resolved"),
                   QueryParameter("token_id", "incidents of this token"),
                   QueryParameter("cursor", "next_cursor of the previous page"), LimitParam()});
  doc.response_schema = SchemaRef("IncidentList");
  routes.push_back({"GET", incidents, ApiScope::kRead, bind(&Handlers::ListIncidents), doc});

  doc = {};
  doc.summary = "Show an incident with its token and its newest events (at most 500)";
  doc.tag = "incidents";
  doc.response_schema = SchemaRef("IncidentDetail");
  routes.push_back({"GET", item, ApiScope::kRead, bind(&Handlers::ShowIncident), doc});

  doc = {};
  doc.summary = "Acknowledge an incident (it keeps grouping new events; 409 when resolved)";
  doc.tag = "incidents";
  doc.request_schema = empty_body;
  doc.request_body_required = false;
  doc.response_schema = SchemaRef("Incident");
  routes.push_back({"POST", item + "/ack", ApiScope::kAdmin, bind(&Handlers::Acknowledge), doc});

  doc = {};
  doc.summary = "Resolve an incident; sinks that paged get a resolve (409 when resolved)";
  doc.tag = "incidents";
  doc.request_schema = empty_body;
  doc.request_body_required = false;
  doc.response_schema = SchemaRef("Incident");
  routes.push_back({"POST", item + "/resolve", ApiScope::kAdmin, bind(&Handlers::Resolve), doc});

  doc = {};
  doc.summary = "List recorded events in arrival order (filters, cursor paging)";
  doc.tag = "events";
  doc.parameters =
      json::array({QueryParameter("token_id", "events of this token"),
                   QueryParameter("incident_id", "events of this incident"),
                   QueryParameter("since", "event_time at or after (RFC 3339)",
                                  {{"type", "string"}, {"format", "date-time"}}),
                   QueryParameter("until", "event_time before (RFC 3339)",
                                  {{"type", "string"}, {"format", "date-time"}}),
                   QueryParameter("cursor", "next_cursor of the previous page"), LimitParam()});
  doc.response_schema = SchemaRef("EventList");
  routes.push_back({"GET", kEvents, ApiScope::kRead, bind(&Handlers::ListEvents), doc});

  doc = {};
  doc.summary = "List the alert outbox, oldest first (never the payloads)";
  doc.tag = "alerts";
  doc.parameters =
      json::array({QueryParameter("state", "pending | sent | dead"),
                   QueryParameter("sink", "rows of this sink"),
                   QueryParameter("incident_id", "rows of this incident"),
                   QueryParameter("cursor", "next_cursor of the previous page"), LimitParam()});
  doc.response_schema = SchemaRef("OutboxList");
  routes.push_back({"GET", alerts + "/outbox", ApiScope::kRead, bind(&Handlers::ListOutbox), doc});

  doc = {};
  doc.summary = "Send dead-lettered messages again (optionally of one sink or incident)";
  doc.tag = "alerts";
  doc.request_schema = {{"type", "object"},
                        {"additionalProperties", false},
                        {"properties", {{"sink", Str()}, {"incident_id", Str()}}}};
  doc.request_body_required = false;
  doc.response_schema = {
      {"type", "object"}, {"required", {"requeued"}}, {"properties", {{"requeued", Int()}}}};
  routes.push_back(
      {"POST", alerts + "/outbox/retry", ApiScope::kAdmin, bind(&Handlers::RetryOutbox), doc});

  doc = {};
  doc.summary =
      "Send a sample alert marked [TEST] straight to every sink (or one), reporting each result";
  doc.tag = "alerts";
  doc.request_schema = {
      {"type", "object"},
      {"additionalProperties", false},
      {"properties",
       {{"sink",
         {{"type", "string"}, {"description", "only this sink (404 if none has the name)"}}},
        {"resolve",
         {{"type", "boolean"},
          {"description", "follow each trigger with a resolve (default true)"}}}}}};
  doc.request_body_required = false;
  doc.response_schema = SchemaRef("AlertTestResult");
  routes.push_back({"POST", alerts + "/test", ApiScope::kAdmin, bind(&Handlers::TestAlert), doc});
  return routes;
}

}  // namespace spacecrab::alert
