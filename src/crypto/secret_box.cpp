#include "crypto/secret_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "crypto/encoding.h"

namespace spacecrab {
namespace {

constexpr std::string_view kPrefix = "v1.";

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

[[noreturn]] void DieOpenSsl(const char* what) {
  std::fprintf(stderr, "fatal: OpenSSL %s failed\n", what);
  std::abort();
}

RandomSource& DefaultRandom() {
  static OpenSslRandom random;
  return random;
}

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

SecretBox::SecretBox(const Key& key, RandomSource* random) : key_(key), random_(random) {}

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

SecretBox SecretBox::Generate(RandomSource& random) {
  Key key{};
  random.Fill(key);
  SecretBox box(key);
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

Expected<SecretBox> SecretBox::FromKeyMaterial(std::string_view text) {
  text = Trim(text);
  std::vector<uint8_t> bytes;
  if (text.size() == 2 * kKeySize) {
    auto hex = HexDecode(text);
    if (hex.ok()) bytes = std::move(hex).value();
  }
  if (bytes.empty()) {
    for (auto alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
      auto b64 = Base64Decode(text, alphabet);
      if (b64.ok() && b64->size() == kKeySize) {
        bytes = std::move(b64).value();
        break;
      }
      if (b64.ok()) OPENSSL_cleanse(b64->data(), b64->size());
    }
  }
  if (bytes.size() != kKeySize) {
    return InvalidArgument("encryption key must be 64 hex characters or base64 of 32 bytes");
  }
  Key key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  SecretBox box(key);
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view associated_data) const {
  if (plaintext.size() > static_cast<size_t>(INT_MAX) - 64 ||
      associated_data.size() > static_cast<size_t>(INT_MAX)) {
    DieOpenSsl("Seal: input too large");  // callers seal keys, never gigabytes
  }
  std::vector<uint8_t> out(kNonceSize + plaintext.size() + kTagSize);
  RandomSource& random = random_ != nullptr ? *random_ : DefaultRandom();
  random.Fill(std::span<uint8_t>(out.data(), kNonceSize));

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) DieOpenSsl("EVP_CIPHER_CTX_new");
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), out.data()) != 1) {
    DieOpenSsl("AES-256-GCM init");
  }
  if (!associated_data.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) != 1) {
    DieOpenSsl("AES-256-GCM aad");
  }
  uint8_t* ct = out.data() + kNonceSize;
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), ct, &len, reinterpret_cast<const uint8_t*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1) {
      DieOpenSsl("AES-256-GCM encrypt");
    }
    written = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), ct + written, &len) != 1) DieOpenSsl("AES-256-GCM final");
  written += len;
  if (static_cast<size_t>(written) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          out.data() + kNonceSize + plaintext.size()) != 1) {
    DieOpenSsl("AES-256-GCM tag");
  }
  return std::string(kPrefix) + Base64Encode(out);
}

Expected<std::string> SecretBox::Open(std::string_view sealed,
                                      std::string_view associated_data) const {
  if (sealed.substr(0, kPrefix.size()) != kPrefix) {
    return DataLoss("sealed value has an unknown format");
  }
  auto decoded = Base64Decode(sealed.substr(kPrefix.size()));
  if (!decoded.ok()) return DataLoss("sealed value is not valid base64");
  const std::vector<uint8_t>& raw = *decoded;
  if (raw.size() < kNonceSize + kTagSize || raw.size() > static_cast<size_t>(INT_MAX) ||
      associated_data.size() > static_cast<size_t>(INT_MAX)) {
    return DataLoss("sealed value has an impossible length");
  }
  const size_t ct_size = raw.size() - kNonceSize - kTagSize;
  const uint8_t* nonce = raw.data();
  const uint8_t* ct = raw.data() + kNonceSize;
  // EVP_CIPHER_CTX_ctrl takes a non-const tag pointer.
  std::array<uint8_t, kTagSize> tag{};
  std::copy(ct + ct_size, ct + ct_size + kTagSize, tag.begin());

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) DieOpenSsl("EVP_CIPHER_CTX_new");
  std::string plain(ct_size, '\0');
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), nonce) != 1) {
    DieOpenSsl("AES-256-GCM init");
  }
  if (!associated_data.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) != 1) {
    return DataLoss("sealed value failed to authenticate");
  }
  int written = 0;
  if (ct_size > 0) {
    if (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()), &len, ct,
                          static_cast<int>(ct_size)) != 1) {
      return DataLoss("sealed value failed to authenticate");
    }
    written = len;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1) {
    DieOpenSsl("AES-256-GCM set tag");
  }
  // Final verifies the tag; on failure the decrypted bytes must not escape.
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()) + written, &len) !=
      1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return DataLoss("sealed value failed to authenticate (tampered or wrong key)");
  }
  return plain;
}

std::string SecretBox::KeyMaterialHex() const { return HexEncode(key_); }

}  // namespace spacecrab
