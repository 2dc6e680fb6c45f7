// Tolerant record splitting: the fallback when a log file's Records array is
// not strictly valid JSON but its records are.
//
// Some forwarders write CloudTrail documents with a missing comma between
// records (one of the public samples in shared/corpus does). Rather than lose
// every record in such a file, the RecordParser re-splits the array by brace
// matching (string- and escape-aware) and parses each record strictly. Only
// missing/extra separators between records are forgiven; a record that is
// itself malformed, or an array that never closes, is still an error.
//
// Also: JsonDepthExceeds, a byte-level nesting check (the On-Demand parser
// skips deep values without a depth limit, which is safe for us, but the
// ingest limits promise one for the records we parse).
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "core/status.h"

namespace spacecrab::ingest {

// Calls on_record(span) for every top-level object of the array that follows
// the document's first `"Records"` key. kDataLoss if the array is absent,
// unterminated or holds a non-object; kResourceExhausted for a record over
// `max_record_bytes`. An error from on_record stops the walk.
Status SplitRecordsTolerant(std::string_view doc, size_t max_record_bytes,
                            const std::function<Status(std::string_view record)>& on_record);

// True if `json` nests objects/arrays deeper than `max_depth`.
bool JsonDepthExceeds(std::string_view json, size_t max_depth);

}  // namespace spacecrab::ingest
