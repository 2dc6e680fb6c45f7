#include "aws/uri_encoding.h"

#include <gtest/gtest.h>

namespace spacecrab::aws {
namespace {

TEST(UriEncoding, OnlyUnreservedCharactersStayRaw) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c/d=e&f%", false), "a%20b%2Bc%2Fd%3De%26f%25");
  EXPECT_EQ(UriEncode("a/b c", true), "a/b%20c");
  EXPECT_EQ(UriEncode("\xE1\x88\xB4", false), "%E1%88%B4");
}

TEST(UriEncoding, PercentDecodeKeepsMalformedEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("a%20b%2fc"), "a b/c");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("%00"), std::string("\0", 1));
}

TEST(UriEncoding, QueryStringSplitsDecodesAndSkipsEmptyPieces) {
  const auto params = ParseQueryString("Action=ListUsers&&Version=2010-05-08&flag&x=a%3Db=c");
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].name, "Action");
  EXPECT_EQ(params[0].value, "ListUsers");
  EXPECT_EQ(params[2].name, "flag");
  EXPECT_EQ(params[2].value, "");
  EXPECT_EQ(params[3].value, "a=b=c");
  ASSERT_NE(FindParam(params, "Version"), nullptr);
  EXPECT_EQ(FindParam(params, "version"), nullptr);
}

TEST(UriEncoding, QueryStringStopsAtTheParameterBudget) {
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "a=1&";
  EXPECT_EQ(ParseQueryString(many, 100).size(), 100u);
}

TEST(UriEncoding, NormalizeRemovesDotSegmentsAndDoubleSlashes) {
  EXPECT_EQ(NormalizeUriPath(""), "/");
  EXPECT_EQ(NormalizeUriPath("/"), "/");
  EXPECT_EQ(NormalizeUriPath("//example//"), "/example/");
  EXPECT_EQ(NormalizeUriPath("/example1/example2/../.."), "/");
  EXPECT_EQ(NormalizeUriPath("/./example"), "/example");
  EXPECT_EQ(NormalizeUriPath("/../../a"), "/a");
}

}  // namespace
}  // namespace spacecrab::aws
