#include "service/validation.h"

#include <cstdint>
#include <string>

namespace spacecrab {
namespace {

// Decodes one UTF-8 sequence at `pos`; returns its length or 0 if invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
size_t Utf8Sequence(std::string_view s, size_t pos, uint32_t& cp) {
  const auto b0 = static_cast<uint8_t>(s[pos]);
  size_t len;
  uint32_t min;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xe0) == 0xc0) {
    len = 2, cp = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3, cp = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<uint8_t>(s[pos + i]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

}  // namespace

Status ValidateText(std::string_view field, std::string_view value, size_t max_chars,
                    bool allow_newlines) {
  size_t chars = 0;
  for (size_t pos = 0; pos < value.size();) {
    uint32_t cp = 0;
    const size_t len = Utf8Sequence(value, pos, cp);
    if (len == 0) return InvalidArgument(std::string(field) + ": must be valid UTF-8");
    const bool newline = cp == '\n' || cp == '\r' || cp == '\t';
    if ((cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) && !(allow_newlines && newline))
      return InvalidArgument(std::string(field) + ": must not contain control characters");
    pos += len;
    if (++chars > max_chars)
      return InvalidArgument(std::string(field) + ": must be at most " + std::to_string(max_chars) +
                             " characters");
  }
  return Status::Ok();
}

Status ValidateTagKey(std::string_view field, std::string_view key) {
  if (key.empty() || key.size() > kMaxTagKeyChars)
    return InvalidArgument(std::string(field) + ": tag keys must be 1-64 characters");
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
    if (!ok)
      return InvalidArgument(std::string(field) + ": tag keys may contain only [A-Za-z0-9_.:/-]");
  }
  return Status::Ok();
}

Status ValidateTags(const std::map<std::string, std::string>& tags) {
  if (tags.size() > kMaxTags)
    return InvalidArgument("tags: at most " + std::to_string(kMaxTags) + " tags");
  for (const auto& [key, value] : tags) {
    SC_RETURN_IF_ERROR(ValidateTagKey("tags", key));
    SC_RETURN_IF_ERROR(ValidateText("tags." + key, value, kMaxTagValueChars));
  }
  return Status::Ok();
}

}  // namespace spacecrab
