// RandomSource: where every random byte comes from.
//
// Production code uses OpenSslRandom (the OpenSSL CSPRNG). Tests may inject
// SeededRandom to make ids, keys and nonces reproducible; it is NOT suitable
// for secrets.
//
// Thread-safety: both implementations are safe to call from any thread.
// Failure: OpenSslRandom aborts the process if RAND_bytes fails, because
// continuing without a working CSPRNG would mint guessable secrets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace spacecrab {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` completely with random bytes.
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// The OpenSSL CSPRNG (RAND_bytes). Draws of up to 256 bytes are served from a
// per-thread 4 KiB block of its output (wiped as handed out, discarded on
// fork); larger ones call RAND_bytes directly.
class OpenSslRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override;
};

// Deterministic bytes from a 64-bit seed (splitmix64). For tests only.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(std::span<uint8_t> out) override;

 private:
  std::mutex mu_;
  uint64_t state_;
};

// `n` fresh bytes from `source`.
std::vector<uint8_t> RandomBytes(RandomSource& source, size_t n);

// `n` characters drawn uniformly (rejection sampling, no modulo bias) from
// `alphabet`. REQUIRES: 1 <= alphabet.size() <= 256.
std::string RandomChars(RandomSource& source, size_t n, std::string_view alphabet);

}  // namespace spacecrab
