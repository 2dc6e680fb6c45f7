#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace spacecrab {
namespace {

std::vector<uint8_t> Repeat(uint8_t b, size_t n) { return std::vector<uint8_t>(n, b); }

// FIPS 180-2 appendix B / NIST CAVS examples.
TEST(Sha256, MatchesNistVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, RawDigestMatchesHex) {
  const Sha256Digest d = Sha256(std::string_view("abc"));
  EXPECT_EQ(HexEncode(d), Sha256Hex("abc"));
}

// RFC 4231 test cases 1-4, 6, 7 (case 5 is a truncated output).
TEST(HmacSha256, MatchesRfc4231Vectors) {
  EXPECT_EQ(HexEncode(HmacSha256(Repeat(0x0b, 20), std::string_view("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexEncode(HmacSha256(std::span<const uint8_t>(Repeat(0xaa, 20)),
                                 std::span<const uint8_t>(Repeat(0xdd, 50)))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::vector<uint8_t> key4;
  for (uint8_t i = 1; i <= 25; ++i) key4.push_back(i);
  EXPECT_EQ(HexEncode(HmacSha256(std::span<const uint8_t>(key4),
                                 std::span<const uint8_t>(Repeat(0xcd, 50)))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(
      HmacSha256Hex(Repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HmacSha256Hex(Repeat(0xaa, 131),
                          "This is a test using a larger than block-size key and a larger "
                          "than block-size data. The key needs to be hashed before being "
                          "used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256, ChainsWithRawDigestKeys) {
  // SigV4 derives keys by feeding one HMAC's raw output into the next.
  const Sha256Digest k1 = HmacSha256("AWS4secret", "20150830");
  const Sha256Digest k2 = HmacSha256(k1, "us-east-1");
  EXPECT_EQ(k2, HmacSha256(std::span<const uint8_t>(k1), AsBytes("us-east-1")));
  EXPECT_NE(HexEncode(k2), HexEncode(k1));
}

TEST(HmacSha256, EmptyKeyIsAccepted) {
  // RFC 2104 with an empty key; value checked against `openssl dgst -hmac ""`.
  EXPECT_EQ(HmacSha256Hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret1"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
}

}  // namespace
}  // namespace spacecrab
