#include "awsclient/form_encoding.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

TEST(FormEncoding, LeavesOnlyUnreservedCharactersRaw) {
  EXPECT_EQ(UriEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b/c+*=&\""), "a%20b%2Fc%2B%2A%3D%26%22");
  EXPECT_EQ(UriEncode("\xC3\xA9"), "%C3%A9");  // UTF-8 bytes, upper-case hex
}

TEST(FormEncoding, DecodesWhatItEncodes) {
  const std::string doc =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})";
  EXPECT_EQ(UriDecode(UriEncode(doc)), doc);
  EXPECT_EQ(UriDecode("a+b%2"), "a+b%2");  // '+' is literal unless asked; a cut escape stays
  EXPECT_EQ(UriDecode("a+b", true), "a b");
}

TEST(FormEncoding, CanonicalQuerySortsByEncodedName) {
  AwsQueryParams p{{"b", "2"}, {"a", "1"}, {"A", "x y"}, {"Path", "/ci/"}};
  EXPECT_EQ(CanonicalQueryString(p), "A=x%20y&Path=%2Fci%2F&a=1&b=2");
  EXPECT_EQ(CanonicalQueryString({}), "");
}

TEST(FormEncoding, FormBodyWritesSpacesAsPlus) {
  AwsQueryParams p{{"PolicyDocument", "{\"Sid\": \"a b+c\"}"}, {"Action", "PutUserPolicy"}};
  EXPECT_EQ(FormBody(p), "Action=PutUserPolicy&PolicyDocument=%7B%22Sid%22%3A+%22a+b%2Bc%22%7D");
  EXPECT_EQ(UriDecode(FormBody({{"x", "a b"}}).substr(2), true), "a b");
}

}  // namespace
}  // namespace spacecrab
