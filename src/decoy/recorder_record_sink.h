// RecorderRecordSink: feeds decoy endpoint records into the same detection
// pipeline as CloudTrail ingest (Recorder -> Store, unique by eventID ->
// DetectionSink -> incidents and pages).
//
// Only records of known tokens become detections (the responder already
// looked the key up, so no second match is needed); the record's Event has
// origin "decoy", the CloudTrail-shaped JSON as raw_json, and
// {"signature_verified","key_check"} as its enrichment_json.
//
// Wiring (RunServe): DecoyServer -> BufferedRecordSink -> RecorderRecordSink,
// so request threads never wait on the store.
// Thread-safety: as thread-safe as the Recorder (which is, when its Store and
// DetectionSink are). The Recorder must outlive this sink.
#pragma once

#include <atomic>
#include <cstdint>

#include "decoy/decoy_record.h"
#include "ingest/recorder.h"

namespace spacecrab::decoy {

class RecorderRecordSink final : public DecoyRecordSink {
 public:
  explicit RecorderRecordSink(ingest::Recorder& recorder) : recorder_(recorder) {}
  void Deliver(DecoyRecord record) override;

  uint64_t recorded() const { return recorded_.load(); }
  uint64_t failures() const { return failures_.load(); }

 private:
  ingest::Recorder& recorder_;
  std::atomic<uint64_t> recorded_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace spacecrab::decoy
