// IpAddress and IpPrefix: the address arithmetic every enricher shares.
//
// IPv4 addresses are kept as a 32-bit number, IPv6 addresses as two 64-bit
// halves, so lookups compare integers rather than strings. An IPv4-mapped IPv6
// address ("::ffff:192.0.2.1") parses as the IPv4 address it carries: data
// files list IPv4 networks in IPv4 form, and a caller may see either spelling.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spacecrab::enrich {

// A 128-bit unsigned number (an IPv6 address), ordered like the address.
struct Ip128 {
  uint64_t hi = 0;
  uint64_t lo = 0;
  friend constexpr auto operator<=>(const Ip128&, const Ip128&) = default;
};

struct IpAddress {
  bool is_v4 = true;
  uint32_t v4 = 0;  // meaningful when is_v4
  Ip128 v6{};       // meaningful when !is_v4
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1" (-> IPv4). Surrounding
// whitespace and a "[...]" wrapper are tolerated; zone ids ("%eth0"), ports and
// anything else are not. nullopt when `text` is not an address (CloudTrail
// puts service names like "ec2.amazonaws.com" or "AWS Internal" there).
std::optional<IpAddress> ParseIp(std::string_view text);

// Canonical text: dotted quad, or RFC 5952 IPv6 ("2001:db8::1").
std::string FormatIp(const IpAddress& ip);

// A network: the first address and the prefix length (0..32 or 0..128).
// The host bits of `first` are always zero.
struct IpPrefix {
  IpAddress first;
  int length = 0;
  // The last address inside the network.
  IpAddress Last() const;
  bool Contains(const IpAddress& ip) const;
};

// "198.51.100.0/24", "2600:1f18::/33". Host bits must be zero: "10.0.0.1/8"
// is rejected, since in a published range list it means the list is corrupt.
std::optional<IpPrefix> ParsePrefix(std::string_view text);
std::string FormatPrefix(const IpPrefix& prefix);

// Ip128 arithmetic used when building range tables.
Ip128 LastOfPrefix(Ip128 first, int length);
uint32_t LastOfPrefix(uint32_t first, int length);

}  // namespace spacecrab::enrich
