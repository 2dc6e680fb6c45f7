// Test fixture pieces for the service tests: an in-memory store, a decoy
// provider over a fresh SecretBox, a manual clock, and a provider wrapper that
// injects failures.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "core/clock.h"
#include "crypto/random.h"
#include "crypto/secret_box.h"
#include "provider/decoy_provider.h"
#include "store/store_factory.h"

namespace spacecrab::testing {

// Forwards to another provider; fails Revoke/Delete while told to.
class FlakyProvider final : public Provider {
 public:
  explicit FlakyProvider(Provider& inner) : inner_(inner) {}
  TokenKind kind() const override { return inner_.kind(); }
  Expected<MintedKey> Mint(const std::string& hint) override {
    if (repeat_last_mint > 0 && last_mint_) {
      --repeat_last_mint;
      return *last_mint_;
    }
    auto key = inner_.Mint(hint);
    if (key.ok()) last_mint_ = *key;
    return key;
  }
  Status Revoke(const HoneyToken& t) override {
    ++revokes;
    return fail ? Unavailable("injected") : inner_.Revoke(t);
  }
  Status Delete(const HoneyToken& t) override {
    ++deletes;
    return fail ? Unavailable("injected") : inner_.Delete(t);
  }
  Expected<MintedKey> Rotate(const HoneyToken& t) override { return inner_.Rotate(t); }

  bool fail = false;
  int repeat_last_mint = 0;  // the next N mints return the previous key again
  int revokes = 0;
  int deletes = 0;

 private:
  Provider& inner_;
  std::optional<MintedKey> last_mint_;
};

struct ServiceWorld {
  ServiceWorld()
      : clock(FromUnixMillis(1767225600000)),  // 2026-01-01T00:00:00Z
        box(SecretBox::Generate(random)) {
    auto opened = OpenStore("sqlite::memory:");
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(opened).value();
    auto made =
        DecoyProvider::Create({"123456789012", "http://127.0.0.1:9", "us-east-1", &box, &random});
    EXPECT_TRUE(made.ok());
    decoy = std::move(made).value();
    flaky = std::make_unique<FlakyProvider>(*decoy);
  }

  ManualClock clock;
  OpenSslRandom random;
  SecretBox box;
  std::unique_ptr<Store> store;
  std::unique_ptr<DecoyProvider> decoy;
  std::unique_ptr<FlakyProvider> flaky;
};

}  // namespace spacecrab::testing
