#include "ingest/gzip_decoder.h"

#include <gtest/gtest.h>

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
      ASSERT_TRUE(d.Feed(std::span(p, std::min(piece, gz.size() - i)), out,
                         [&](const PaddedBuffer&) { ++callbacks; })
                      .ok());
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

TEST(GzipDecoder, OutputOverLimitIsResourceExhausted) {
  PaddedBuffer out;
  Status s = Gunzip(GzipBytes(std::string(1 << 20, 'a')), 1000, out);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_LE(out.size(), 1000u + 128 * 1024);
}

}  // namespace
}  // namespace spacecrab::ingest
