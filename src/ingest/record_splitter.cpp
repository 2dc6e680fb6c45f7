#include "ingest/record_splitter.h"

#include <string>

namespace spacecrab::ingest {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// From `i` (just after an opening '{'), the index one past the matching '}',
// or npos if the text ends first.
size_t SkipObject(std::string_view s, size_t i) {
  size_t depth = 1;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if ((c == '}' || c == ']') && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

bool JsonDepthExceeds(std::string_view s, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return false;
}

Status SplitRecordsTolerant(std::string_view doc, size_t max_record_bytes,
                            const std::function<Status(std::string_view)>& on_record) {
  size_t i = doc.find("\"Records\"");
  if (i == std::string_view::npos) return DataLoss("log file: no \"Records\" array");
  i += 9;
  while (i < doc.size() && IsSpace(doc[i])) ++i;
  if (i >= doc.size() || doc[i] != ':') return DataLoss("log file: malformed \"Records\" member");
  ++i;
  while (i < doc.size() && IsSpace(doc[i])) ++i;
  if (i >= doc.size() || doc[i] != '[') return DataLoss("log file: \"Records\" is not an array");
  ++i;
  size_t n = 0;
  while (true) {
    while (i < doc.size() && (IsSpace(doc[i]) || doc[i] == ',')) ++i;
    if (i >= doc.size()) return DataLoss("log file: truncated (Records array never closes)");
    if (doc[i] == ']') break;
    if (doc[i] != '{') return DataLoss("log file: Records element " + std::to_string(n + 1) + " is not an object");
    const size_t end = SkipObject(doc, i + 1);
    if (end == std::string_view::npos) return DataLoss("log file: truncated inside record " + std::to_string(n + 1));
    ++n;
    if (end - i > max_record_bytes)
      return ResourceExhausted("record " + std::to_string(n) + " of " + std::to_string(end - i) +
                               " bytes exceeds the limit of " + std::to_string(max_record_bytes));
    SC_RETURN_IF_ERROR(on_record(doc.substr(i, end - i)));
    i = end;
  }
  // The document must still close: `]` then the top-level object's `}`.
  size_t tail = doc.size();
  while (tail > i && IsSpace(doc[tail - 1])) --tail;
  if (tail == i + 1 || doc[tail - 1] != '}') return DataLoss("log file: truncated after the Records array");
  return Status::Ok();
}

}  // namespace spacecrab::ingest
