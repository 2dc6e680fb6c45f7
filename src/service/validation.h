// Limits on what callers may store in a token's metadata and an API key's name.
//
// Metadata ends up in pages, e-mails, Slack messages, terminals and log files,
// so it is bounded and free of control characters (no terminal escapes, no
// forged log lines). Every failure is InvalidArgument naming the field, e.g.
// "location: must be at most 256 characters".
//
// Pure functions; safe from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace spacecrab {

inline constexpr size_t kMaxLocationChars = 256;
inline constexpr size_t kMaxOwnerChars = 256;
inline constexpr size_t kMaxNotesChars = 2048;
inline constexpr size_t kMaxTags = 32;
inline constexpr size_t kMaxTagKeyChars = 64;
inline constexpr size_t kMaxTagValueChars = 256;
inline constexpr size_t kMaxApiKeyNameChars = 128;

// Valid UTF-8 of at most `max_chars` code points with no control characters
// (C0, DEL, C1). `allow_newlines` admits \n, \r and \t (for notes).
Status ValidateText(std::string_view field, std::string_view value, size_t max_chars,
                    bool allow_newlines = false);

// Tags: at most 32; keys 1-64 of [A-Za-z0-9_.:/-]; values as ValidateText(256).
Status ValidateTags(const std::map<std::string, std::string>& tags);

// A tag key alone (also used for the `tag=` list filter).
Status ValidateTagKey(std::string_view field, std::string_view key);

}  // namespace spacecrab
