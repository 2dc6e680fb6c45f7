// SecretBox: authenticated encryption of small secrets at rest (AES-256-GCM).
//
// Decoy tokens need their secret access key later (to verify SigV4
// signatures), so the store keeps it sealed, never in plain text. Sealed form:
//   "v1." + base64( 12-byte random nonce | ciphertext | 16-byte tag )
// Associated data (e.g. the token id) binds a sealed value to its row: a
// value copied onto another row fails to open.
//
// Thread-safety: Seal/Open are const and safe to call concurrently.
// Ownership: holds a copy of the 32-byte key, wiped on destruction. The
// RandomSource passed in (if any) must outlive the box.
// Failure: Open returns kDataLoss for anything that does not authenticate
// (tampering, wrong key, wrong associated data, malformed text). Seal cannot
// fail short of a broken OpenSSL, in which case it aborts.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/random.h"

namespace spacecrab {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  using Key = std::array<uint8_t, kKeySize>;

  // `random` supplies nonces; nullptr means the OpenSSL CSPRNG.
  explicit SecretBox(const Key& key, RandomSource* random = nullptr);
  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  ~SecretBox();

  // A box with a fresh random key.
  static SecretBox Generate(RandomSource& random);
  // Key material as written in config/env/key files: 64 hex characters, or
  // base64 (standard or url-safe, padding optional) of exactly 32 bytes.
  // Surrounding whitespace is ignored. InvalidArgument otherwise (the message
  // never echoes the material).
  static Expected<SecretBox> FromKeyMaterial(std::string_view text);

  std::string Seal(std::string_view plaintext, std::string_view associated_data = {}) const;
  Expected<std::string> Open(std::string_view sealed, std::string_view associated_data = {}) const;

  // The key as 64 lower-case hex characters (what FromKeyMaterial accepts),
  // for writing a new key file. Treat the result as a secret.
  std::string KeyMaterialHex() const;

 private:
  Key key_;
  RandomSource* random_;
};

// Reads the key file at `path`, or, if it does not exist, creates it with a
// fresh random key (64 hex characters and a newline) and mode 0600. Creation
// is atomic: a concurrent caller either creates it or reads the one that won.
// Errors (unreadable file, bad contents, cannot create) name the path.
Expected<SecretBox> LoadOrCreateKeyFile(const std::filesystem::path& path);
Expected<SecretBox> LoadOrCreateKeyFile(const std::filesystem::path& path, RandomSource& random);

}  // namespace spacecrab
