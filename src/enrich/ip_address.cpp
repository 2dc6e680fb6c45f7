#include "enrich/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace spacecrab::enrich {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

uint64_t LoadBe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void StoreBe64(uint64_t v, unsigned char* p) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace

std::optional<IpAddress> ParseIp(std::string_view text) {
  text = Trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  // The longest IPv6 text form is 45 characters; anything longer is not an address.
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';

  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    in_addr a4{};
    if (inet_pton(AF_INET, buf, &a4) != 1) return std::nullopt;
    ip.is_v4 = true;
    ip.v4 = ntohl(a4.s_addr);
    return ip;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::nullopt;
  const uint64_t hi = LoadBe64(a6.s6_addr);
  const uint64_t lo = LoadBe64(a6.s6_addr + 8);
  if (hi == 0 && (lo >> 32) == 0xffffu) {  // ::ffff:a.b.c.d
    ip.is_v4 = true;
    ip.v4 = static_cast<uint32_t>(lo & 0xffffffffu);
    return ip;
  }
  ip.is_v4 = false;
  ip.v6 = {hi, lo};
  return ip;
}

std::string FormatIp(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN];
  if (ip.is_v4) {
    in_addr a4{};
    a4.s_addr = htonl(ip.v4);
    inet_ntop(AF_INET, &a4, buf, sizeof buf);
  } else {
    in6_addr a6{};
    StoreBe64(ip.v6.hi, a6.s6_addr);
    StoreBe64(ip.v6.lo, a6.s6_addr + 8);
    inet_ntop(AF_INET6, &a6, buf, sizeof buf);
  }
  return buf;
}

uint32_t LastOfPrefix(uint32_t first, int length) {
  if (length <= 0) return 0xffffffffu;
  if (length >= 32) return first;
  return first | (0xffffffffu >> length);
}

Ip128 LastOfPrefix(Ip128 first, int length) {
  if (length <= 0) return {~0ull, ~0ull};
  if (length >= 128) return first;
  if (length <= 64) {
    const uint64_t hi_mask = length == 64 ? 0 : (~0ull >> length);
    return {first.hi | hi_mask, ~0ull};
  }
  return {first.hi, first.lo | (~0ull >> (length - 64))};
}

IpAddress IpPrefix::Last() const {
  IpAddress last = first;
  if (first.is_v4) {
    last.v4 = LastOfPrefix(first.v4, length);
  } else {
    last.v6 = LastOfPrefix(first.v6, length);
  }
  return last;
}

bool IpPrefix::Contains(const IpAddress& ip) const {
  if (ip.is_v4 != first.is_v4) return false;
  const IpAddress last = Last();
  if (ip.is_v4) return ip.v4 >= first.v4 && ip.v4 <= last.v4;
  return ip.v6 >= first.v6 && ip.v6 <= last.v6;
}

std::optional<IpPrefix> ParsePrefix(std::string_view text) {
  text = Trim(text);
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = ParseIp(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const std::string_view len_text = text.substr(slash + 1);
  int length = -1;
  auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
  if (ec != std::errc() || ptr != len_text.data() + len_text.size() || length < 0) return std::nullopt;
  // An IPv4-mapped prefix ("::ffff:0:0/104") is stored as its IPv4 network.
  const bool mapped_v4 = ip->is_v4 && text.substr(0, slash).find(':') != std::string_view::npos;
  if (mapped_v4) {
    if (length < 96) return std::nullopt;
    length -= 96;
  }
  if (length > (ip->is_v4 ? 32 : 128)) return std::nullopt;
  IpPrefix prefix{*ip, length};
  // Host bits must be zero: the network's first address is the one written.
  if (ip->is_v4) {
    const uint32_t host_mask = LastOfPrefix(uint32_t{0}, length);
    if ((ip->v4 & host_mask) != 0) return std::nullopt;
  } else {
    const Ip128 host_mask = LastOfPrefix(Ip128{0, 0}, length);
    if ((ip->v6.hi & host_mask.hi) != 0 || (ip->v6.lo & host_mask.lo) != 0) return std::nullopt;
  }
  return prefix;
}

std::string FormatPrefix(const IpPrefix& prefix) {
  return FormatIp(prefix.first) + "/" + std::to_string(prefix.length);
}

}  // namespace spacecrab::enrich
