// JsonWriter: appends JSON text to a string without building a document tree.
//
// Lists of a thousand tokens are the API's largest answers; writing them
// straight to text costs a fraction of building an nlohmann::json tree and
// dumping it (malloc and map inserts dominated that profile). Strings are
// escaped per RFC 8259; bytes that are not valid UTF-8 become U+FFFD, so the
// output is always valid JSON whatever a stored field holds.
//
// Usage: BeginObject(); Key("id"); String(t.id); ... EndObject(). Commas are
// placed automatically. Not thread-safe; one writer per output string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spacecrab {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // A complete JSON value produced elsewhere. REQUIRES: valid JSON.
  void Raw(std::string_view json);

  // Key + value in one call.
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void NullableField(std::string_view key, std::string_view value) {
    Key(key);
    if (value.empty())
      Null();
    else
      String(value);
  }

  // Appends `value` as a quoted, escaped JSON string.
  static void AppendString(std::string& out, std::string_view value);

 private:
  void Separate();
  void Open(char c);
  void Close(char c);

  std::string& out_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
};

}  // namespace spacecrab
