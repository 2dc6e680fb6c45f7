// Resource ids: "<prefix>_" + 26 characters, ULID-style (48-bit millisecond time
// then 80 random bits, Crockford base32), so ids sort by creation time and make
// stable cursors for paging.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/time.h"

namespace spacecrab {

inline constexpr size_t kIdEntropyBytes = 10;

// REQUIRES: entropy.size() >= kIdEntropyBytes.
std::string MakeId(std::string_view prefix, Timestamp t, std::span<const uint8_t> entropy);

// True if `id` is prefix + "_" + 26 Crockford base32 characters.
bool IsWellFormedId(std::string_view prefix, std::string_view id);

}  // namespace spacecrab
