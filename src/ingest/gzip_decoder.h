// GzipDecoder: streaming gunzip (ISA-L igzip) into a PaddedBuffer.
//
// Why ISA-L: it is a streaming inflater (input and output in pieces, so a
// file never needs to sit compressed *and* uncompressed in memory at once, and
// each output piece can be scanned while still in cache) and, on x86-64, as
// fast as libdeflate's whole-buffer decoder. Multi-member gzip (concatenated
// streams) is accepted, as `gzip -d` does; zero bytes between or after members
// are skipped as padding. Any other byte after a member must begin a valid
// member. The result never depends on how the input is cut into pieces.
//
// Failure: kDataLoss for corrupt data, a bad CRC/length, trailing garbage
// (non-zero bytes that do not start a member) or a truncated stream;
// kResourceExhausted when the output would pass `max_output` bytes. After a
// failure, Feed and Finish keep returning it until Reset().
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

  // Output is appended in pieces of at most this many bytes, and OnOutput is
  // called after each. ISA-L keeps the last 32 KiB of output between calls
  // (copying it in and out), so small pieces cost copies; a piece should still
  // fit the core's cache, where the caller scans it.
  static constexpr size_t kDefaultPiece = 128 * 1024;

  explicit GzipDecoder(size_t max_output, size_t piece = kDefaultPiece);
  ~GzipDecoder();
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  void Reset();
  // Decompresses all of `input`, appending to `out`.
  Status Feed(std::span<const uint8_t> input, PaddedBuffer& out, const OnOutput& on_output);
  // kDataLoss if the stream ended mid-member (truncated file).
  Status Finish() const;

 private:
  // Reads a member header (RFC 1952 2.3) one byte at a time, so a header split
  // across Feed calls is fine. isal_inflate could parse it, but only when
  // given the whole header at once (intel/isa-l#224: with FHCRC set, a split
  // header fails its check), so ISA-L sees the deflate body and trailer only.
  class MemberHeader {
   public:
    // Consumes header bytes from `in` (advancing it). OK and done() once the
    // header is complete; kDataLoss if it cannot be a gzip header.
    Status Read(std::span<const uint8_t>& in, size_t members_done);
    bool done() const { return part_ == Part::kDone; }

   private:
    enum class Part : uint8_t { kFixed, kExtraLen, kExtra, kName, kComment, kHcrc, kDone };
    void NextPart();
    Part part_ = Part::kFixed;
    uint8_t flags_ = 0;
    uint8_t bytes_[10] = {};  // the fixed-size part being collected
    uint32_t have_ = 0;       // bytes of it collected
    uint32_t need_ = 10;      // its size; for kExtra, bytes still to skip
    uint32_t crc_ = 0;        // CRC-32 of the header so far (for FHCRC)
  };

  Status Inflate(std::span<const uint8_t> input, PaddedBuffer& out, const OnOutput& on_output);

  std::unique_ptr<inflate_state> state_;
  size_t max_output_;
  size_t piece_;
  size_t produced_ = 0;
  bool in_member_ = false;   // inside a gzip member (header or body) that has not finished
  bool started_ = false;     // saw at least one member
  size_t members_done_ = 0;  // members whose trailer checked out
  MemberHeader header_;      // of the current member
  Status error_;             // first failure; sticky until Reset()
};

// Whole-buffer convenience: gunzip `input` (which must be gzip) into `out`.
Status Gunzip(std::string_view input, size_t max_output, PaddedBuffer& out);

}  // namespace spacecrab::ingest
