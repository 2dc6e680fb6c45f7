// Timestamps: UTC, millisecond precision, RFC 3339 on the wire.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spacecrab {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// "2026-11-23T17:50:28Z", or "2026-11-23T17:50:28.125Z" when there are milliseconds.
std::string FormatRfc3339(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)"; 't'/'z' and a space for 'T'
// are accepted too. Returns nullopt on anything else.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

inline int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnixMillis(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

// Durations written like "90d", "12h", "30m", "45s", "2w" (one unit). nullopt if malformed.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace spacecrab
