// ComputeReport and placement grouping. Rendering is in report_render.cpp.
#include "core/report.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_map>

namespace spacecrab {
namespace {

using std::chrono::milliseconds;

Timestamp PlantTime(const HoneyToken& t) { return t.planted_at.value_or(t.issued_at); }

bool IsSegmentSeparator(char c) { return c == ':' || c == '/' || c == '\\'; }

std::string LocationPrefix(std::string_view location, int segments) {
  if (segments <= 0) return std::string(location);
  int seen = 0;
  size_t i = 0;
  while (i < location.size()) {
    while (i < location.size() && IsSegmentSeparator(location[i])) ++i;  // empty segments do not count
    if (i >= location.size()) break;
    while (i < location.size() && !IsSegmentSeparator(location[i])) ++i;
    if (++seen == segments) return std::string(location.substr(0, i));
  }
  return std::string(location);
}

// "sts.amazonaws.com" + "GetCallerIdentity" -> "sts:GetCallerIdentity".
std::string ActionOf(const Event& e) {
  std::string_view source = e.event_source;
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (source.size() > kSuffix.size() && source.substr(source.size() - kSuffix.size()) == kSuffix) {
    source.remove_suffix(kSuffix.size());
  }
  if (source.empty()) return e.event_name;
  return std::string(source) + ":" + e.event_name;
}

std::string ServiceOf(const Event& e) {
  const std::string action = ActionOf(e);
  const size_t colon = action.find(':');
  return colon == std::string::npos ? std::string() : action.substr(0, colon);
}

bool InWindow(Timestamp t, const std::optional<Timestamp>& from, const std::optional<Timestamp>& to) {
  return (!from || t >= *from) && (!to || t < *to);
}

void AddDistinct(std::vector<std::string>& list, const std::string& value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// Accumulates one "top" dimension.
struct Tally {
  int64_t events = 0;
  std::set<std::string> tokens;
  Timestamp first_seen = Timestamp::max();
  Timestamp last_seen = Timestamp::min();
  std::string detail;
  void Add(const Event& e) {
    ++events;
    tokens.insert(e.token_id);
    first_seen = std::min(first_seen, e.event_time);
    last_seen = std::max(last_seen, e.event_time);
  }
};
using TallyMap = std::unordered_map<std::string, Tally>;

std::vector<TopRow> TopRows(const TallyMap& tallies, size_t top_n) {
  std::vector<TopRow> rows;
  rows.reserve(tallies.size());
  for (const auto& [key, t] : tallies) {
    rows.push_back({key, t.events, static_cast<int64_t>(t.tokens.size()), t.first_seen, t.last_seen, t.detail});
  }
  std::sort(rows.begin(), rows.end(), [](const TopRow& a, const TopRow& b) {
    if (a.events != b.events) return a.events > b.events;
    if (a.tokens != b.tokens) return a.tokens > b.tokens;
    return a.key < b.key;
  });
  if (top_n > 0 && rows.size() > top_n) rows.resize(top_n);
  return rows;
}

std::string OrUnknown(const std::string& s, const char* unknown) { return s.empty() ? unknown : s; }

std::string IpDetail(const EventOrigin& o) {
  std::string d;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!d.empty()) d += ", ";
    d += part;
  };
  add(o.country);
  add(o.network);
  if (o.tor_exit) add("tor exit");
  if (o.aws_internal) add("aws internal");
  return d;
}

// Per in-scope token while counting.
struct TokenState {
  const HoneyToken* token = nullptr;
  std::string placement;
  std::vector<size_t> events;  // indexes into the event span
  std::set<std::string> services;
};

DelayStats Stats(std::vector<milliseconds>& delays) {
  std::sort(delays.begin(), delays.end());
  return {delays.front(), Percentile(delays, 50), Percentile(delays, 90), delays.back()};
}

}  // namespace

Status ParsePlacementGrouping(std::string_view spec, ReportOptions& options) {
  if (spec == "location") {
    options.group_by = PlacementGrouping::kLocation;
    return Status::Ok();
  }
  if (spec == "prefix") {
    options.group_by = PlacementGrouping::kLocationPrefix;
    options.prefix_segments = 1;
    return Status::Ok();
  }
  if (spec.substr(0, 7) == "prefix:") {
    const std::string_view n = spec.substr(7);
    int segments = 0;
    auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), segments);
    if (ec != std::errc() || ptr != n.data() + n.size() || segments < 1 || segments > 64) {
      return InvalidArgument("group by: expected prefix:N with N from 1 to 64, got '" + std::string(spec) + "'");
    }
    options.group_by = PlacementGrouping::kLocationPrefix;
    options.prefix_segments = segments;
    return Status::Ok();
  }
  if (spec.substr(0, 4) == "tag:" && spec.size() > 4) {
    options.group_by = PlacementGrouping::kTag;
    options.group_tag = std::string(spec.substr(4));
    return Status::Ok();
  }
  return InvalidArgument("group by: expected location, prefix, prefix:N or tag:NAME, got '" + std::string(spec) + "'");
}

std::string PlacementGroupingName(const ReportOptions& options) {
  switch (options.group_by) {
    case PlacementGrouping::kLocation: return "location";
    case PlacementGrouping::kLocationPrefix: return "prefix:" + std::to_string(options.prefix_segments);
    case PlacementGrouping::kPrefixList: return "prefixes";
    case PlacementGrouping::kTag: return "tag:" + options.group_tag;
  }
  return "location";
}

std::string PlacementOf(const HoneyToken& token, const ReportOptions& options) {
  switch (options.group_by) {
    case PlacementGrouping::kLocation:
      return token.location.empty() ? "(none)" : token.location;
    case PlacementGrouping::kLocationPrefix: {
      std::string p = LocationPrefix(token.location, options.prefix_segments);
      return p.empty() ? "(none)" : p;
    }
    case PlacementGrouping::kPrefixList: {
      const std::string* best = nullptr;
      for (const std::string& prefix : options.placement_prefixes) {
        if (token.location.compare(0, prefix.size(), prefix) == 0 && (!best || prefix.size() > best->size())) {
          best = &prefix;
        }
      }
      return best ? *best : "(other)";
    }
    case PlacementGrouping::kTag: {
      auto it = token.tags.find(options.group_tag);
      return (it == token.tags.end() || it->second.empty()) ? "(none)" : it->second;
    }
  }
  return "(none)";
}

milliseconds Percentile(std::span<const milliseconds> sorted, int pct) {
  const size_t n = sorted.size();
  // Nearest rank: the smallest value with at least pct% of values at or below it.
  size_t rank = (static_cast<size_t>(pct) * n + 99) / 100;
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

Report ComputeReport(std::span<const HoneyToken> tokens, std::span<const Event> events, const ReportOptions& options,
                     const OriginDecoder& origin_of) {
  Report report;
  report.from = options.from;
  report.to = options.to;
  report.group_by = PlacementGroupingName(options);

  // 1. Tokens in scope.
  std::unordered_map<std::string, TokenState> scope;
  for (const HoneyToken& t : tokens) {
    if (!options.location_prefix.empty() && t.location.compare(0, options.location_prefix.size(), options.location_prefix) != 0)
      continue;
    if (!options.owner.empty() && t.owner != options.owner) continue;
    bool tags_ok = true;
    for (const auto& [k, v] : options.tags) {
      auto it = t.tags.find(k);
      if (it == t.tags.end() || it->second != v) tags_ok = false;
    }
    if (!tags_ok) continue;
    const Timestamp planted = PlantTime(t);
    if (options.to && planted >= *options.to) continue;
    if (!InWindow(planted, options.planted_from, options.planted_to)) continue;
    scope[t.id] = TokenState{&t, PlacementOf(t, options), {}, {}};
  }
  report.tokens = static_cast<int64_t>(scope.size());

  // 2. Events in scope, tallied along every dimension.
  TallyMap ips, countries, networks, tools, agents, calls, errors;
  std::set<std::string> all_ips, tor_ips, tor_tokens;
  std::unordered_map<std::string, std::set<std::string>> placement_ips;
  std::unordered_map<std::string, int64_t> placement_events;
  std::vector<EventOrigin> origins(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    auto it = scope.find(e.token_id);
    if (it == scope.end() || !InWindow(e.event_time, options.from, options.to)) continue;
    TokenState& ts = it->second;
    const EventOrigin& o = origins[i] = origin_of(e);
    ts.events.push_back(i);
    ts.services.insert(ServiceOf(e));
    ++report.events;
    all_ips.insert(e.source_ip);
    placement_ips[ts.placement].insert(e.source_ip);
    ++placement_events[ts.placement];

    Tally& ip = ips[OrUnknown(e.source_ip, "(none)")];
    if (ip.events == 0) ip.detail = IpDetail(o);
    ip.Add(e);
    countries[OrUnknown(o.country, "(unknown)")].Add(e);
    networks[OrUnknown(o.network, "(unknown)")].Add(e);
    tools[OrUnknown(o.tool, "(none)")].Add(e);
    agents[OrUnknown(e.user_agent, "(none)")].Add(e);
    calls[ActionOf(e)].Add(e);
    if (!e.error_code.empty()) errors[e.error_code].Add(e);
    if (o.tor_exit) {
      ++report.tor.events;
      tor_ips.insert(e.source_ip);
      tor_tokens.insert(e.token_id);
    }
    if (o.cloud) ++report.cloud_events;
    if (o.aws_internal) ++report.aws_internal_events;
  }
  report.source_ips = static_cast<int64_t>(all_ips.size());
  report.tor.source_ips = static_cast<int64_t>(tor_ips.size());
  report.tor.tokens = static_cast<int64_t>(tor_tokens.size());
  report.tor.share = report.events == 0 ? 0 : static_cast<double>(report.tor.events) / static_cast<double>(report.events);

  // 3. Per token: first use, delay, history. Per placement: shares and delays.
  std::map<std::string, PlacementRow> rows;
  std::map<std::string, std::vector<milliseconds>> delays;
  std::vector<milliseconds> all_delays;
  for (auto& [id, ts] : scope) {
    PlacementRow& row = rows[ts.placement];
    row.placement = ts.placement;
    ++row.planted;
    if (ts.events.empty()) continue;
    std::sort(ts.events.begin(), ts.events.end(), [&](size_t a, size_t b) {
      if (events[a].event_time != events[b].event_time) return events[a].event_time < events[b].event_time;
      return events[a].id < events[b].id;
    });
    const HoneyToken& t = *ts.token;
    TokenHistory h;
    h.token_id = t.id;
    h.access_key_id = t.access_key_id;
    h.location = t.location;
    h.placement = ts.placement;
    h.owner = t.owner;
    h.status = std::string(ToString(t.status));
    h.planted_at = PlantTime(t);
    h.planted_marked = t.planted_at.has_value();
    h.first_use = events[ts.events.front()].event_time;
    h.last_use = events[ts.events.back()].event_time;
    h.time_to_first_use = std::max(milliseconds(0), h.first_use - h.planted_at);
    h.events = static_cast<int64_t>(ts.events.size());
    for (size_t i : ts.events) {
      const Event& e = events[i];
      const EventOrigin& o = origins[i];
      AddDistinct(h.source_ips, e.source_ip);
      AddDistinct(h.countries, o.country);
      AddDistinct(h.tools, o.tool);
      AddDistinct(h.actions, ActionOf(e));
      h.via_tor = h.via_tor || o.tor_exit;
      if (h.timeline.size() < options.history_events) {
        h.timeline.push_back({e.event_time, ActionOf(e), e.source_ip, o.country, o.network, o.tor_exit, o.tool,
                              e.user_agent, e.error_code});
      }
    }
    h.timeline_truncated = ts.events.size() > h.timeline.size();
    const bool enumeration = static_cast<int>(h.actions.size()) >= options.enumeration_min_actions ||
                             static_cast<int>(ts.services.size()) >= options.enumeration_min_services;
    h.profile = enumeration ? "enumeration" : "single probe";

    ++row.used;
    delays[ts.placement].push_back(h.time_to_first_use);
    all_delays.push_back(h.time_to_first_use);
    report.history.push_back(std::move(h));
  }
  for (auto& [name, row] : rows) {
    row.share_used = row.planted == 0 ? 0 : static_cast<double>(row.used) / static_cast<double>(row.planted);
    row.events = placement_events[name];
    row.source_ips = static_cast<int64_t>(placement_ips[name].size());
    auto d = delays.find(name);
    if (d != delays.end() && !d->second.empty()) row.time_to_first_use = Stats(d->second);
    report.placements.push_back(row);
  }
  report.total.placement = "total";
  report.total.planted = report.tokens;
  report.total.used = static_cast<int64_t>(report.history.size());
  report.total.share_used =
      report.tokens == 0 ? 0 : static_cast<double>(report.total.used) / static_cast<double>(report.tokens);
  report.total.events = report.events;
  report.total.source_ips = report.source_ips;
  if (!all_delays.empty()) report.total.time_to_first_use = Stats(all_delays);
  report.tokens_used = report.total.used;

  std::sort(report.history.begin(), report.history.end(), [](const TokenHistory& a, const TokenHistory& b) {
    if (a.first_use != b.first_use) return a.first_use < b.first_use;
    return a.token_id < b.token_id;
  });

  report.top_source_ips = TopRows(ips, options.top_n);
  report.top_countries = TopRows(countries, options.top_n);
  report.top_networks = TopRows(networks, options.top_n);
  report.top_tools = TopRows(tools, options.top_n);
  report.top_user_agents = TopRows(agents, options.top_n);
  report.top_api_calls = TopRows(calls, options.top_n);
  report.top_error_codes = TopRows(errors, options.top_n);
  return report;
}

}  // namespace spacecrab
