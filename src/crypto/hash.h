// SHA-256, HMAC-SHA256 and constant-time comparison (OpenSSL).
//
// Used for API key hashes (the store keeps only SHA-256 of a key), SigV4
// signature checks on the decoy endpoint, and comparing secrets without a
// timing side channel. Pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace spacecrab {

using Sha256Digest = std::array<uint8_t, 32>;

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Sha256Digest Sha256(std::span<const uint8_t> data);
inline Sha256Digest Sha256(std::string_view data) { return Sha256(AsBytes(data)); }
// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

Sha256Digest HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data);
inline Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  return HmacSha256(AsBytes(key), AsBytes(data));
}
inline Sha256Digest HmacSha256(std::span<const uint8_t> key, std::string_view data) {
  return HmacSha256(key, AsBytes(data));
}
inline Sha256Digest HmacSha256(std::string_view key, std::span<const uint8_t> data) {
  return HmacSha256(AsBytes(key), data);
}
// Lower-case hex of HMAC-SHA256(key, data).
std::string HmacSha256Hex(std::span<const uint8_t> key, std::string_view data);
inline std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  return HmacSha256Hex(AsBytes(key), data);
}

// True when a and b are equal. Time depends only on the lengths, never on
// where the contents differ (different lengths return false at once).
bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);
inline bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return ConstantTimeEquals(AsBytes(a), AsBytes(b));
}

}  // namespace spacecrab
