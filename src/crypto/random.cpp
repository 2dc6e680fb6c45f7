#include "crypto/random.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace spacecrab {

void OpenSslRandom::Fill(std::span<uint8_t> out) {
  // RAND_bytes takes an int length; fill in chunks so huge spans work too.
  while (!out.empty()) {
    const size_t chunk = out.size() > static_cast<size_t>(INT_MAX) ? INT_MAX : out.size();
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      std::fprintf(stderr, "fatal: OpenSSL RAND_bytes failed (error %lu)\n", ERR_get_error());
      std::abort();
    }
    out = out.subspan(chunk);
  }
}

void SeededRandom::Fill(std::span<uint8_t> out) {
  std::lock_guard lock(mu_);
  size_t i = 0;
  while (i < out.size()) {
    // splitmix64: good statistical quality, trivially reproducible.
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<uint8_t>(z >> (8 * b));
    }
  }
}

std::vector<uint8_t> RandomBytes(RandomSource& source, size_t n) {
  std::vector<uint8_t> out(n);
  source.Fill(out);
  return out;
}

std::string RandomChars(RandomSource& source, size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  const size_t size = alphabet.size();
  // Largest multiple of `size` that fits in a byte: bytes at or above it are
  // rejected so every character is equally likely.
  const unsigned limit = 256U - (256U % static_cast<unsigned>(size));
  uint8_t buf[64];
  while (out.size() < n) {
    source.Fill(buf);
    for (uint8_t b : buf) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % size]);
      if (out.size() == n) break;
    }
  }
  return out;
}

}  // namespace spacecrab
