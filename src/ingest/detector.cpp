#include "ingest/detector.h"

#include <bit>

#include "ingest/caller_scanner.h"

namespace spacecrab::ingest {
namespace {

constexpr size_t kReadChunk = 1 << 20;
// Buffers above this are released after use so one huge file does not pin RAM.
constexpr size_t kKeepBuffer = 64u << 20;

// CloudTrail's own shape: '{' ... ']' '}' (the Records array last). A file
// cut anywhere but exactly after a "]}" fails this; files that fail are
// walked (and so validated) rather than trusted.
bool LooksComplete(std::string_view text) {
  size_t b = 0, e = text.size();
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (b < e && space(text[b])) ++b;
  while (e > b && space(text[e - 1])) --e;
  if (e - b < 4 || text[b] != '{' || text[e - 1] != '}') return false;
  --e;
  while (e > b && space(text[e - 1])) --e;
  return text[e - 1] == ']';
}

}  // namespace

BadInput ClassifyBadInput(const Status& s, bool in_gzip) {
  if (s.code() == StatusCode::kResourceExhausted)
    return in_gzip || s.message().find("decompressed size") != std::string::npos ||
                   s.message().find("file of") != std::string::npos
               ? BadInput::kTooLarge
               : BadInput::kRecordTooLarge;
  if (in_gzip) return BadInput::kCorruptGzip;
  return BadInput::kMalformedJson;
}

Detector::Detector(const DetectorOptions& options)
    : o_(options),
      gzip_(options.limits.max_file_bytes),
      parser_(options.limits),
      structure_(options.limits),
      chunk_(std::make_unique_for_overwrite<uint8_t[]>(kReadChunk)) {}

Status Detector::Decode(ByteReader& in, ScanOutcome& out, std::vector<size_t>& hits) {
  CallerScanner scanner(*index_);
  size_t scanned = 0;
  structure_.Reset();
  auto scan_ready = [&](const PaddedBuffer& buf) {
    structure_.Scan(buf.view());
    // Leave the last kLookahead bytes for the next round: a candidate there
    // may need bytes not decoded yet.
    if (buf.size() > CallerScanner::kLookahead + scanned) {
      const size_t upto = buf.size() - CallerScanner::kLookahead;
      scanner.Scan(buf.view(), scanned, upto, hits);
      scanned = upto;
    }
  };
  gzip_.Reset();
  text_.Clear();
  // Gzipped CloudTrail is ~10-20x smaller than its text; a close first guess
  // saves regrowing copies. Rounded up to a power of two, so a run of
  // similar files settles on one buffer: every fresh buffer's pages are
  // faulted in again, which costs more than decoding into them. Untouched
  // reserve costs no memory.
  if (const auto size = in.Size()) {
    const uint64_t guess = std::min<uint64_t>(*size * 12, std::min<uint64_t>(kKeepBuffer, o_.limits.max_file_bytes));
    text_.Reserve(std::min<uint64_t>(std::bit_ceil(guess + 1), std::max<uint64_t>(guess + 1, kKeepBuffer)));
  }
  bool first = true, gzipped = false;
  while (true) {
    auto n = in.Read(std::span(chunk_.get(), kReadChunk));
    if (!n.ok()) {
      out.io_error = true;
      return n.status();
    }
    if (*n == 0) break;
    out.bytes_in += *n;
    const std::string_view piece(reinterpret_cast<const char*>(chunk_.get()), *n);
    if (first) {
      gzipped = LooksGzipped(piece);
      first = false;
    }
    if (gzipped) {
      if (Status s = gzip_.Feed(std::span(chunk_.get(), *n), text_, scan_ready); !s.ok()) {
        out.bad = ClassifyBadInput(s, true);
        return s;
      }
    } else {
      if (text_.size() + piece.size() > o_.limits.max_file_bytes) {
        out.bad = BadInput::kTooLarge;
        return ResourceExhausted("file of more than " + std::to_string(o_.limits.max_file_bytes) +
                                 " bytes exceeds the limit");
      }
      text_.Append(piece);
      scan_ready(text_);
    }
  }
  if (gzipped) {
    if (Status s = gzip_.Finish(); !s.ok()) {
      out.bad = BadInput::kCorruptGzip;
      return s;
    }
  }
  out.bytes_out = text_.size();
  scanner.Scan(text_.view(), scanned, text_.size(), hits);
  return Status::Ok();
}

void Detector::AddIfMatch(const KeyIndex& index, const CloudTrailRecord& record,
                          std::string_view raw, std::string_view origin, ScanOutcome& out) const {
  auto m = index.Match(record);
  if (!m) return;
  Detection d;
  d.event = ToEvent(record, m->token_id, m->access_key_id, origin, raw, o_.clock->Now());
  d.token_status = m->status;
  d.token_kind = m->kind;
  d.basis = m->basis;
  if (d.event.id.empty()) return;  // CloudTrail always sets eventID; without it there is no dedup key
  out.detections.push_back(std::move(d));
}

ScanOutcome Detector::ScanLogFile(ByteReader& in, std::string_view origin) {
  ScanOutcome out;
  index_ = o_.matcher->Snapshot();
  std::vector<size_t> hits;
  out.status = Decode(in, out, hits);
  if (out.status.ok()) {
    const RecordParser::OnRecord match = [&](const CloudTrailRecord& record, std::string_view raw) {
      AddIfMatch(*index_, record, raw, origin, out);
      return Status::Ok();
    };
    if (structure_.Finish(text_.view())) {
      // Checked and cut into records while decoding: no second pass.
      out.status = parser_.ForEachRecord(text_, structure_.records(), hits, /*select_all=*/false, match,
                                         out.counts);
      if (!out.status.ok()) out.bad = ClassifyBadInput(out.status, false);
    } else if (!hits.empty() || o_.walk_every_file || !LooksComplete(text_.view())) {
      out.status = parser_.ForEachRecord(text_, hits, /*select_all=*/false, match, out.counts);
      if (!out.status.ok()) out.bad = ClassifyBadInput(out.status, false);
    }
  }
  if (text_.capacity() > kKeepBuffer) text_.ShrinkTo(0);
  index_.reset();
  return out;
}

Status Detector::MatchRecordText(std::string_view json, std::string_view origin,
                                 ScanOutcome& out) {
  auto index = o_.matcher->Snapshot();
  CloudTrailRecord record;
  SC_RETURN_IF_ERROR(parser_.ParseRecord(json, record));
  ++out.counts.records;
  ++out.counts.parsed;
  AddIfMatch(*index, record, json, origin, out);
  return Status::Ok();
}

}  // namespace spacecrab::ingest
