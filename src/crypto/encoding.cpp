#include "crypto/encoding.h"

#include <array>

#include "crypto/hash.h"

namespace spacecrab {
namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> MakeReverse(std::string_view alphabet) {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr auto kStdReverse = MakeReverse(kStd);
constexpr auto kUrlReverse = MakeReverse(kUrl);

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> data, Base64Options options) {
  const std::string_view alphabet = options.alphabet == Base64Alphabet::kUrlSafe ? kUrl : kStd;
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    const uint32_t v = uint32_t{data[i]} << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (options.padding) out.append("==");
  } else if (rest == 2) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (options.padding) out.push_back('=');
  }
  return out;
}

std::string Base64Encode(std::string_view data, Base64Options options) {
  return Base64Encode(AsBytes(data), options);
}

Expected<std::vector<uint8_t>> Base64Decode(std::string_view text, Base64Alphabet alphabet) {
  const auto& reverse = alphabet == Base64Alphabet::kUrlSafe ? kUrlReverse : kStdReverse;
  // Strip padding, then require that it was either absent or exactly right.
  size_t pad = 0;
  while (!text.empty() && text.back() == '=' && pad < 2) {
    text.remove_suffix(1);
    ++pad;
  }
  const size_t rem = text.size() % 4;
  if (rem == 1) return InvalidArgument("base64: impossible length");
  if (pad != 0 && (text.size() + pad) % 4 != 0) {
    return InvalidArgument("base64: wrong padding");
  }
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int8_t v = reverse[static_cast<uint8_t>(c)];
    if (v < 0) return InvalidArgument("base64: invalid character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1U << bits) - 1;
    }
  }
  // Leftover bits must be zero, so each byte string has one canonical encoding.
  if (acc != 0) return InvalidArgument("base64: non-zero trailing bits");
  return out;
}

Expected<std::string> Base64DecodeToString(std::string_view text, Base64Alphabet alphabet) {
  SC_ASSIGN_OR_RETURN(auto bytes, Base64Decode(text, alphabet));
  return std::string(bytes.begin(), bytes.end());
}

std::string HexEncode(std::span<const uint8_t> data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string HexEncode(std::string_view data) { return HexEncode(AsBytes(data)); }

Expected<std::vector<uint8_t>> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return InvalidArgument("hex: odd length");
  std::vector<uint8_t> out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("hex: invalid character");
    out.push_back(static_cast<uint8_t>((hi << 4) | lo));
  }
  return out;
}

}  // namespace spacecrab
