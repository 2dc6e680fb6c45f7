#include "ingest/gzip_decoder.h"

#include <isa-l/igzip_lib.h>

#include <string>

namespace spacecrab::ingest {
namespace {

// Output is produced in pieces of this size so a caller scanning each piece
// reads it from cache.
constexpr size_t kPiece = 128 * 1024;

std::string DescribeIsalError(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip method";
    case ISAL_INCORRECT_CHECKSUM: return "gzip CRC or length mismatch";
    case ISAL_NEED_DICT: return "deflate stream needs a dictionary";
    default: return "inflate error " + std::to_string(rc);
  }
}

}  // namespace

GzipDecoder::GzipDecoder(size_t max_output)
    : state_(std::make_unique<inflate_state>()), max_output_(max_output) {
  Reset();
}

GzipDecoder::~GzipDecoder() = default;

void GzipDecoder::Reset() {
  isal_inflate_init(state_.get());
  state_->crc_flag = ISAL_GZIP;
  produced_ = 0;
  in_member_ = false;
  started_ = false;
}

Status GzipDecoder::Feed(std::span<const uint8_t> input, PaddedBuffer& out,
                         const OnOutput& on_output) {
  inflate_state* s = state_.get();
  s->next_in = const_cast<uint8_t*>(input.data());  // ISA-L's API is not const-correct
  s->avail_in = static_cast<uint32_t>(input.size());
  if (input.size() > UINT32_MAX) return InvalidArgument("input piece too large");
  while (true) {
    if (!in_member_) {
      if (s->avail_in == 0) return Status::Ok();
      // Another member (or the first). Trailing zero padding after a member is
      // tolerated, as gzip(1) does.
      if (started_) {
        bool only_zeros = true;
        for (uint32_t i = 0; i < s->avail_in; ++i) only_zeros &= s->next_in[i] == 0;
        if (only_zeros) {
          s->avail_in = 0;
          return Status::Ok();
        }
        uint8_t* next = s->next_in;
        const uint32_t avail = s->avail_in;
        isal_inflate_reset(s);
        s->crc_flag = ISAL_GZIP;
        s->next_in = next;
        s->avail_in = avail;
      }
      in_member_ = true;
      started_ = true;
    }
    const size_t room = std::min(kPiece, max_output_ + 1 - std::min(produced_, max_output_));
    char* dst = out.PrepareAppend(room);
    s->next_out = reinterpret_cast<uint8_t*>(dst);
    s->avail_out = static_cast<uint32_t>(room);
    const int rc = isal_inflate(s);
    const size_t wrote = room - s->avail_out;
    if (rc < 0) return DataLoss("corrupt gzip: " + DescribeIsalError(rc));
    out.Commit(wrote);
    produced_ += wrote;
    if (produced_ > max_output_)
      return ResourceExhausted("decompressed size exceeds the limit of " +
                               std::to_string(max_output_) + " bytes");
    if (wrote > 0 && on_output) on_output(out);
    if (s->block_state == ISAL_BLOCK_FINISH) {
      in_member_ = false;
      continue;
    }
    if (s->avail_in == 0 && wrote < room) return Status::Ok();  // needs more input
  }
}

Status GzipDecoder::Finish() const {
  if (!started_) return DataLoss("corrupt gzip: empty stream");
  if (in_member_) return DataLoss("corrupt gzip: truncated stream (unexpected end of file)");
  return Status::Ok();
}

Status Gunzip(std::string_view input, size_t max_output, PaddedBuffer& out) {
  GzipDecoder decoder(max_output);
  SC_RETURN_IF_ERROR(decoder.Feed(
      std::span(reinterpret_cast<const uint8_t*>(input.data()), input.size()), out, {}));
  return decoder.Finish();
}

}  // namespace spacecrab::ingest
