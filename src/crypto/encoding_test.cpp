#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/hash.h"

namespace spacecrab {
namespace {

// RFC 4648 section 10.
TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(std::string_view("")), "");
  EXPECT_EQ(Base64Encode(std::string_view("f")), "Zg==");
  EXPECT_EQ(Base64Encode(std::string_view("fo")), "Zm8=");
  EXPECT_EQ(Base64Encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(Base64Encode(std::string_view("foob")), "Zm9vYg==");
  EXPECT_EQ(Base64Encode(std::string_view("fooba")), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const std::string padded = Base64Encode(s);
    const std::string bare = Base64Encode(s, {Base64Alphabet::kStandard, false});
    EXPECT_EQ(bare.find('='), std::string::npos);
    ASSERT_TRUE(Base64DecodeToString(padded).ok()) << padded;
    EXPECT_EQ(Base64DecodeToString(padded).value(), s);
    ASSERT_TRUE(Base64DecodeToString(bare).ok()) << bare;
    EXPECT_EQ(Base64DecodeToString(bare).value(), s);
  }
}

TEST(Base64, UrlSafeAlphabetUsesDashAndUnderscore) {
  const std::vector<uint8_t> bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_").value(), bytes);
  EXPECT_FALSE(Base64UrlDecode("+/+/").ok());
  EXPECT_FALSE(Base64Decode("-_-_").ok());
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::vector<uint8_t> data;
  for (int i = 0; i < 300; ++i) {
    data.push_back(static_cast<uint8_t>(i * 37 + 11));
    for (auto alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
      for (bool pad : {true, false}) {
        const std::string enc = Base64Encode(data, {alphabet, pad});
        auto dec = Base64Decode(enc, alphabet);
        ASSERT_TRUE(dec.ok()) << enc;
        ASSERT_EQ(*dec, data);
      }
    }
  }
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_EQ(Base64Decode("Zg=").status().code(), StatusCode::kInvalidArgument);  // short pad
  EXPECT_FALSE(Base64Decode("Zm9v=").ok());     // padding where none belongs
  EXPECT_FALSE(Base64Decode("Z").ok());         // impossible length
  EXPECT_FALSE(Base64Decode("Zm 9v").ok());     // whitespace
  EXPECT_FALSE(Base64Decode("Zm9v!A==").ok());  // bad character
  EXPECT_FALSE(Base64Decode("Zh==").ok());      // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zg===").ok());     // too much padding
  EXPECT_FALSE(Base64Decode("=").ok());
}

TEST(Hex, RoundTripsAndAcceptsUpperCase) {
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0xab, 0xff, 0x7f};
  EXPECT_EQ(HexEncode(bytes), "0001abff7f");
  EXPECT_EQ(HexDecode("0001abff7f").value(), bytes);
  EXPECT_EQ(HexDecode("0001ABFF7F").value(), bytes);
  EXPECT_EQ(HexEncode(std::string_view("AZ")), "415a");
  EXPECT_TRUE(HexDecode("").ok());
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_EQ(HexDecode("abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_FALSE(HexDecode("0x00").ok());
}

}  // namespace
}  // namespace spacecrab
