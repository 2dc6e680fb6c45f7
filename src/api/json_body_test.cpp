#include "api/json_body.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

TEST(JsonBody, ReadsTypedFieldsAndRejectsUnknownOnes) {
  auto body = JsonBody::Parse(R"({"location":"x","count":3,"tags":{"a":"b"},"planted_at":null,
                                  "expires_at":"2026-05-01T00:00:00Z","colour":"red"})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(**body->String("location"), "x");
  EXPECT_EQ(**body->Integer("count", 1, 10), 3);
  EXPECT_EQ((**body->StringMap("tags")).at("a"), "b");
  auto planted = body->NullableTime("planted_at");
  ASSERT_TRUE(planted.ok() && planted->has_value());
  EXPECT_FALSE(planted->value().has_value());
  EXPECT_TRUE(body->Time("expires_at")->has_value());
  EXPECT_FALSE(body->String("owner")->has_value());
  Status unknown = body->RejectUnknown();
  EXPECT_EQ(unknown.message(), "body: unknown field 'colour'");
}

TEST(JsonBody, NamesTheFieldOnWrongTypesAndRanges) {
  auto body =
      JsonBody::Parse(R"({"location":5,"count":1.5,"n":2000,"tags":{"a":1},"t":"yesterday"})");
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->String("location").status().message(),
            "location: expected a string, got a number");
  EXPECT_EQ(
      body->Integer("count", 1, 1000).status().message().rfind("count: expected an integer", 0),
      0u);
  EXPECT_FALSE(body->Integer("n", 1, 1000).ok());
  EXPECT_EQ(body->StringMap("tags").status().message(), "tags.a: expected a string, got a number");
  EXPECT_EQ(body->Time("t").status().message().rfind("t: expected an RFC 3339 time", 0), 0u);
}

TEST(JsonBody, RefusesMalformedNonObjectAndTooDeepBodies) {
  for (const char* text : {"{", "[]", "\"x\"", "nul", "{\"a\":1,}", "{\"a\":\"\xff\"}"})
    EXPECT_EQ(JsonBody::Parse(text).status().code(), StatusCode::kInvalidArgument) << text;
  EXPECT_FALSE(JsonBody::Parse("").ok());
  EXPECT_TRUE(JsonBody::Parse("", /*allow_empty=*/true).ok());
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto parsed = JsonBody::Parse(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("nested deeper"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab
