// GzipDecoder: streaming gunzip (ISA-L igzip) into a PaddedBuffer.
//
// Why ISA-L: it is a streaming inflater (input and output in pieces, so a
// file never needs to sit compressed *and* uncompressed in memory at once, and
// each output piece can be scanned while still in cache) and, on x86-64, as
// fast as libdeflate's whole-buffer decoder. Multi-member gzip (concatenated
// streams) is accepted, as `gzip -d` does.
//
// Failure: kDataLoss for corrupt data, a bad CRC/length or a truncated stream;
// kResourceExhausted when the output would pass `max_output` bytes.
// Not thread-safe; reusable via Reset().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "core/status.h"
#include "ingest/padded_buffer.h"

struct inflate_state;

namespace spacecrab::ingest {

// True if `head` starts with the gzip magic bytes.
inline bool LooksGzipped(std::string_view head) {
  return head.size() >= 2 && uint8_t(head[0]) == 0x1f && uint8_t(head[1]) == 0x8b;
}

class GzipDecoder {
 public:
  // Called after each piece of output is appended (the buffer may have moved).
  using OnOutput = std::function<void(const PaddedBuffer& out)>;

  explicit GzipDecoder(size_t max_output);
  ~GzipDecoder();
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  void Reset();
  // Decompresses all of `input`, appending to `out`.
  Status Feed(std::span<const uint8_t> input, PaddedBuffer& out, const OnOutput& on_output);
  // kDataLoss if the stream ended mid-member (truncated file).
  Status Finish() const;

 private:
  std::unique_ptr<inflate_state> state_;
  size_t max_output_;
  size_t produced_ = 0;
  bool in_member_ = false;   // inside a gzip member that has not finished
  bool started_ = false;     // saw at least one member
};

// Whole-buffer convenience: gunzip `input` (which must be gzip) into `out`.
Status Gunzip(std::string_view input, size_t max_output, PaddedBuffer& out);

}  // namespace spacecrab::ingest
