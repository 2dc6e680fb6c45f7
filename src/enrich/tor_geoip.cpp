#include "enrich/tor_geoip.h"

#include <charconv>
#include <vector>

namespace spacecrab::enrich {
namespace {

Status LineError(std::string_view file_name, int line, std::string_view what) {
  return DataLoss("tor geoip file " + std::string(file_name) + ":" + std::to_string(line) + ": " +
                  std::string(what));
}

// "US" -> {'U','S'}; "??" -> unknown; anything else is malformed.
bool ParseCountry(std::string_view cc, CountryCode& out) {
  if (cc == "??") {
    out = {0, 0};
    return true;
  }
  if (cc.size() != 2) return false;
  for (char c : cc) {
    if (c < 'A' || c > 'Z') return false;
  }
  out = {cc[0], cc[1]};
  return true;
}

// Splits "a,b,c" into exactly three fields.
bool SplitThree(std::string_view line, std::string_view& a, std::string_view& b, std::string_view& c) {
  const size_t c1 = line.find(',');
  if (c1 == std::string_view::npos) return false;
  const size_t c2 = line.find(',', c1 + 1);
  if (c2 == std::string_view::npos || line.find(',', c2 + 1) != std::string_view::npos) return false;
  a = TrimSpace(line.substr(0, c1));
  b = TrimSpace(line.substr(c1 + 1, c2 - c1 - 1));
  c = TrimSpace(line.substr(c2 + 1));
  return true;
}

bool ParseU32(std::string_view s, uint32_t& out) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v > 0xffffffffull) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

bool ParseV6(std::string_view s, Ip128& out) {
  if (s.find(':') == std::string_view::npos) return false;
  auto ip = ParseIp(s);
  if (!ip) return false;
  if (ip->is_v4) {  // "::ffff:a.b.c.d" in a v6 file: store it where it would sort
    out = {0, 0xffff00000000ull | ip->v4};
  } else {
    out = ip->v6;
  }
  return true;
}

// Shared line loop: `parse_bounds` turns the first two fields into keys.
template <typename Key, typename ParseBounds>
Expected<RangeTable<Key, CountryCode>> ParseRanges(std::string_view text, std::string_view file_name,
                                                   std::string_view family, ParseBounds parse_bounds) {
  using Range = typename RangeTable<Key, CountryCode>::Range;
  std::vector<Range> ranges;
  std::vector<int> lines;  // source line of each range, for overlap errors
  LineCursor cursor(text);
  std::string_view line;
  bool sorted = true;
  while (cursor.Next(line)) {
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#') continue;
    std::string_view a, b, cc;
    if (!SplitThree(line, a, b, cc)) {
      return LineError(file_name, cursor.line_number(),
                       "expected LOW,HIGH,COUNTRY (" + std::string(family) + "), got " + QuoteForError(line));
    }
    Range r;
    if (!parse_bounds(a, r.first) || !parse_bounds(b, r.last)) {
      return LineError(file_name, cursor.line_number(),
                       "expected " + std::string(family) + " bounds, got " + QuoteForError(line));
    }
    if (r.last < r.first) {
      return LineError(file_name, cursor.line_number(), "range ends before it starts: " + QuoteForError(line));
    }
    if (!ParseCountry(cc, r.value)) {
      return LineError(file_name, cursor.line_number(),
                       "expected a two-letter country code or ??, got " + QuoteForError(cc));
    }
    if (!ranges.empty() && r.first < ranges.back().first) sorted = false;
    ranges.push_back(r);
    lines.push_back(cursor.line_number());
  }
  if (ranges.empty()) return DataLoss("tor geoip file " + std::string(file_name) + ": no ranges in file");
  if (!sorted) {
    std::vector<size_t> order(ranges.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return ranges[x].first < ranges[y].first; });
    std::vector<Range> sorted_ranges;
    std::vector<int> sorted_lines;
    sorted_ranges.reserve(ranges.size());
    sorted_lines.reserve(ranges.size());
    for (size_t i : order) {
      sorted_ranges.push_back(ranges[i]);
      sorted_lines.push_back(lines[i]);
    }
    ranges.swap(sorted_ranges);
    lines.swap(sorted_lines);
  }
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first <= ranges[i - 1].last) {
      return LineError(file_name, lines[i], "range overlaps the one on line " + std::to_string(lines[i - 1]));
    }
  }
  return RangeTable<Key, CountryCode>(ranges);
}

std::string CountryText(const CountryCode* cc) {
  if (cc == nullptr || (*cc)[0] == 0) return {};
  return std::string(cc->data(), 2);
}

}  // namespace

Expected<GeoIpV4Table> ParseTorGeoIpV4(std::string_view text, std::string_view file_name) {
  return ParseRanges<uint32_t>(text, file_name, "IPv4 integers", ParseU32);
}

Expected<GeoIpV6Table> ParseTorGeoIpV6(std::string_view text, std::string_view file_name) {
  return ParseRanges<Ip128>(text, file_name, "IPv6 addresses", ParseV6);
}

namespace {
std::vector<std::string> NonEmpty(const TorGeoIpOptions& o) {
  std::vector<std::string> paths;
  if (!o.v4_path.empty()) paths.push_back(o.v4_path);
  if (!o.v6_path.empty()) paths.push_back(o.v6_path);
  return paths;
}
}  // namespace

TorGeoIp::TorGeoIp(TorGeoIpOptions options) : options_(std::move(options)), files_(NonEmpty(options_)) {}

Expected<std::unique_ptr<TorGeoIp>> TorGeoIp::Open(TorGeoIpOptions options) {
  auto geo = std::make_unique<TorGeoIp>(std::move(options));
  SC_RETURN_IF_ERROR(geo->Reload());
  return geo;
}

Expected<std::shared_ptr<const TorGeoIp::Tables>> TorGeoIp::Load() const {
  auto tables = std::make_shared<Tables>();
  if (!options_.v4_path.empty()) {
    SC_ASSIGN_OR_RETURN(std::string text, ReadDataFile(options_.v4_path, "tor geoip file"));
    SC_ASSIGN_OR_RETURN(tables->v4, ParseTorGeoIpV4(text, options_.v4_path));
  }
  if (!options_.v6_path.empty()) {
    SC_ASSIGN_OR_RETURN(std::string text, ReadDataFile(options_.v6_path, "tor geoip file"));
    SC_ASSIGN_OR_RETURN(tables->v6, ParseTorGeoIpV6(text, options_.v6_path));
  }
  return std::shared_ptr<const Tables>(std::move(tables));
}

Status TorGeoIp::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  files_.MarkAttempt();
  SC_ASSIGN_OR_RETURN(auto tables, Load());
  tables_.Set(std::move(tables));
  return Status::Ok();
}

std::string TorGeoIp::Country(const IpAddress& ip) const {
  auto t = tables_.Get();
  if (!t) return {};
  return ip.is_v4 ? CountryText(t->v4.Find(ip.v4)) : CountryText(t->v6.Find(ip.v6));
}

size_t TorGeoIp::v4_ranges() const {
  auto t = tables_.Get();
  return t ? t->v4.size() : 0;
}

size_t TorGeoIp::v6_ranges() const {
  auto t = tables_.Get();
  return t ? t->v6.size() : 0;
}

}  // namespace spacecrab::enrich
