#include "core/access_key.h"

#include <array>
#include <cstdio>

namespace spacecrab {
namespace {

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint64_t kAccountMask = 0x7fffffffff80ULL;

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// Encodes exactly 10 bytes as 16 base32 characters (no padding needed).
std::string Base32Encode10(const std::array<uint8_t, 10>& in) {
  std::string out;
  out.reserve(16);
  uint64_t buffer = 0;
  int bits = 0;
  for (uint8_t b : in) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  return out;
}

}  // namespace

bool IsValidAccountId(std::string_view a) {
  if (a.size() != 12) return false;
  for (char c : a)
    if (c < '0' || c > '9') return false;
  return true;
}

bool LooksLikeAccessKeyId(std::string_view id) {
  if (id.size() != 20) return false;
  if (id.substr(0, 4) != "AKIA" && id.substr(0, 4) != "ASIA") return false;
  for (char c : id.substr(4))
    if (Base32Value(c) < 0) return false;
  return true;
}

Expected<std::string> MakeAccessKeyId(std::string_view account_id,
                                      std::span<const uint8_t> entropy) {
  if (!IsValidAccountId(account_id))
    return InvalidArgument("account id must be 12 digits, got '" + std::string(account_id) + "'");
  if (entropy.size() < kAccessKeyIdEntropyBytes) return InvalidArgument("not enough entropy");
  uint64_t account = 0;
  for (char c : account_id) account = account * 10 + uint64_t(c - '0');
  // Bits 7..46 hold the account; bit 47 and bits 0..6 are random, as in real ids.
  uint64_t random48 = 0;
  for (int i = 0; i < 6; ++i) random48 = (random48 << 8) | entropy[size_t(i)];
  const uint64_t v48 = (random48 & ~kAccountMask & 0xffffffffffffULL) | (account << 7);
  std::array<uint8_t, 10> raw{};
  for (int i = 0; i < 6; ++i) raw[size_t(i)] = uint8_t(v48 >> (8 * (5 - i)));
  for (int i = 6; i < 10; ++i) raw[size_t(i)] = entropy[size_t(i)];
  return "AKIA" + Base32Encode10(raw);
}

std::optional<std::string> AccountIdFromAccessKeyId(std::string_view id) {
  if (!LooksLikeAccessKeyId(id)) return std::nullopt;
  // 6 bytes = 48 bits = the first 9.6 characters; decode 10 characters (50 bits).
  uint64_t bits50 = 0;
  for (size_t i = 4; i < 14; ++i) bits50 = (bits50 << 5) | uint64_t(Base32Value(id[i]));
  const uint64_t v48 = bits50 >> 2;
  const uint64_t account = (v48 & kAccountMask) >> 7;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%012llu", static_cast<unsigned long long>(account));
  return std::string(buf);
}

std::string MakeSecretAccessKey(std::span<const uint8_t> e) {
  // 30 bytes -> 40 base64 characters, no padding.
  std::string out;
  out.reserve(40);
  for (size_t i = 0; i + 2 < kSecretEntropyBytes; i += 3) {
    const uint32_t v = (uint32_t(e[i]) << 16) | (uint32_t(e[i + 1]) << 8) | e[i + 2];
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(kBase64[(v >> 6) & 63]);
    out.push_back(kBase64[v & 63]);
  }
  return out;
}

}  // namespace spacecrab
