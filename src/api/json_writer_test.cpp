#include "api/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/resource_json.h"

namespace spacecrab {
namespace {

using json = nlohmann::json;

TEST(JsonWriter, WritesNestedStructuresWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Field("a", "x");
  w.Key("list");
  w.BeginArray();
  w.Int(1);
  w.Int(-2);
  w.BeginObject();
  w.EndObject();
  w.Null();
  w.Bool(true);
  w.EndArray();
  w.NullableField("empty", "");
  w.Key("raw");
  w.Raw(R"({"k":[1]})");
  w.EndObject();
  EXPECT_EQ(out, R"({"a":"x","list":[1,-2,{},null,true],"empty":null,"raw":{"k":[1]}})");
}

TEST(JsonWriter, EscapesLikeAStrictParserExpects) {
  const std::string tricky = std::string("q\"b\\s/\n\r\t\b\f\x01\x1f") + "\x7f" + "é☃😀";
  std::string out;
  JsonWriter::AppendString(out, tricky);
  EXPECT_EQ(json::parse(out).get<std::string>(), tricky);
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

TEST(JsonWriter, ReplacesInvalidUtf8SoTheOutputStaysValid) {
  for (const std::string& bad : {std::string("a\xff"
                                             "b"),
                                 std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                                 std::string("trunc\xe2\x98"), std::string("\xf5\x80\x80\x80")}) {
    std::string out;
    JsonWriter::AppendString(out, bad);
    json parsed = json::parse(out);  // throws on invalid UTF-8
    EXPECT_NE(parsed.get<std::string>().find("\xef\xbf\xbd"), std::string::npos) << out;
  }
}

TEST(JsonWriter, TokenJsonHasEveryDesignFieldAndNoSealedSecret) {
  HoneyToken t;
  t.id = "tok_1";
  t.access_key_id = "AKIAAAAAAAAAAAAAAAAA";
  t.tags = {{"env", "prod"}, {"q\"", "v\n"}};
  t.expires_at = FromUnixMillis(1767225600123);
  t.sealed_secret = "v1.SEALED";
  json j = TokenToJson(t);
  for (const char* field :
       {"id", "kind", "status", "access_key_id", "account_id", "user_name", "arn", "location",
        "owner", "notes", "tags", "created_at", "issued_at", "planted_at", "expires_at",
        "first_used_at", "last_used_at", "event_count"})
    EXPECT_TRUE(j.contains(field)) << field;
  EXPECT_EQ(j["tags"]["q\""], "v\n");
  EXPECT_EQ(j["expires_at"], "2026-01-01T00:00:00.123Z");
  EXPECT_TRUE(j["planted_at"].is_null());
  EXPECT_TRUE(j["replaced_by"].is_null());
  EXPECT_EQ(j.dump().find("SEALED"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab
