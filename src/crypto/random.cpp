#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace spacecrab {
namespace {

void RandBytes(std::span<uint8_t> out) {
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

// Small draws (a name's word choices, a key id's bits) come from a per-thread
// block of RAND_bytes output: one RAND_bytes call per 4 KiB instead of one per
// draw (each call takes OpenSSL's DRBG locks and asks the kernel for the pid
// to detect a fork). Bytes are wiped from the block as they are handed out,
// and a fork discards every block, so no two draws ever share bytes.
constexpr size_t kBlockBytes = 4096;
constexpr size_t kBufferedMax = 256;

std::atomic<uint64_t> g_fork_generation{0};

struct Block {
  std::array<uint8_t, kBlockBytes> bytes{};
  size_t used = kBlockBytes;  // bytes[used..] not yet handed out
  uint64_t generation = 0;

  Block() {
    static const int registered = pthread_atfork(nullptr, nullptr, [] { ++g_fork_generation; });
    (void)registered;
  }
  ~Block() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

  void Take(std::span<uint8_t> out) {
    const uint64_t gen = g_fork_generation.load(std::memory_order_relaxed);
    if (gen != generation || kBlockBytes - used < out.size()) {
      RandBytes(bytes);
      used = 0;
      generation = gen;
    }
    std::memcpy(out.data(), bytes.data() + used, out.size());
    OPENSSL_cleanse(bytes.data() + used, out.size());
    used += out.size();
  }
};

}  // namespace

void OpenSslRandom::Fill(std::span<uint8_t> out) {
  if (out.empty()) return;  // (an empty span's data() may be null: no memcpy)
  if (out.size() > kBufferedMax) return RandBytes(out);
  thread_local Block block;
  block.Take(out);
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
