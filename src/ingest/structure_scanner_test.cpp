#include "ingest/structure_scanner.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ingest/record_parser.h"

namespace spacecrab::ingest {
namespace {

// Feeds `text` in pieces of `piece` bytes (0: all at once), as the detector
// does while decompressing; says whether it passed and returns each record's text.
struct Scanned {
  bool plain = false;
  std::vector<RecordSpan> records;
};
Scanned ScanInPieces(std::string_view text, size_t piece, const IngestLimits& limits = {}) {
  StructureScanner scanner(limits);
  PaddedBuffer buf;
  if (piece == 0) piece = text.size() + 1;
  for (size_t at = 0; at < text.size(); at += piece) {
    buf.Append(text.substr(at, piece));
    scanner.Scan(buf.view());
  }
  Scanned s;
  s.plain = scanner.Finish(buf.view());
  s.records = scanner.records();
  return s;
}

std::vector<std::string> Texts(std::string_view doc, const std::vector<RecordSpan>& spans) {
  std::vector<std::string> out;
  for (const RecordSpan& r : spans) out.emplace_back(doc.substr(r.begin, r.end - r.begin));
  return out;
}

// One walk of RecordParser over `doc`, with or without the scanner's record
// list: its status, counts and the records it handed on.
struct Walked {
  Status status;
  RecordCounts counts;
  std::vector<std::string> delivered;
};
Walked Walk(RecordParser& parser, std::string_view doc, const std::vector<RecordSpan>* listed,
            bool select_all) {
  PaddedBuffer buf;
  buf.Append(doc);
  Walked w;
  const RecordParser::OnRecord keep = [&](const CloudTrailRecord&, std::string_view raw) {
    w.delivered.emplace_back(raw);
    return Status::Ok();
  };
  w.status = listed != nullptr ? parser.ForEachRecord(buf, *listed, {}, select_all, keep, w.counts)
                               : parser.ForEachRecord(buf, {}, select_all, keep, w.counts);
  return w;
}

// The scanner's one claim: when it passes a document, the walk from its
// record list ends exactly as the simdjson walk does.
void ExpectSameAsWalk(std::string_view doc, const IngestLimits& limits = {}) {
  const Scanned s = ScanInPieces(doc, 0, limits);
  if (!s.plain) return;
  RecordParser parser(limits);
  for (bool select_all : {false, true}) {
    const Walked simd = Walk(parser, doc, nullptr, select_all);
    const Walked listed = Walk(parser, doc, &s.records, select_all);
    // Unselected records are only cut out, so that walk must succeed.
    if (!select_all) {
      ASSERT_TRUE(simd.status.ok()) << simd.status.ToString() << "\ndoc: " << doc;
    }
    EXPECT_EQ(simd.status.ToString(), listed.status.ToString()) << "doc: " << doc;
    EXPECT_EQ(simd.counts.records, listed.counts.records) << "doc: " << doc;
    EXPECT_EQ(simd.counts.parsed, listed.counts.parsed) << "doc: " << doc;
    EXPECT_EQ(simd.counts.repaired, listed.counts.repaired) << "doc: " << doc;
    EXPECT_EQ(simd.delivered, listed.delivered) << "doc: " << doc;
  }
}

const std::string kRecordA =
    R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accessKeyId":"AKIAEXAMPLEEXAMPLE01",)"
    R"("userName":"al\"ice [x]","sessionContext":{"attributes":{"mfa":"false"}}},"eventTime":"2024-05-01T00:00:00Z",)"
    R"("eventName":"ListBuckets","requestParameters":{"list":[1,2,{"k":"}{]["}],"path":"C:\\dir\\"},)"
    R"("userAgent":"caf\u00e9 / café ✓","eventID":"e-1"})";
const std::string kRecordB =
    R"({"eventID":"e-2","userIdentity":{"type":"AssumedRole"},"responseElements":null,"x":[[],{}]})";

std::string Doc(const std::vector<std::string>& records, std::string_view sep = ",") {
  std::string d = R"({"Records":[)";
  for (size_t i = 0; i < records.size(); ++i) d += (i ? std::string(sep) : "") + records[i];
  return d + "]}";
}

TEST(StructureScanner, PlainDocumentIsCutIntoTheRecordsSimdjsonFinds) {
  const std::string doc = Doc({kRecordA, kRecordB, kRecordA});
  const Scanned s = ScanInPieces(doc, 0);
  ASSERT_TRUE(s.plain);
  EXPECT_EQ(Texts(doc, s.records), (std::vector<std::string>{kRecordA, kRecordB, kRecordA}));
  ExpectSameAsWalk(doc);
}

TEST(StructureScanner, WhitespaceAfterARecordBelongsToItsRawTextAsInSimdjson) {
  const std::string doc =
      " \n{ \"Records\" :\t[\n  " + kRecordA + " \n , " + kRecordB + "\r\n ] \n} \n";
  const Scanned s = ScanInPieces(doc, 0);
  ASSERT_TRUE(s.plain);
  EXPECT_EQ(Texts(doc, s.records),
            (std::vector<std::string>{kRecordA + " \n ", kRecordB + "\r\n "}));
  ExpectSameAsWalk(doc);
}

TEST(StructureScanner, EmptyRecordsArrayIsPlain) {
  const Scanned s = ScanInPieces(R"({"Records":[]})", 0);
  EXPECT_TRUE(s.plain);
  EXPECT_TRUE(s.records.empty());
}

TEST(StructureScanner, SameAnswerHoweverTheTextArrives) {
  const std::string doc = Doc({kRecordA, kRecordB, kRecordA, kRecordB});
  const Scanned whole = ScanInPieces(doc, 0);
  ASSERT_TRUE(whole.plain);
  for (size_t piece : {1, 2, 3, 7, 63, 64, 65, 100, 129}) {
    const Scanned s = ScanInPieces(doc, piece);
    EXPECT_TRUE(s.plain) << piece;
    EXPECT_EQ(Texts(doc, s.records), Texts(doc, whole.records)) << piece;
  }
}

// Everything else is left to the simdjson walk (which repairs, or rejects
// and names the fault).
TEST(StructureScanner, AnythingButThePlainShapeIsLeftToTheWalk) {
  const std::vector<std::string> not_plain = {
      Doc({kRecordA, kRecordB}, ""),    // missing comma (the walk repairs it)
      Doc({kRecordA, kRecordB}, ",,"),  // double comma
      Doc({kRecordA, "{}"}),            // empty record
      Doc({kRecordA, "[]"}),            // not an object
      Doc({kRecordA, R"({x:1})"}),      // no first key
      Doc({kRecordA, R"({"a" 1})"}),    // no colon after it
      // What simdjson's skipping miscounts at a record's first value: a
      // string followed by ':' (taken for a key), ',', ':' or a close.
      Doc({R"({"a":"1":"b","c":{}})", kRecordB}),
      Doc({R"({"a": "1" :"b"})", kRecordB}),
      Doc({R"({"a":,"b":1})", kRecordB}),
      Doc({R"({"a"::1})", kRecordB}),
      Doc({R"({"a":})", kRecordB}),
      Doc({R"({"a":]})", kRecordB}),
      Doc({kRecordA}).substr(0, 40),  // truncated
      Doc({kRecordA}).substr(0, Doc({kRecordA}).size() - 1),
      Doc({kRecordA}) + "x",                             // trailing content
      Doc({kRecordA}) + "{}",                            // a second document
      "\xEF\xBB\xBF" + Doc({kRecordA}),                  // byte order mark
      R"({"Records":[)" + kRecordA + R"(],"Other":1})",  // another member
      R"({"Other":1,"Records":[)" + kRecordA + "]}",
      R"({"Rec\u006frds":[)" + kRecordA + "]}",  // escaped key
      R"({"Records":{}})",                       // not an array
      R"(["Records"])",
      R"({"Records":[{"a":"b)"
      "\x01"
      R"("}]})",  // control character in a string
      R"({"Records":[{"a":"b)"
      "\t"
      R"("}]})",
      R"({"Records":[{"a":)"
      "\x01"
      R"(}]})",  // and outside one
      R"({"Records":[{"a":"caf)"
      "\xC3"
      R"("}]})",  // cut UTF-8 sequence
      R"({"Records":[{"a":"x)"
      "\xFF"
      R"("}]})",  // invalid byte
      R"({"Records":[{"a":"unclosed}]})",
      R"({"Records":[{"a":[1,2}]})",  // unbalanced inside a record
      R"({"Records":[{"a":1]]})",     // record closed by ']'
      "",
      "   ",
  };
  for (const std::string& doc : not_plain) EXPECT_FALSE(ScanInPieces(doc, 0).plain) << doc;
}

TEST(StructureScanner, LimitsAreLeftToTheWalkToReport) {
  IngestLimits limits;
  limits.max_record_bytes = kRecordA.size() - 1;
  EXPECT_FALSE(ScanInPieces(Doc({kRecordB, kRecordA}), 0, limits).plain);
  limits.max_record_bytes = kRecordA.size();
  EXPECT_TRUE(ScanInPieces(Doc({kRecordB, kRecordA}), 0, limits).plain);

  limits = IngestLimits{};
  limits.max_depth = 8;
  const std::string deep = R"({"Records":[{"a":[[[[[[[1]]]]]]]}]})";  // depth 10
  EXPECT_FALSE(ScanInPieces(deep, 0, limits).plain);
  limits.max_depth = 10;
  EXPECT_TRUE(ScanInPieces(deep, 0, limits).plain);
}

TEST(StructureScanner, LongStringsAndEscapesAcrossBlocks) {
  // Backslash runs and quotes landing on every offset around the 64-byte blocks.
  for (size_t pad = 0; pad < 70; ++pad) {
    for (const char* tail : {R"(\\)", R"(\")", R"(\\\")", R"(\\\\)", "\xC3\xA9", "\xE2\x9C\x93"}) {
      const std::string rec =
          R"({"k":")" + std::string(pad, 'x') + tail + R"(]}{[","n":{"m":[1]}})";
      const std::string doc = Doc({rec, kRecordB});
      for (size_t piece : {0, 1, 5, 64}) {
        const Scanned s = ScanInPieces(doc, piece);
        ASSERT_TRUE(s.plain) << doc << " piece " << piece;
        EXPECT_EQ(Texts(doc, s.records), (std::vector<std::string>{rec, kRecordB}));
      }
      ExpectSameAsWalk(doc);
    }
  }
}

// Random damage to a document: whenever the scanner still passes it, the
// walk from its list must end exactly as simdjson's walk does; and the
// scanner's answer never depends on how the text arrives.
TEST(StructureScanner, DamagedDocumentsNeverPassWhereTheWalkWouldNot) {
  const std::string base = Doc({kRecordA, kRecordB, kRecordA});
  const std::string alphabet = std::string("{}[]\",:\\ \n\t\x01 \x80\xC3\xA9xyz0-") + '\0';
  std::mt19937 rng(7);
  int passed = 0;
  for (int iter = 0; iter < 50000; ++iter) {
    std::string doc = base;
    const int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      // Most edits land near a record's start, where the shape matters most.
      size_t at = rng() % doc.size();
      if (rng() % 2) {
        const size_t rec = doc.find("{\"e", rng() % doc.size());
        if (rec != std::string::npos) at = std::min(doc.size() - 1, rec + rng() % 24);
      }
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 6) {
        case 0:
          doc.erase(at, 1);
          break;
        case 1:
          doc.insert(doc.begin() + std::ptrdiff_t(at), c);
          break;
        case 2:
          doc[at] = c;
          break;
        case 3:
          doc.resize(at);
          break;
        default: {  // a copy of some other stretch of the document
          const size_t from = rng() % doc.size(), len = 1 + rng() % 12;
          doc.insert(at, doc.substr(from, len));
          break;
        }
      }
    }
    const Scanned whole = ScanInPieces(doc, 0);
    const Scanned pieces = ScanInPieces(doc, 1 + rng() % 97);
    ASSERT_EQ(whole.plain, pieces.plain) << doc;
    if (!whole.plain) continue;
    ++passed;
    ASSERT_EQ(Texts(doc, whole.records), Texts(doc, pieces.records));
    ExpectSameAsWalk(doc);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(passed, 1000);  // the harmless edits (inside strings) do pass
}

}  // namespace
}  // namespace spacecrab::ingest
