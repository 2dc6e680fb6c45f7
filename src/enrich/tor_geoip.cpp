#include "enrich/tor_geoip.h"

#include <algorithm>
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

// The common spelling in geoip6, hex groups with at most one "::"
// ("2001:4860::", "2a00:1450:4807:ff:ffff:ffff:ffff:ffff"), without inet_pton
// (most of the load time when it parsed every line). False for anything else,
// valid or not: ParseIp then decides.
bool ParseHexV6(std::string_view s, Ip128& out) {
  uint16_t groups[8];
  size_t n = 0, i = 0;
  int gap = -1;  // groups before "::"
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
  }
  while (i < s.size()) {
    uint32_t v = 0;
    size_t digits = 0;
    for (; i < s.size() && digits < 5; ++i, ++digits) {
      const char c = s[i];
      uint32_t d;
      if (c >= '0' && c <= '9') d = uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') d = uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = uint32_t(c - 'A' + 10);
      else break;
      v = v << 4 | d;
    }
    if (digits == 0 || digits > 4 || n == 8) return false;
    groups[n++] = static_cast<uint16_t>(v);
    if (i == s.size()) break;
    if (s[i] != ':' || ++i == s.size()) return false;  // '.', '%', ... or a trailing single ':'
    if (s[i] == ':') {
      if (gap >= 0) return false;
      gap = static_cast<int>(n);
      ++i;
    }
  }
  if (gap < 0 ? n != 8 : n > 7) return false;
  uint16_t full[8] = {};
  const size_t head = gap < 0 ? n : static_cast<size_t>(gap);
  for (size_t k = 0; k < head; ++k) full[k] = groups[k];
  for (size_t k = head; k < n; ++k) full[8 - (n - k)] = groups[k];
  out = {0, 0};
  for (size_t k = 0; k < 4; ++k) out.hi = out.hi << 16 | full[k];
  for (size_t k = 4; k < 8; ++k) out.lo = out.lo << 16 | full[k];
  return true;
}

bool ParseV6(std::string_view s, Ip128& out) {
  if (s.find(':') == std::string_view::npos) return false;
  if (ParseHexV6(s, out)) return true;
  auto ip = ParseIp(s);
  if (!ip) return false;
  if (ip->is_v4) {  // "::ffff:a.b.c.d" in a v6 file: store it where it would sort
    out = {0, 0xffff00000000ull | ip->v4};
  } else {
    out = ip->v6;
  }
  return true;
}

// Lines written exactly as the files write them, "LOW,HIGH,CC" with no
// spaces, read without splitting and trimming (most of the load time when
// every line went the general way). False for anything else, which the
// general parse then reads (to the same values) or rejects.
bool FastV4Line(std::string_view line, uint32_t& first, uint32_t& last, CountryCode& cc) {
  size_t i = 0;
  auto number = [&](uint32_t& out) {
    const size_t start = i;
    uint64_t v = 0;
    while (i < line.size() && i - start <= 10 && line[i] >= '0' && line[i] <= '9') v = v * 10 + uint64_t(line[i++] - '0');
    if (i == start || i - start > 10 || v > 0xffffffffull) return false;
    out = static_cast<uint32_t>(v);
    return true;
  };
  if (!number(first) || i >= line.size() || line[i++] != ',') return false;
  if (!number(last) || i >= line.size() || line[i++] != ',') return false;
  return line.size() - i == 2 && ParseCountry(line.substr(i), cc);
}

bool FastV6Line(std::string_view line, Ip128& first, Ip128& last, CountryCode& cc) {
  const size_t c1 = line.find(',');
  if (c1 == std::string_view::npos) return false;
  const size_t c2 = line.find(',', c1 + 1);
  if (c2 == std::string_view::npos || line.size() - c2 != 3) return false;
  return ParseHexV6(line.substr(0, c1), first) && ParseHexV6(line.substr(c1 + 1, c2 - c1 - 1), last) &&
         ParseCountry(line.substr(c2 + 1), cc);
}

// The source line of the `index`-th range in `text` (0-based), for errors.
int LineOfRange(std::string_view text, size_t index) {
  LineCursor cursor(text);
  std::string_view line;
  size_t seen = 0;
  while (cursor.Next(line)) {
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#') continue;
    if (seen++ == index) return cursor.line_number();
  }
  return cursor.line_number();
}

// Shared line loop over `lines` (LineCursor or DataFileLines): `fast_line`
// reads a line written exactly as the files write it, else `parse_bounds`
// turns the first two (trimmed) fields into keys. The table's columns
// are filled directly: a copy of a whole table costs as much as parsing it
// (it is mostly page faults). `line_of(i)` gives the line of the i-th range,
// needed only to name overlapping ranges in a file that is not sorted.
template <typename Key, typename Lines, typename FastLine, typename ParseBounds, typename LineOf>
Expected<RangeTable<Key, CountryCode>> ParseRanges(Lines& lines, size_t size_hint, std::string_view file_name,
                                                   std::string_view family, FastLine fast_line,
                                                   ParseBounds parse_bounds, LineOf line_of) {
  // Room for as many ranges as the shortest lines ("0,0,??") would give:
  // growing would copy and fault in fresh pages again and again, while
  // reserved room that is never written costs nothing.
  const size_t max_ranges = size_hint / 7 + 1;
  std::vector<Key> firsts, lasts;
  std::vector<CountryCode> values;
  firsts.reserve(max_ranges);
  lasts.reserve(max_ranges);
  values.reserve(max_ranges);
  std::string_view line;
  bool sorted = true;
  int overlap_line = 0, overlap_with = 0;  // the first overlap, while sorted
  int last_line = 0;
  while (lines.Next(line)) {
    Key first{}, last{};
    CountryCode value{};
    if (fast_line(line, first, last, value)) {
      if (last < first) {
        return LineError(file_name, lines.line_number(), "range ends before it starts: " + QuoteForError(line));
      }
    } else {  // anything else the general way, which also names what is wrong
      line = TrimSpace(line);
      if (line.empty() || line.front() == '#') continue;
      std::string_view a, b, cc;
      if (!SplitThree(line, a, b, cc)) {
        return LineError(file_name, lines.line_number(),
                         "expected LOW,HIGH,COUNTRY (" + std::string(family) + "), got " + QuoteForError(line));
      }
      if (!parse_bounds(a, first) || !parse_bounds(b, last)) {
        return LineError(file_name, lines.line_number(),
                         "expected " + std::string(family) + " bounds, got " + QuoteForError(line));
      }
      if (last < first) {
        return LineError(file_name, lines.line_number(), "range ends before it starts: " + QuoteForError(line));
      }
      if (!ParseCountry(cc, value)) {
        return LineError(file_name, lines.line_number(),
                         "expected a two-letter country code or ??, got " + QuoteForError(cc));
      }
    }
    if (!firsts.empty()) {
      if (first < firsts.back()) sorted = false;
      else if (first <= lasts.back() && overlap_line == 0) overlap_line = lines.line_number(), overlap_with = last_line;
    }
    firsts.push_back(first);
    lasts.push_back(last);
    values.push_back(value);
    last_line = lines.line_number();
  }
  if (firsts.empty()) return DataLoss("tor geoip file " + std::string(file_name) + ": no ranges in file");
  if (sorted) {
    if (overlap_line != 0)
      return LineError(file_name, overlap_line, "range overlaps the one on line " + std::to_string(overlap_with));
    return RangeTable<Key, CountryCode>::FromColumns(std::move(firsts), std::move(lasts), std::move(values));
  }
  std::vector<size_t> order(firsts.size());  // file position of each range in sorted order
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return firsts[x] < firsts[y]; });
  std::vector<Key> sorted_firsts, sorted_lasts;
  std::vector<CountryCode> sorted_values;
  sorted_firsts.reserve(order.size());
  sorted_lasts.reserve(order.size());
  sorted_values.reserve(order.size());
  for (size_t i : order) {
    sorted_firsts.push_back(firsts[i]);
    sorted_lasts.push_back(lasts[i]);
    sorted_values.push_back(values[i]);
  }
  for (size_t i = 1; i < order.size(); ++i) {
    if (sorted_firsts[i] <= sorted_lasts[i - 1]) {
      return LineError(file_name, line_of(order[i]),
                       "range overlaps the one on line " + std::to_string(line_of(order[i - 1])));
    }
  }
  return RangeTable<Key, CountryCode>::FromColumns(std::move(sorted_firsts), std::move(sorted_lasts),
                                                  std::move(sorted_values));
}

template <typename Key, typename FastLine, typename ParseBounds>
Expected<RangeTable<Key, CountryCode>> ParseText(std::string_view text, std::string_view file_name,
                                                 std::string_view family, FastLine fast_line,
                                                 ParseBounds parse_bounds) {
  LineCursor cursor(text);
  return ParseRanges<Key>(cursor, text.size(), file_name, family, fast_line, parse_bounds,
                          [&](size_t i) { return LineOfRange(text, i); });
}

// The same from a file, read through a small buffer.
template <typename Key, typename FastLine, typename ParseBounds>
Expected<RangeTable<Key, CountryCode>> ParseFile(const std::string& path, std::string_view family,
                                                 FastLine fast_line, ParseBounds parse_bounds) {
  SC_ASSIGN_OR_RETURN(auto lines, DataFileLines::Open(path, "tor geoip file"));
  auto line_of = [&](size_t i) {  // only for an unsorted file with overlaps: read it again
    auto text = ReadDataFile(path, "tor geoip file");
    return text.ok() ? LineOfRange(*text, i) : 0;
  };
  auto table = ParseRanges<Key>(*lines, lines->size(), path, family, fast_line, parse_bounds, line_of);
  if (!lines->status().ok()) return lines->status();
  return table;
}

std::string CountryText(const CountryCode* cc) {
  if (cc == nullptr || (*cc)[0] == 0) return {};
  return std::string(cc->data(), 2);
}

}  // namespace

Expected<GeoIpV4Table> ParseTorGeoIpV4(std::string_view text, std::string_view file_name) {
  return ParseText<uint32_t>(text, file_name, "IPv4 integers", FastV4Line, ParseU32);
}

Expected<GeoIpV6Table> ParseTorGeoIpV6(std::string_view text, std::string_view file_name) {
  return ParseText<Ip128>(text, file_name, "IPv6 addresses", FastV6Line, ParseV6);
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
    SC_ASSIGN_OR_RETURN(tables->v4, ParseFile<uint32_t>(options_.v4_path, "IPv4 integers", FastV4Line, ParseU32));
  }
  if (!options_.v6_path.empty()) {
    SC_ASSIGN_OR_RETURN(tables->v6, ParseFile<Ip128>(options_.v6_path, "IPv6 addresses", FastV6Line, ParseV6));
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
