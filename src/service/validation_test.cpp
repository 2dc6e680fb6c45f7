#include "service/validation.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

TEST(Validation, CountsCharactersNotBytes) {
  const std::string snowmen = [] {
    std::string s;
    for (int i = 0; i < 256; ++i) s += "\xe2\x98\x83";  // U+2603, 3 bytes each
    return s;
  }();
  EXPECT_TRUE(ValidateText("location", snowmen, 256).ok());
  EXPECT_FALSE(ValidateText("location", snowmen + "x", 256).ok());
}

TEST(Validation, RejectsControlCharactersAndBrokenUtf8) {
  EXPECT_FALSE(ValidateText("owner", std::string("a\0b", 3), 256).ok());
  EXPECT_FALSE(ValidateText("owner", "\x1b[2J", 256).ok());
  EXPECT_FALSE(ValidateText("owner", "del\x7f", 256).ok());
  EXPECT_FALSE(ValidateText("owner", "c1\xc2\x9b", 256).ok());    // U+009B CSI
  EXPECT_FALSE(ValidateText("owner", "\xc0\xaf", 256).ok());      // overlong '/'
  EXPECT_FALSE(ValidateText("owner", "\xed\xa0\x80", 256).ok());  // surrogate
  EXPECT_FALSE(ValidateText("owner", "\xe2\x98", 256).ok());      // truncated
  EXPECT_FALSE(ValidateText("owner", "a\nb", 256).ok());
  EXPECT_TRUE(ValidateText("notes", "a\nb\tc", 2048, true).ok());
  auto status = ValidateText("owner", "\x1b", 256);
  EXPECT_EQ(status.message(), "owner: must not contain control characters");
}

TEST(Validation, TagKeysHaveACharsetAndTagsALimit) {
  EXPECT_TRUE(ValidateTags({{"aws:cloudformation/stack-name_1.x", "v"}}).ok());
  EXPECT_FALSE(ValidateTags({{"", "v"}}).ok());
  EXPECT_FALSE(ValidateTags({{"sp ace", "v"}}).ok());
  EXPECT_FALSE(ValidateTags({{"k=v", "v"}}).ok());
  EXPECT_FALSE(ValidateTags({{std::string(65, 'k'), "v"}}).ok());
  EXPECT_FALSE(ValidateTags({{"k", std::string(257, 'v')}}).ok());
  std::map<std::string, std::string> tags;
  for (int i = 0; i < 32; ++i) tags["k" + std::to_string(i)] = "v";
  EXPECT_TRUE(ValidateTags(tags).ok());
  tags["one-more"] = "v";
  EXPECT_FALSE(ValidateTags(tags).ok());
}

}  // namespace
}  // namespace spacecrab
