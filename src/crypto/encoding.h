// Base64 (RFC 4648 standard and url-safe alphabets) and hex codecs.
//
// Encoders cannot fail. Decoders return InvalidArgument on malformed input
// (wrong alphabet, bad length, non-zero trailing bits, misplaced padding)
// rather than guessing, because their inputs come from config files, key
// files and HTTP requests. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace spacecrab {

enum class Base64Alphabet {
  kStandard,  // A-Z a-z 0-9 + /
  kUrlSafe,   // A-Z a-z 0-9 - _
};

struct Base64Options {
  Base64Alphabet alphabet = Base64Alphabet::kStandard;
  bool padding = true;  // append '=' to a multiple of 4 characters
};

std::string Base64Encode(std::span<const uint8_t> data, Base64Options options = {});
std::string Base64Encode(std::string_view data, Base64Options options = {});
// Url-safe alphabet without padding (tokens, ids, API keys).
inline std::string Base64UrlEncode(std::span<const uint8_t> data) {
  return Base64Encode(data, {Base64Alphabet::kUrlSafe, false});
}

// Decodes `text` in the given alphabet. Padding is optional, but if present
// it must be correct. Whitespace is not accepted.
Expected<std::vector<uint8_t>> Base64Decode(std::string_view text,
                                            Base64Alphabet alphabet = Base64Alphabet::kStandard);
inline Expected<std::vector<uint8_t>> Base64UrlDecode(std::string_view text) {
  return Base64Decode(text, Base64Alphabet::kUrlSafe);
}
// Same, returning the bytes as a std::string.
Expected<std::string> Base64DecodeToString(std::string_view text,
                                           Base64Alphabet alphabet = Base64Alphabet::kStandard);

// Lower-case hex.
std::string HexEncode(std::span<const uint8_t> data);
std::string HexEncode(std::string_view data);
// Accepts upper or lower case; InvalidArgument on odd length or a non-hex char.
Expected<std::vector<uint8_t>> HexDecode(std::string_view text);

}  // namespace spacecrab
