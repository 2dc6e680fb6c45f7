#include "crypto/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "crypto/encoding.h"

namespace spacecrab {
namespace {

namespace fs = std::filesystem;

// Supplies the same bytes every time, to pin the nonce for known-answer tests.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(uint8_t b) : b_(b) {}
  void Fill(std::span<uint8_t> out) override { std::fill(out.begin(), out.end(), b_); }

 private:
  uint8_t b_;
};

SecretBox BoxWithKeyByte(uint8_t b, RandomSource* random = nullptr) {
  SecretBox::Key key{};
  key.fill(b);
  return SecretBox(key, random);
}

std::vector<uint8_t> Unwrap(const std::string& sealed) {
  EXPECT_EQ(sealed.substr(0, 3), "v1.");
  return Base64Decode(sealed.substr(3)).value();
}

// NIST GCM spec (McGrew & Viega) test cases 13 and 14: AES-256, zero key, zero IV.
TEST(SecretBox, MatchesNistGcmVectors) {
  FixedRandom zero_nonce(0);
  const SecretBox box = BoxWithKeyByte(0, &zero_nonce);

  const auto empty = Unwrap(box.Seal(""));
  ASSERT_EQ(empty.size(), 12u + 16u);
  EXPECT_EQ(HexEncode(std::span(empty).subspan(12)), "530f8afbc74536b9a963b4f1c4cb738b");

  const auto block = Unwrap(box.Seal(std::string(16, '\0')));
  ASSERT_EQ(block.size(), 12u + 16u + 16u);
  EXPECT_EQ(HexEncode(std::span(block).first(12)), "000000000000000000000000");
  EXPECT_EQ(HexEncode(std::span(block).subspan(12, 16)), "cea7403d4d606b6e074ec5d3baf39d18");
  EXPECT_EQ(HexEncode(std::span(block).subspan(28)), "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(SecretBox, RoundTripsWithAndWithoutAssociatedData) {
  const SecretBox box = BoxWithKeyByte(7);
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string sealed = box.Seal(secret, "tok_01ABC");
  EXPECT_EQ(sealed.find(secret), std::string::npos);
  EXPECT_EQ(box.Open(sealed, "tok_01ABC").value(), secret);

  const std::string plain_sealed = box.Seal(secret);
  EXPECT_EQ(box.Open(plain_sealed).value(), secret);
  EXPECT_EQ(box.Open(box.Seal("")).value(), "");
}

TEST(SecretBox, UsesAFreshNonceEachTime) {
  const SecretBox box = BoxWithKeyByte(7);
  EXPECT_NE(box.Seal("same"), box.Seal("same"));
}

TEST(SecretBox, DetectsTamperingAnywhere) {
  const SecretBox box = BoxWithKeyByte(9);
  const std::string sealed = box.Seal("a secret access key", "tok_1");
  auto raw = Unwrap(sealed);
  for (size_t i = 0; i < raw.size(); ++i) {  // nonce, ciphertext and tag bytes
    auto bad = raw;
    bad[i] ^= 0x01;
    auto opened = box.Open("v1." + Base64Encode(bad), "tok_1");
    ASSERT_FALSE(opened.ok()) << "flip at byte " << i;
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
  }
  raw.pop_back();  // truncated tag
  EXPECT_EQ(box.Open("v1." + Base64Encode(raw), "tok_1").status().code(), StatusCode::kDataLoss);
}

TEST(SecretBox, RejectsWrongKeyWrongAssociatedDataAndGarbage) {
  const SecretBox box = BoxWithKeyByte(1);
  const SecretBox other = BoxWithKeyByte(2);
  const std::string sealed = box.Seal("secret", "tok_1");
  EXPECT_EQ(other.Open(sealed, "tok_1").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(sealed, "tok_2").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(sealed).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(box.Open("secret").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(box.Open("v1.!!!").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(box.Open("v1.AAAA").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(box.Open("v2." + sealed.substr(3), "tok_1").status().code(), StatusCode::kDataLoss);
}

TEST(SecretBox, AcceptsHexAndBase64KeyMaterial) {
  const std::string hex(64, 'a');  // 32 bytes of 0xaa
  auto from_hex = SecretBox::FromKeyMaterial(hex);
  ASSERT_TRUE(from_hex.ok());
  const std::vector<uint8_t> key(32, 0xaa);
  auto from_b64 = SecretBox::FromKeyMaterial(Base64Encode(key));
  auto from_url = SecretBox::FromKeyMaterial(Base64UrlEncode(key) + "\n");
  auto from_upper = SecretBox::FromKeyMaterial("  " + std::string(64, 'A') + "\n");
  ASSERT_TRUE(from_b64.ok());
  ASSERT_TRUE(from_url.ok());
  ASSERT_TRUE(from_upper.ok());
  // All four are the same key: each opens what the others seal.
  const std::string sealed = from_hex->Seal("x");
  EXPECT_EQ(from_b64->Open(sealed).value(), "x");
  EXPECT_EQ(from_url->Open(sealed).value(), "x");
  EXPECT_EQ(from_upper->Open(sealed).value(), "x");
  EXPECT_EQ(from_hex->KeyMaterialHex(), hex);
}

TEST(SecretBox, RejectsKeyMaterialOfTheWrongSize) {
  for (std::string bad : {std::string(""), std::string(62, 'a'), std::string(66, 'a'),
                          std::string(63, 'a') + "g", Base64Encode(std::vector<uint8_t>(31, 1)),
                          Base64Encode(std::vector<uint8_t>(33, 1)), std::string("not a key")}) {
    auto box = SecretBox::FromKeyMaterial(bad);
    ASSERT_FALSE(box.ok()) << bad;
    EXPECT_EQ(box.status().code(), StatusCode::kInvalidArgument);
    if (!bad.empty()) {
      EXPECT_EQ(box.status().message().find(bad), std::string::npos);
    }
  }
}

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sc_crypto_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(KeyFile, CreatesKeyWithMode0600AndRereadsTheSameKey) {
  const fs::path path = dir_ / "sub" / "secret.key";
  auto first = LoadOrCreateKeyFile(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), first->KeyMaterialHex() + "\n");

  auto second = LoadOrCreateKeyFile(path);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->KeyMaterialHex(), first->KeyMaterialHex());
  EXPECT_EQ(second->Open(first->Seal("payload", "aad"), "aad").value(), "payload");
  // No temp files left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(path.parent_path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(KeyFile, ReadsAnExistingBase64KeyFile) {
  fs::create_directories(dir_);
  const fs::path path = dir_ / "given.key";
  std::ofstream(path) << Base64Encode(std::vector<uint8_t>(32, 0x11)) << "\n";
  auto box = LoadOrCreateKeyFile(path);
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->KeyMaterialHex(), std::string(64, '1'));
}

TEST_F(KeyFile, BadContentsAreAnErrorNamingThePath) {
  fs::create_directories(dir_);
  const fs::path path = dir_ / "broken.key";
  std::ofstream(path) << "short\n";
  auto box = LoadOrCreateKeyFile(path);
  ASSERT_FALSE(box.ok());
  EXPECT_EQ(box.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(box.status().message().find(path.string()), std::string::npos);
}

TEST_F(KeyFile, UncreatableFileIsAnErrorNamingThePath) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  const fs::path path = dir_ / "file" / "secret.key";  // parent is a regular file
  auto box = LoadOrCreateKeyFile(path);
  ASSERT_FALSE(box.ok());
  EXPECT_NE(box.status().message().find(path.string()), std::string::npos);
}

TEST_F(KeyFile, ConcurrentCreatorsAgreeOnOneKey) {
  const fs::path path = dir_ / "race.key";
  std::vector<std::string> keys(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < keys.size(); ++i) {
    threads.emplace_back([&, i] {
      auto box = LoadOrCreateKeyFile(path);
      keys[i] = box.ok() ? box->KeyMaterialHex() : box.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& k : keys) EXPECT_EQ(k, keys[0]);
  EXPECT_EQ(keys[0].size(), 64u);
}

}  // namespace
}  // namespace spacecrab
