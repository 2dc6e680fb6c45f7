#include "ingest/gzip_decoder.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace spacecrab::ingest {
namespace {

std::string DescribeIsalError(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported gzip method";
    case ISAL_INCORRECT_CHECKSUM:
      return "gzip CRC or length mismatch";
    case ISAL_NEED_DICT:
      return "deflate stream needs a dictionary";
    default:
      return "inflate error " + std::to_string(rc);
  }
}

// RFC 1952 2.3: FLG bits. The top three are reserved and must be zero.
constexpr uint8_t kFlagHcrc = 0x02, kFlagExtra = 0x04, kFlagName = 0x08, kFlagComment = 0x10,
                  kFlagReserved = 0xe0;

}  // namespace

Status GzipDecoder::MemberHeader::Read(std::span<const uint8_t>& in, size_t members_done) {
  while (!in.empty() && part_ != Part::kDone) {
    const Part part = part_;
    size_t used = 0;
    switch (part) {
      case Part::kFixed:
      case Part::kExtraLen:
      case Part::kHcrc:
        used = std::min<size_t>(in.size(), need_ - have_);
        std::memcpy(bytes_ + have_, in.data(), used);
        have_ += static_cast<uint32_t>(used);
        break;
      case Part::kExtra:
        used = std::min<size_t>(in.size(), need_);
        need_ -= static_cast<uint32_t>(used);
        break;
      case Part::kName:
      case Part::kComment: {  // zero-terminated
        const void* nul = std::memchr(in.data(), 0, in.size());
        used = nul ? static_cast<const uint8_t*>(nul) - in.data() + 1 : in.size();
        if (nul) need_ = 0;
        break;
      }
      case Part::kDone:
        break;
    }
    // Check the magic, method and flags as soon as each byte arrives, so
    // garbage is named as such however the input is cut.
    if (part == Part::kFixed) {
      if ((have_ >= 1 && bytes_[0] != 0x1f) || (have_ >= 2 && bytes_[1] != 0x8b)) {
        if (members_done == 0) return DataLoss("corrupt gzip: not a gzip stream (bad magic)");
        return DataLoss("corrupt gzip: trailing garbage after member " +
                        std::to_string(members_done) + " (not a gzip header)");
      }
      if (have_ >= 3 && bytes_[2] != 8) return DataLoss("corrupt gzip: unsupported gzip method");
      if (have_ >= 4 && (bytes_[3] & kFlagReserved))
        return DataLoss("corrupt gzip: invalid gzip header (reserved flags set)");
    }
    if (part != Part::kHcrc) crc_ = crc32_gzip_refl(crc_, in.data(), used);
    in = in.subspan(used);
    if (part == Part::kFixed && have_ == need_) flags_ = bytes_[3];
    if (part == Part::kHcrc && have_ == need_ &&
        (bytes_[0] | bytes_[1] << 8) != static_cast<int>(crc_ & 0xffff))
      return DataLoss("corrupt gzip: gzip header CRC mismatch");
    const bool part_done = (part == Part::kExtra || part == Part::kName || part == Part::kComment)
                               ? need_ == 0
                               : have_ == need_;
    if (part_done) NextPart();
  }
  return Status::Ok();
}

// Moves to the next part the flags ask for and sets need_ for it.
void GzipDecoder::MemberHeader::NextPart() {
  const uint32_t xlen = static_cast<uint32_t>(bytes_[0] | bytes_[1] << 8);  // after kExtraLen
  have_ = 0;
  while (true) {
    part_ = static_cast<Part>(static_cast<uint8_t>(part_) + 1);
    switch (part_) {
      case Part::kExtraLen:
        need_ = 2;
        if (flags_ & kFlagExtra) return;
        break;
      case Part::kExtra:
        need_ = xlen;
        if ((flags_ & kFlagExtra) && xlen > 0) return;
        break;
      case Part::kName:
        need_ = 1;
        if (flags_ & kFlagName) return;
        break;
      case Part::kComment:
        need_ = 1;
        if (flags_ & kFlagComment) return;
        break;
      case Part::kHcrc:
        need_ = 2;
        if (flags_ & kFlagHcrc) return;
        break;
      case Part::kFixed:
      case Part::kDone:
        need_ = 0;
        return;
    }
  }
}

GzipDecoder::GzipDecoder(size_t max_output, size_t piece)
    : state_(std::make_unique<inflate_state>()), max_output_(max_output), piece_(piece) {
  Reset();
}

GzipDecoder::~GzipDecoder() = default;

void GzipDecoder::Reset() {
  isal_inflate_init(state_.get());
  produced_ = 0;
  in_member_ = false;
  started_ = false;
  members_done_ = 0;
  header_ = MemberHeader();
  error_ = Status::Ok();
}

// Everything about where one member ends and the next begins is decided here
// from state kept across calls, never from how the caller cut its input. (The
// first version skipped a piece only when the *whole piece* was zeros, so
// "member, 00 00 00 00, member" decoded both members when fed in 2-byte
// pieces but failed when fed whole; and it let isal_inflate parse headers,
// which it cannot do across calls.)
Status GzipDecoder::Feed(std::span<const uint8_t> input, PaddedBuffer& out,
                         const OnOutput& on_output) {
  if (!error_.ok()) return error_;
  if (input.size() > UINT32_MAX) return InvalidArgument("input piece too large");
  error_ = Inflate(input, out, on_output);
  return error_;
}

Status GzipDecoder::Inflate(std::span<const uint8_t> in, PaddedBuffer& out,
                            const OnOutput& on_output) {
  inflate_state* s = state_.get();
  while (true) {
    if (!in_member_) {
      // Zero bytes after a member are padding (block-padded writers; gzip(1)
      // ignores trailing zeros, Python's gzip also skips them between
      // members). Anything else must start another member.
      if (started_)
        while (!in.empty() && in.front() == 0) in = in.subspan(1);
      if (in.empty()) return Status::Ok();
      header_ = MemberHeader();
      in_member_ = true;
      started_ = true;
    }
    if (!header_.done()) {
      SC_RETURN_IF_ERROR(header_.Read(in, members_done_));
      if (!header_.done()) return Status::Ok();  // needs more input
      isal_inflate_reset(s);
      s->crc_flag = ISAL_GZIP_NO_HDR_VER;  // body, then the CRC-32/ISIZE trailer
    }
    const size_t room = std::min(piece_, max_output_ + 1 - std::min(produced_, max_output_));
    char* dst = out.PrepareAppend(room);
    s->next_in = const_cast<uint8_t*>(in.data());  // ISA-L's API is not const-correct
    s->avail_in = static_cast<uint32_t>(in.size());
    s->next_out = reinterpret_cast<uint8_t*>(dst);
    s->avail_out = static_cast<uint32_t>(room);
    const int rc = isal_inflate(s);
    const size_t wrote = room - s->avail_out;
    const size_t consumed = in.size() - s->avail_in;
    in = in.subspan(consumed);
    if (rc < 0) return DataLoss("corrupt gzip: " + DescribeIsalError(rc));
    out.Commit(wrote);
    produced_ += wrote;
    if (produced_ > max_output_)
      return ResourceExhausted("decompressed size exceeds the limit of " +
                               std::to_string(max_output_) + " bytes");
    if (wrote > 0 && on_output) on_output(out);
    if (s->block_state == ISAL_BLOCK_FINISH) {  // trailer read and its CRC/length checked
      in_member_ = false;
      ++members_done_;
      continue;
    }
    if (in.empty() && wrote < room) return Status::Ok();  // needs more input
    // Input left and room to write, yet nothing moved: never spin on it.
    if (consumed == 0 && wrote == 0) return DataLoss("corrupt gzip: decoder made no progress");
  }
}

Status GzipDecoder::Finish() const {
  if (!error_.ok()) return error_;
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
