#include "core/ids.h"

namespace spacecrab {
namespace {
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string MakeId(std::string_view prefix, Timestamp t, std::span<const uint8_t> entropy) {
  std::string out(prefix);
  out.push_back('_');
  const uint64_t ms = uint64_t(ToUnixMillis(t)) & 0xffffffffffffULL;
  for (int i = 9; i >= 0; --i) out.push_back(kCrockford[(ms >> (5 * i)) & 31]);
  // 80 random bits -> 16 characters.
  uint64_t hi = 0, lo = 0;
  for (size_t i = 0; i < 5; ++i) hi = (hi << 8) | entropy[i];
  for (size_t i = 5; i < 10; ++i) lo = (lo << 8) | entropy[i];
  for (int i = 7; i >= 0; --i) out.push_back(kCrockford[(hi >> (5 * i)) & 31]);
  for (int i = 7; i >= 0; --i) out.push_back(kCrockford[(lo >> (5 * i)) & 31]);
  return out;
}

bool IsWellFormedId(std::string_view prefix, std::string_view id) {
  if (id.size() != prefix.size() + 1 + 26) return false;
  if (id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_') return false;
  for (char c : id.substr(prefix.size() + 1)) {
    bool ok = false;
    for (const char* p = kCrockford; *p; ++p) ok |= (*p == c);
    if (!ok) return false;
  }
  return true;
}

}  // namespace spacecrab
