#include "enrich/report_routes.h"

#include <algorithm>

#include "enrich/enrichment.h"

namespace spacecrab::enrich {
namespace {

using nlohmann::json;

// RFC 3339, or a duration back from `now` ("7d" = seven days ago).
Expected<std::optional<Timestamp>> ParseWhen(const std::string& name, const std::string& text,
                                             Timestamp now) {
  if (text.empty()) return std::optional<Timestamp>();
  if (auto t = ParseRfc3339(text)) return std::optional<Timestamp>(*t);
  if (auto d = ParseDuration(text)) return std::optional<Timestamp>(now - *d);
  return InvalidArgument(
      name +
      ": expected an RFC 3339 time (2026-01-31T00:00:00Z) or a duration back from now (7d, 12h)");
}

Expected<std::vector<HoneyToken>> LoadTokens(Store& store, const ReportOptions& o) {
  TokenFilter filter;
  filter.location_prefix = o.location_prefix;
  filter.owner = o.owner;
  if (!o.tags.empty()) {  // the Store filters on one tag; ComputeReport checks them all
    filter.tag_key = o.tags.begin()->first;
    filter.tag_value = o.tags.begin()->second;
  }
  filter.limit = 1000;
  std::vector<HoneyToken> out;
  while (true) {
    SC_ASSIGN_OR_RETURN(TokenPage page, store.ListTokens(filter));
    std::move(page.items.begin(), page.items.end(), std::back_inserter(out));
    if (page.next_cursor.empty()) return out;
    filter.after_id = page.next_cursor;
  }
}

Expected<std::vector<Event>> LoadEvents(Store& store, const ReportOptions& o, size_t max_events) {
  EventFilter filter;
  filter.since = o.from;
  filter.until = o.to;
  filter.limit = 1000;
  std::vector<Event> out;
  while (true) {
    SC_ASSIGN_OR_RETURN(EventPage page, store.ListEvents(filter));
    for (Event& e : page.items) {
      std::string().swap(
          e.raw_json);  // the report never reads the record; keep memory to the fields
      out.push_back(std::move(e));
    }
    if (out.size() > max_events)
      return InvalidArgument("the time range holds more than " + std::to_string(max_events) +
                             " events; narrow it with from and to");
    if (page.next_cursor.empty()) return out;
    filter.after_id = page.next_cursor;
  }
}

}  // namespace

Expected<Report> LoadReport(Store& store, const ReportOptions& options, size_t max_events) {
  SC_ASSIGN_OR_RETURN(std::vector<HoneyToken> tokens, LoadTokens(store, options));
  SC_ASSIGN_OR_RETURN(std::vector<Event> events, LoadEvents(store, options, max_events));
  return ComputeReport(tokens, events, options, DecodeEventOrigin);
}

Expected<ApiResponse> ReportRoutes::Get(const ApiRequest& request) {
  QueryParams query(request.query);
  ReportOptions o;
  const Timestamp now = clock_.Now();
  SC_ASSIGN_OR_RETURN(std::string from, query.Get("from"));
  SC_ASSIGN_OR_RETURN(o.from, ParseWhen("from", from, now));
  SC_ASSIGN_OR_RETURN(std::string to, query.Get("to"));
  SC_ASSIGN_OR_RETURN(o.to, ParseWhen("to", to, now));
  if (o.from && o.to && *o.to <= *o.from) return InvalidArgument("to: must be after from");
  SC_ASSIGN_OR_RETURN(o.location_prefix, query.Get("location_prefix"));
  SC_ASSIGN_OR_RETURN(o.owner, query.Get("owner"));
  SC_ASSIGN_OR_RETURN(std::string tag, query.Get("tag"));
  if (!tag.empty()) {
    const size_t eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("tag: expected KEY=VALUE");
    o.tags[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  SC_ASSIGN_OR_RETURN(std::string group_by, query.Get("group_by"));
  if (!group_by.empty()) {
    SC_RETURN_IF_ERROR(ParsePlacementGrouping(group_by, o));
  }
  SC_ASSIGN_OR_RETURN(int64_t top, query.Int("top", 10, 0, 1000));
  o.top_n = size_t(top);
  SC_ASSIGN_OR_RETURN(int64_t history, query.Int("history", 50, 0, 1000));
  o.history_events = size_t(history);
  SC_ASSIGN_OR_RETURN(std::string format, query.Get("format"));
  if (format.empty()) format = "json";
  if (format != "json" && format != "text" && format != "csv")
    return InvalidArgument("format: expected json, text or csv");
  SC_ASSIGN_OR_RETURN(std::string table, query.Get("table"));
  if (!table.empty() && format != "csv") return InvalidArgument("table: only with format=csv");

  SC_ASSIGN_OR_RETURN(Report report, LoadReport(store_, o));
  ApiResponse out;
  if (format == "json") return ApiResponse::JsonText(200, RenderReportJson(report));
  if (format == "text") {
    out.content_type = "text/plain; charset=utf-8";
    out.body = RenderReportText(report);
    return out;
  }
  auto csv = RenderReportCsv(report, table);
  if (!csv.ok()) return InvalidArgument("table: " + csv.status().message());
  out.content_type = "text/csv; charset=utf-8";
  out.body = std::move(csv).value();
  return out;
}

std::vector<Route> ReportRoutes::Routes() {
  RouteDoc doc;
  doc.summary =
      "What the tokens caught: per placement share used and time to first use; top source IPs, "
      "countries, networks, tools, user agents, API calls; Tor share; per-token history";
  doc.tag = "report";
  doc.parameters = json::array({
      QueryParameter("from",
                     "RFC 3339 time or a duration back from now (7d); events at or after it"),
      QueryParameter("to", "RFC 3339 time or a duration back from now; events before it"),
      QueryParameter("location_prefix", "tokens whose location starts with this text"),
      QueryParameter("owner", "exact owner"),
      QueryParameter("tag", "KEY=VALUE: tokens carrying this tag"),
      QueryParameter("group_by", "placements: prefix (default), prefix:N, location or tag:NAME"),
      QueryParameter("top", "rows per top list, 0-1000 (0: all; default 10)",
                     {{"type", "integer"}, {"minimum", 0}, {"maximum", 1000}}),
      QueryParameter("history", "timeline events per token, 0-1000 (default 50)",
                     {{"type", "integer"}, {"minimum", 0}, {"maximum", 1000}}),
      QueryParameter("format", "json (default), text or csv",
                     {{"type", "string"}, {"enum", {"json", "text", "csv"}}}),
      QueryParameter(
          "table",
          "with format=csv: placements (default), source_ips, countries, networks, tools, "
          "user_agents, api_calls, error_codes, tokens, events"),
  });
  doc.response_schema = {{"type", "object"}};
  Route r;
  r.method = "GET";
  r.pattern = "/api/v1/report";
  r.scope = ApiScope::kRead;
  r.handler = HandleExpected([this](const ApiRequest& req) { return Get(req); });
  r.doc = std::move(doc);
  return {std::move(r)};
}

}  // namespace spacecrab::enrich
