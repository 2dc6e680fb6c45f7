// IngestLimits: the bounds that keep one hostile or broken input from taking
// the process down. Exceeding one quarantines that file (or rejects that
// request); nothing else is affected.
#pragma once

#include <cstddef>

namespace spacecrab::ingest {

struct IngestLimits {
  size_t max_file_bytes = size_t{1} << 30;   // decompressed size of one file/body
  size_t max_record_bytes = size_t{1} << 20; // one record's JSON text
  size_t max_depth = 64;                     // JSON nesting
};

}  // namespace spacecrab::ingest
