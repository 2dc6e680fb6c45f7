#include "core/time.h"

#include <charconv>
#include <cstdio>

namespace spacecrab {
namespace {

bool ReadInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string FormatRfc3339(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[40];
  const auto ms = hms.subseconds().count();
  if (ms == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                  long(hms.minutes().count()), long(hms.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                  long(hms.minutes().count()), long(hms.seconds().count()), long(ms));
  }
  return buf;
}

std::optional<Timestamp> ParseRfc3339(std::string_view s) {
  using namespace std::chrono;
  int Y, M, D, h, m, sec;
  if (s.size() < 20) return std::nullopt;
  if (!ReadInt(s, 0, 4, Y) || s[4] != '-' || !ReadInt(s, 5, 2, M) || s[7] != '-' ||
      !ReadInt(s, 8, 2, D))
    return std::nullopt;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (!ReadInt(s, 11, 2, h) || s[13] != ':' || !ReadInt(s, 14, 2, m) || s[16] != ':' ||
      !ReadInt(s, 17, 2, sec))
    return std::nullopt;
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;
  const year_month_day ymd{year(Y), month(unsigned(M)), day(unsigned(D))};
  if (!ymd.ok()) return std::nullopt;
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!ReadInt(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadInt(s, pos + 4, 2, om))
      return std::nullopt;
    offset_minutes = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  auto t = sys_days{ymd} + hours(h) + minutes(m) + seconds(sec) + milliseconds(millis) -
           minutes(offset_minutes);
  return time_point_cast<milliseconds>(t);
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view s) {
  using namespace std::chrono;
  if (s.size() < 2) return std::nullopt;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
  if (ec != std::errc() || ptr != s.data() + s.size() - 1 || n < 0) return std::nullopt;
  if (n > 100000) return std::nullopt;  // ~273 years in days: anything larger is a typo
  switch (s.back()) {
    case 's': return duration_cast<milliseconds>(seconds(n));
    case 'm': return duration_cast<milliseconds>(minutes(n));
    case 'h': return duration_cast<milliseconds>(hours(n));
    case 'd': return duration_cast<milliseconds>(days(n));
    case 'w': return duration_cast<milliseconds>(weeks(n));
    default: return std::nullopt;
  }
}

}  // namespace spacecrab
