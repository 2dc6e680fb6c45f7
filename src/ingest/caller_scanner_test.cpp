#include "ingest/caller_scanner.h"

#include <gtest/gtest.h>

#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

constexpr char kKey[] = "AKIAQAAAAAAAAAAAAAAB";

KeyIndex Index() {
  return KeyIndex(std::vector<IndexedKey>{
      {kKey, "tok_1", "111122223333", "svc-backup", TokenKind::kAws, TokenStatus::kActive}});
}

std::vector<size_t> ScanAll(const KeyIndex& index, std::string_view text) {
  std::vector<size_t> hits;
  CallerScanner(index).Scan(text, 0, text.size(), hits);
  return hits;
}

TEST(CallerScanner, FindsIndexedKeyAnywhere) {
  KeyIndex index = Index();
  std::string text = std::string(1000, 'x') + kKey + std::string(50, 'y');
  auto hits = ScanAll(index, text);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0], 1000u);
  // At the very end of the text too (scalar tail).
  EXPECT_EQ(ScanAll(index, std::string("ab") + kKey).size(), 1u);
}

TEST(CallerScanner, IgnoresOtherKeysAndSimilarText) {
  KeyIndex index = Index();
  EXPECT_TRUE(ScanAll(index, "AKIAQAAAAAAAAAAAAAAC ASIAQAAAAAAAAAAAAAAB AKIA AKIAQAAAAAAAAAAAAA").empty());
}

TEST(CallerScanner, FindsUserNameFieldWithOptionalSpaces) {
  KeyIndex index = Index();
  EXPECT_EQ(ScanAll(index, R"({"userName":"svc-backup"})").size(), 1u);
  EXPECT_EQ(ScanAll(index, "{\"userName\" :\n  \"svc-backup\"}").size(), 1u);
  EXPECT_TRUE(ScanAll(index, R"({"userName":"svc-backup2"})").empty());
  EXPECT_TRUE(ScanAll(index, R"({"roleName":"svc-backup"})").empty());
}

TEST(CallerScanner, FindsUserArnsIncludingEscapedSlashes) {
  KeyIndex index = Index();
  EXPECT_EQ(ScanAll(index, R"("arn":"arn:aws:iam::111122223333:user/ops/svc-backup")").size(), 1u);
  EXPECT_EQ(ScanAll(index, R"("arn":"arn:aws:iam::111122223333:user\/svc-backup")").size(), 1u);
  EXPECT_TRUE(ScanAll(index, R"("arn":"arn:aws:iam::111122223333:user/other")").empty());
}

TEST(CallerScanner, ScanningInPiecesFindsTheSameHits) {
  KeyIndex index = Index();
  std::string text;
  for (int i = 0; i < 200; ++i)
    text += std::string(size_t(37 + i % 11), ' ') + kKey + R"( "userName":"svc-backup" )";
  auto whole = ScanAll(index, text);
  std::vector<size_t> pieces;
  CallerScanner scanner(index);
  size_t done = 0;
  for (size_t end = 1000; end < text.size(); end += 1000) {
    scanner.Scan(text.substr(0, std::min(text.size(), end + CallerScanner::kLookahead)), done, end, pieces);
    done = end;
  }
  scanner.Scan(text, done, text.size(), pieces);
  EXPECT_EQ(pieces, whole);
  EXPECT_EQ(whole.size(), 400u);
}

// The SIMD scans test 32 or 64 offsets at a time and look up to 9 bytes
// ahead: each shape at every offset across two block boundaries, and text
// ending right after it.
TEST(CallerScanner, FindsEachShapeAtEveryOffsetAroundBlockBoundaries) {
  KeyIndex index = Index();
  const std::string shapes[] = {kKey, R"("userName":"svc-backup")", R"(:user/svc-backup")"};
  for (const std::string& shape : shapes) {
    for (size_t off = 0; off < 140; ++off) {
      const std::string head(off, 'x');
      for (const std::string& tail : {std::string(), std::string(150, 'y')}) {
        auto hits = ScanAll(index, head + shape + tail);
        ASSERT_EQ(hits.size(), 1u) << shape << " at " << off << ", tail " << tail.size();
        EXPECT_EQ(hits[0], off) << shape;
      }
    }
  }
}

TEST(CallerScanner, EmptyIndexFindsNothing) {
  KeyIndex empty;
  EXPECT_TRUE(ScanAll(empty, kKey).empty());
}

}  // namespace
}  // namespace spacecrab::ingest
