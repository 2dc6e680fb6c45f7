// libFuzzer target: the streaming gunzip (GzipDecoder) on arbitrary bytes,
// fed in pieces whose sizes come from the input itself. Checks: no crash, no
// sanitizer report, output within the limit, and the same status code and
// bytes whatever the piece sizes. Regression inputs live in
// seeds/gzip_decoder/regress_* (replayed on every run).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "ingest/gzip_decoder.h"

using spacecrab::ingest::GzipDecoder;
using spacecrab::ingest::PaddedBuffer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t piece = 1 + data[0] % 97;
  std::span<const uint8_t> in(data + 1, size - 1);
  constexpr size_t kLimit = 4u << 20;

  GzipDecoder whole(kLimit);
  PaddedBuffer a;
  spacecrab::Status s_whole = whole.Feed(in, a, {});
  if (s_whole.ok()) s_whole = whole.Finish();

  GzipDecoder pieces(kLimit);
  PaddedBuffer b;
  spacecrab::Status s_pieces = spacecrab::Status::Ok();
  for (size_t i = 0; i < in.size() && s_pieces.ok(); i += piece)
    s_pieces = pieces.Feed(in.subspan(i, std::min(piece, in.size() - i)), b, {});
  if (s_pieces.ok()) s_pieces = pieces.Finish();

  if (a.size() > kLimit + 1 || b.size() > kLimit + 1) std::abort();
  if (s_whole.code() != s_pieces.code()) std::abort();
  if (s_whole.ok() && a.view() != b.view()) std::abort();
  return 0;
}
