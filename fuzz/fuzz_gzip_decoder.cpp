// libFuzzer target: the streaming gunzip (GzipDecoder) on arbitrary bytes,
// fed in pieces whose sizes come from the input itself. Checks: no crash, no
// sanitizer report, output within the limit, and the same bytes whatever the
// piece sizes.
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
  const bool ok_whole = whole.Feed(in, a, {}).ok() && whole.Finish().ok();

  GzipDecoder pieces(kLimit);
  PaddedBuffer b;
  bool ok_pieces = true;
  for (size_t i = 0; i < in.size() && ok_pieces; i += piece)
    ok_pieces = pieces.Feed(in.subspan(i, std::min(piece, in.size() - i)), b, {}).ok();
  ok_pieces = ok_pieces && pieces.Finish().ok();

  if (a.size() > kLimit + 1 || b.size() > kLimit + 1) std::abort();
  if (ok_whole != ok_pieces) std::abort();
  if (ok_whole && a.view() != b.view()) std::abort();
  return 0;
}
