// libFuzzer target: one CloudTrail log file through the Detector — the
// pre-filter scan, the strict and tolerant record walks, field parsing and
// matching — with a small key index, so inputs that mention its keys and
// users reach the record parser. Checks: no crash or sanitizer report, and
// every detection names an indexed token and carries an eventID.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/clock.h"
#include "core/key_matcher.h"
#include "ingest/detector.h"

namespace {

using namespace spacecrab;
using namespace spacecrab::ingest;

struct World {
  KeyMatcher matcher;
  ManualClock clock{FromUnixMillis(1'714'000'000'000)};
  Detector* detector = nullptr;
  World() {
    matcher.Reset(std::vector<IndexedKey>{
        {"AKIAQAAAAAAAAAAAAAAB", "tok_1", "111122223333", "svc-backup", TokenKind::kAws, TokenStatus::kActive},
        {"AKIAQAAAAAAAAAAAAAAC", "tok_2", "111122223333", "m.garcia", TokenKind::kAws, TokenStatus::kDeleted}});
    DetectorOptions o;
    o.matcher = &matcher;
    o.clock = &clock;
    o.limits.max_file_bytes = 8u << 20;
    o.limits.max_record_bytes = 64u << 10;
    o.limits.max_depth = 32;
    detector = new Detector(o);  // lives for the process, like a worker's
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  MemoryReader in(std::string_view(reinterpret_cast<const char*>(data), size));
  ScanOutcome out = world.detector->ScanLogFile(in, "fuzz");
  for (const Detection& d : out.detections) {
    if (d.event.id.empty()) std::abort();
    if (d.event.token_id != "tok_1" && d.event.token_id != "tok_2") std::abort();
  }
  // The same bytes as one record (push path).
  PaddedBuffer buf;
  buf.Append(std::string_view(reinterpret_cast<const char*>(data), size));
  ScanOutcome one;
  (void)world.detector->MatchRecordText(buf.view(), "fuzz", one);
  return 0;
}
