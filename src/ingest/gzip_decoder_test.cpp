#include "ingest/gzip_decoder.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

using testing::GzipBytes;

std::string Text(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "{\"eventID\":\"" + std::to_string(i) + "\"},";
  s.resize(n);
  return s;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

void PutLe32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

// One gzip member with the optional header fields a streaming decoder must
// carry across piece boundaries (FEXTRA, FNAME, FCOMMENT, FHCRC). Level 0
// gives stored blocks.
struct MemberSpec {
  std::string text;
  int level = 6;
  bool extra = false, name = false, comment = false, hcrc = false;
};

std::string Member(const MemberSpec& m) {
  std::string out = "\x1f\x8b\x08";
  const uint8_t flags =
      (m.hcrc ? 0x02 : 0) | (m.extra ? 0x04 : 0) | (m.name ? 0x08 : 0) | (m.comment ? 0x10 : 0);
  out += static_cast<char>(flags);
  out += std::string("\x5c\x83\x04\x6b\x00\x03", 6);                 // mtime, xfl, os
  if (m.extra) out += std::string("\x06\x00\x41\x42\x02\x00xy", 8);  // XLEN, "AB", LEN, "xy"
  if (m.name) out += std::string("CloudTrail_us-east-1.json\0", 26);
  if (m.comment) out += std::string("written by a test\0", 18);
  if (m.hcrc) {
    const uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()));
    out += static_cast<char>(crc & 0xff);
    out += static_cast<char>((crc >> 8) & 0xff);
  }
  z_stream z{};
  if (deflateInit2(&z, m.level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string body(deflateBound(&z, uLong(m.text.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m.text.data()));
  z.avail_in = uInt(m.text.size());
  z.next_out = reinterpret_cast<Bytef*>(body.data());
  z.avail_out = uInt(body.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  body.resize(z.total_out);
  deflateEnd(&z);
  out += body;
  PutLe32(out,
          uint32_t(crc32(0, reinterpret_cast<const Bytef*>(m.text.data()), uInt(m.text.size()))));
  PutLe32(out, uint32_t(m.text.size()));
  return out;
}

struct Decoded {
  Status status;
  std::string out;
};

// Feeds `gz` cut at `cuts` (ascending offsets), then Finish(). One decoder,
// Reset() between streams, serves every call: that keeps the tens of
// thousands of decodes below cheap (under ASan too) and checks that Reset()
// forgets everything.
Decoded DecodeCut(std::string_view gz, const std::vector<size_t>& cuts) {
  static GzipDecoder d(16 << 20);
  static PaddedBuffer out;
  d.Reset();
  out.Clear();
  Status s = Status::Ok();
  size_t at = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(gz.size());
  for (size_t end : ends) {
    const auto* p = reinterpret_cast<const uint8_t*>(gz.data() + at);
    s = d.Feed(std::span(p, end - at), out, {});
    at = end;
    if (!s.ok()) break;
  }
  if (s.ok()) s = d.Finish();
  return {s, std::string(out.view())};
}

Decoded DecodeInPieces(std::string_view gz, size_t piece) {
  std::vector<size_t> cuts;
  for (size_t i = piece; i < gz.size(); i += piece) cuts.push_back(i);
  return DecodeCut(gz, cuts);
}

// Same status (code and message) and, when it succeeded, the same bytes.
::testing::AssertionResult SameAs(const Decoded& whole, const Decoded& got) {
  if (whole.status.code() != got.status.code() || whole.status.message() != got.status.message())
    return ::testing::AssertionFailure()
           << "whole: " << whole.status.ToString() << ", pieces: " << got.status.ToString();
  if (whole.status.ok() && whole.out != got.out)
    return ::testing::AssertionFailure()
           << "output differs (" << whole.out.size() << " vs " << got.out.size() << " bytes)";
  return ::testing::AssertionSuccess();
}

// Every piece size 1..max_piece, every single split offset (for long streams:
// those within 40 bytes of a member boundary, and every 997th) and, for short
// streams, every pair of split offsets give what decoding `gz` whole gives.
void ExpectCutIndependent(std::string_view gz, size_t max_piece,
                          const std::vector<size_t>& boundaries = {}) {
  const Decoded whole = DecodeCut(gz, {});
  for (size_t piece = 1; piece <= std::min(max_piece, gz.size()); ++piece)
    ASSERT_TRUE(SameAs(whole, DecodeInPieces(gz, piece))) << "piece size " << piece;
  auto near_boundary = [&](size_t cut) {
    for (size_t b : boundaries)
      if (cut + 40 >= b && cut <= b + 40) return true;
    return false;
  };
  for (size_t cut = 0; cut <= gz.size(); ++cut) {
    if (gz.size() <= 8192 || cut % 997 == 0 || near_boundary(cut)) {
      ASSERT_TRUE(SameAs(whole, DecodeCut(gz, {cut}))) << "split at " << cut;
    }
  }
  if (gz.size() > 160) return;
  for (size_t a = 1; a < gz.size(); ++a)
    for (size_t b = a; b < gz.size(); ++b)
      ASSERT_TRUE(SameAs(whole, DecodeCut(gz, {a, b}))) << "split at " << a << "," << b;
}

// Reference decoder: zlib, member after member, zero padding skipped.
std::optional<std::string> ZlibGunzip(std::string_view gz) {
  std::string out;
  size_t pos = 0;
  for (bool first = true;; first = false) {
    if (!first)
      while (pos < gz.size() && gz[pos] == 0) ++pos;
    if (!first && pos == gz.size()) return out;
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + pos));
    z.avail_in = uInt(gz.size() - pos);
    int rc = Z_OK;
    char buf[16384];
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(buf, sizeof buf - z.avail_out);
      if (rc == Z_BUF_ERROR && z.avail_in > 0) rc = Z_OK;  // output was full
    }
    pos += gz.size() - pos - z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return std::nullopt;
  }
}

TEST(GzipDecoder, RoundTripsInPiecesOfAnySize) {
  const std::string text = Text(3 << 20);
  const std::string gz = GzipBytes(text);
  for (size_t piece : {size_t(1), size_t(7), size_t(4096), gz.size()}) {
    if (piece == 1 && gz.size() > 200000) piece = 1021;  // keep the test fast
    GzipDecoder d(64 << 20);
    PaddedBuffer out;
    size_t callbacks = 0;
    for (size_t i = 0; i < gz.size(); i += piece) {
      const auto* p = reinterpret_cast<const uint8_t*>(gz.data() + i);
      ASSERT_TRUE(
          d.Feed(std::span(p, std::min(piece, gz.size() - i)), out, [&](const PaddedBuffer&) {
             ++callbacks;
           }).ok());
    }
    ASSERT_TRUE(d.Finish().ok());
    EXPECT_EQ(out.view(), text);
    EXPECT_GT(callbacks, 1u);
  }
}

TEST(GzipDecoder, AcceptsConcatenatedMembers) {
  const std::string gz = GzipBytes("hello ") + GzipBytes("world");
  PaddedBuffer out;
  ASSERT_TRUE(Gunzip(gz, 1 << 20, out).ok());
  EXPECT_EQ(out.view(), "hello world");
}

// The fuzz finding (fuzz/seeds/gzip_decoder/regress_multimember_2byte_pieces.bin):
// two members with four zero bytes between them. Fed whole it failed ("invalid
// gzip header" on the zeros); in 2-byte pieces each all-zero piece was dropped
// and both members decoded.
TEST(GzipDecoder, ZeroPaddingBetweenMembersDecodesTheSameInAnyPieces) {
  const std::string gz =
      Member({.text = "{\"Records\":["}) + std::string(4, '\0') + Member({.text = "]}"});
  const Decoded whole = DecodeCut(gz, {});
  ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();
  EXPECT_EQ(whole.out, "{\"Records\":[]}");
  ExpectCutIndependent(gz, gz.size());
}

TEST(GzipDecoder, MultiMemberStreamsDecodeTheSameWhateverTheCuts) {
  const std::string big = Text(300000);             // several 128 KiB output pieces
  const std::string noise = RandomBytes(70000, 7);  // stored blocks
  const std::string pad5(5, '\0'), pad3(3, '\0');
  struct Stream {
    std::vector<std::string> parts;  // members and padding
    std::string text;
  };
  const std::vector<Stream> streams = {
      {{GzipBytes("hello "), GzipBytes("world")}, "hello world"},
      {{Member({.text = "a", .extra = true, .name = true, .comment = true, .hcrc = true}),
        Member({.text = ""}), Member({.text = "bc", .level = 0, .name = true}), pad5,
        Member({.text = "def", .hcrc = true}), pad3},
       "abcdef"},
      {{Member({.text = Text(2000), .extra = true}), Member({.text = Text(300), .level = 0}),
        Member({.text = Text(1000), .comment = true, .hcrc = true})},
       Text(2000) + Text(300) + Text(1000)},
      {{Member({.text = big}), Member({.text = noise, .level = 0, .name = true}),
        Member({.text = big, .level = 1})},
       big + noise + big},
  };
  for (size_t i = 0; i < streams.size(); ++i) {
    SCOPED_TRACE("stream " + std::to_string(i));
    std::string gz;
    std::vector<size_t> boundaries;
    for (const std::string& part : streams[i].parts) boundaries.push_back((gz += part).size());
    const Decoded whole = DecodeCut(gz, {});
    ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();
    ASSERT_EQ(whole.out, streams[i].text);
    ASSERT_EQ(ZlibGunzip(gz), streams[i].text);
    // Long streams: pieces of 1..16 bytes (each one re-parses split dynamic
    // Huffman headers, which is slow under ASan); short ones: every size.
    ExpectCutIndependent(gz, gz.size() > 8192 ? 16 : gz.size(), boundaries);
  }
}

// ISA-L's isal_inflate parses a gzip header only when given it whole
// (intel/isa-l#224): a split header with FHCRC failed its check. Every
// combination of optional header fields, cut anywhere, now decodes.
TEST(GzipDecoder, HeaderFieldsSplitAnywhereDecode) {
  for (int f = 0; f < 16; ++f) {
    const MemberSpec spec{.text = "{\"Records\":[]}",
                          .extra = (f & 1) != 0,
                          .name = (f & 2) != 0,
                          .comment = (f & 4) != 0,
                          .hcrc = (f & 8) != 0};
    SCOPED_TRACE("header fields " + std::to_string(f));
    const std::string gz = Member(spec) + Member(spec);
    const Decoded whole = DecodeCut(gz, {});
    ASSERT_TRUE(whole.status.ok()) << whole.status.ToString();
    ASSERT_EQ(whole.out, spec.text + spec.text);
    ExpectCutIndependent(gz, gz.size());
  }
}

TEST(GzipDecoder, BadHeaderIsDataLoss) {
  const std::string gz = Member({.text = "x", .name = true, .hcrc = true});
  const size_t hcrc_at = 10 + 26;
  std::string bad_hcrc = gz;
  bad_hcrc[hcrc_at] ^= 1;
  EXPECT_NE(DecodeCut(bad_hcrc, {}).status.message().find("header CRC"), std::string::npos);
  std::string reserved = gz;
  reserved[3] |= 0x20;
  EXPECT_NE(DecodeCut(reserved, {}).status.message().find("reserved flags"), std::string::npos);
  std::string method = gz;
  method[2] = 7;
  EXPECT_NE(DecodeCut(method, {}).status.message().find("unsupported gzip method"),
            std::string::npos);
  EXPECT_NE(DecodeCut("{\"Records\":[]}", {}).status.message().find("not a gzip stream"),
            std::string::npos);
  for (const std::string& bad : {bad_hcrc, reserved, method}) {
    EXPECT_EQ(DecodeCut(bad, {}).status.code(), StatusCode::kDataLoss);
    ExpectCutIndependent(bad, bad.size());
  }
}

TEST(GzipDecoder, CorruptTrailerIsDataLossInAnyPieces) {
  const std::string one = Member({.text = Text(120)});
  const std::string two = Member({.text = "tail", .name = true});
  const std::string gz = one + two;
  // Every byte of both trailers (CRC32 then ISIZE).
  for (size_t member_end : {one.size(), gz.size()}) {
    for (size_t k = 1; k <= 8; ++k) {
      std::string bad = gz;
      bad[member_end - k] ^= 0x41;
      SCOPED_TRACE("trailer byte " + std::to_string(member_end - k));
      const Decoded whole = DecodeCut(bad, {});
      EXPECT_EQ(whole.status.code(), StatusCode::kDataLoss);
      EXPECT_NE(whole.status.message().find("CRC or length"), std::string::npos)
          << whole.status.ToString();
      ExpectCutIndependent(bad, 24);
    }
  }
}

TEST(GzipDecoder, TruncatedMemberIsDataLossInAnyPieces) {
  const std::string one = Member({.text = Text(400), .name = true, .hcrc = true});
  const std::string two = Member({.text = Text(300), .extra = true});
  const std::string gz = one + two;
  for (size_t cut = 1; cut < gz.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const std::string_view head = std::string_view(gz).substr(0, cut);
    const Decoded whole = DecodeCut(head, {});
    if (cut == one.size()) {  // a complete one-member stream
      ASSERT_TRUE(whole.status.ok());
      EXPECT_EQ(whole.out, Text(400));
    } else {
      ASSERT_EQ(whole.status.code(), StatusCode::kDataLoss) << whole.status.ToString();
      EXPECT_NE(whole.status.message().find("truncated"), std::string::npos)
          << whole.status.ToString();
    }
    for (size_t piece : {size_t(1), size_t(2), size_t(3), size_t(8), size_t(13)})
      ASSERT_TRUE(SameAs(whole, DecodeInPieces(head, piece))) << "piece " << piece;
    ASSERT_TRUE(SameAs(whole, DecodeCut(head, {cut / 2})));
  }
}

TEST(GzipDecoder, TrailingGarbageIsDataLossNotIgnored) {
  const std::string one = Member({.text = "{\"Records\":[]}"});
  const std::vector<std::string> garbage = {
      "x",
      "garbage after the member",
      std::string("\0\0\0x", 4),
      "\x1f\x8c",
      "\x1f\x8b\x07",
      std::string("\x1f\x8b\x08\x00\0\0\0\0\0\x03\xff\xff", 12)};  // bad deflate block
  for (const std::string& tail : garbage) {
    SCOPED_TRACE("tail of " + std::to_string(tail.size()) + " bytes");
    const std::string gz = one + tail;
    const Decoded whole = DecodeCut(gz, {});
    EXPECT_EQ(whole.status.code(), StatusCode::kDataLoss) << whole.status.ToString();
    EXPECT_NE(whole.status.message().find("corrupt gzip"), std::string::npos);
    ExpectCutIndependent(gz, gz.size());
  }
  const Decoded plain = DecodeCut(one + "x", {});
  EXPECT_NE(plain.status.message().find("trailing garbage after member 1"), std::string::npos)
      << plain.status.ToString();
  // A lone magic byte or a partial header at the end is a truncated member.
  for (const std::string tail : {"\x1f", "\x1f\x8b\x08\x00"}) {
    const Decoded d = DecodeCut(one + tail, {});
    EXPECT_NE(d.status.message().find("truncated"), std::string::npos) << d.status.ToString();
  }
}

TEST(GzipDecoder, ZerosAreOnlyPaddingAfterAMember) {
  EXPECT_EQ(DecodeCut(std::string(4, '\0'), {}).status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecodeCut(std::string(2, '\0') + GzipBytes("x"), {}).status.code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(DecodeCut("", {}).status.code(), StatusCode::kDataLoss);
  const Decoded padded = DecodeCut(GzipBytes("x") + std::string(512, '\0'), {200});
  ASSERT_TRUE(padded.status.ok()) << padded.status.ToString();
  EXPECT_EQ(padded.out, "x");
}

TEST(GzipDecoder, ErrorIsStickyUntilReset) {
  std::string bad = GzipBytes(Text(1000));
  bad[bad.size() - 6] ^= 0x55;
  GzipDecoder d(1 << 20);
  PaddedBuffer out;
  const auto* p = reinterpret_cast<const uint8_t*>(bad.data());
  ASSERT_EQ(d.Feed(std::span(p, bad.size()), out, {}).code(), StatusCode::kDataLoss);
  const std::string good = GzipBytes("ok");
  const auto* g = reinterpret_cast<const uint8_t*>(good.data());
  EXPECT_EQ(d.Feed(std::span(g, good.size()), out, {}).code(), StatusCode::kDataLoss);
  EXPECT_EQ(d.Finish().code(), StatusCode::kDataLoss);
  d.Reset();
  out.Clear();
  ASSERT_TRUE(d.Feed(std::span(g, good.size()), out, {}).ok());
  ASSERT_TRUE(d.Finish().ok());
  EXPECT_EQ(out.view(), "ok");
}

// ISA-L (GzipDecoder) and zlib decode the shared CloudTrail corpus and the
// log-file fuzz seeds to the same bytes, gzip-compressed at several levels and as
// several members.
TEST(GzipDecoder, MatchesZlibOnCorpus) {
  namespace fs = std::filesystem;
  const fs::path source(SPACECRAB_SOURCE_DIR);
  std::vector<std::pair<std::string, std::string>> cases;  // name, gzip bytes
  auto slurp = [](const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  };
  for (const fs::path& dir : {source / "../shared/corpus", source / "fuzz/seeds/log_file"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      const std::string bytes = slurp(e.path());
      const std::string name = e.path().filename().string();
      if (LooksGzipped(bytes)) {
        cases.emplace_back(name, bytes);
        continue;
      }
      for (int level : {0, 1, 6, 9})
        cases.emplace_back(name + " level " + std::to_string(level),
                           Member({.text = bytes, .level = level}));
      const size_t third = bytes.size() / 3;
      cases.emplace_back(name + " 3 members", GzipBytes(bytes.substr(0, third)) +
                                                  GzipBytes(bytes.substr(third, third)) +
                                                  GzipBytes(bytes.substr(2 * third)));
    }
  }
  if (cases.empty()) GTEST_SKIP() << "no corpus under " << source;
  for (const auto& [name, gz] : cases) {
    SCOPED_TRACE(name);
    const std::optional<std::string> reference = ZlibGunzip(gz);
    ASSERT_TRUE(reference.has_value());
    for (size_t piece : {size_t(1), size_t(7), size_t(4096), gz.size()}) {
      const Decoded got = DecodeInPieces(gz, piece);
      ASSERT_TRUE(got.status.ok()) << got.status.ToString();
      ASSERT_EQ(got.out, *reference) << "piece " << piece;
    }
  }
}

TEST(GzipDecoder, TruncatedStreamIsDataLoss) {
  const std::string gz = GzipBytes(Text(100000));
  for (size_t cut : {gz.size() - 1, gz.size() - 8, gz.size() / 2, size_t(5)}) {
    PaddedBuffer out;
    Status s = Gunzip(std::string_view(gz).substr(0, cut), 1 << 20, out);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << cut << " " << s.ToString();
  }
}

TEST(GzipDecoder, CorruptCrcIsDataLoss) {
  std::string gz = GzipBytes(Text(10000));
  gz[gz.size() - 6] ^= 0x55;  // inside the CRC32 trailer
  PaddedBuffer out;
  Status s = Gunzip(gz, 1 << 20, out);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("corrupt gzip"), std::string::npos);
}

TEST(GzipDecoder, OutputComesInPiecesOfTheGivenSize) {
  const std::string text = Text(10000);
  const std::string gz = GzipBytes(text);
  GzipDecoder decoder(1 << 20, /*piece=*/1000);
  PaddedBuffer out;
  std::vector<size_t> sizes;
  ASSERT_TRUE(decoder
                  .Feed(std::span(reinterpret_cast<const uint8_t*>(gz.data()), gz.size()), out,
                        [&](const PaddedBuffer& buf) { sizes.push_back(buf.size()); })
                  .ok());
  ASSERT_TRUE(decoder.Finish().ok());
  EXPECT_EQ(out.view(), text);
  ASSERT_EQ(sizes.size(), 10u);  // each call after one more full piece
  for (size_t i = 0; i < sizes.size(); ++i) EXPECT_EQ(sizes[i], (i + 1) * 1000);
}

TEST(GzipDecoder, OutputOverLimitIsResourceExhausted) {
  PaddedBuffer out;
  Status s = Gunzip(GzipBytes(std::string(1 << 20, 'a')), 1000, out);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_LE(out.size(), 1000u + 128 * 1024);
}

}  // namespace
}  // namespace spacecrab::ingest
