// DetectionSink: where newly recorded uses go next (the incident/alert stage).
//
// The Recorder calls OnDetections only with events that were new to the
// Store (first time their eventID was seen), after they were committed.
// Implementations must be thread-safe: several sources may record at once.
// A failure is counted and logged; the events stay recorded.
#pragma once

#include <span>

#include "core/event.h"
#include "core/honey_token.h"
#include "core/key_matcher.h"
#include "core/status.h"

namespace spacecrab::ingest {

struct Detection {
  Event event;
  TokenStatus token_status = TokenStatus::kActive;  // retired tokens still alert
  TokenKind token_kind = TokenKind::kDecoy;
  MatchBasis basis = MatchBasis::kAccessKeyId;
};

class DetectionSink {
 public:
  virtual ~DetectionSink() = default;
  virtual Status OnDetections(std::span<const Detection> detections) = 0;
};

// Until the incident stage lands: one warning log line per detection (no
// secrets: a key id is not one).
class LoggingDetectionSink final : public DetectionSink {
 public:
  Status OnDetections(std::span<const Detection> detections) override;
};

}  // namespace spacecrab::ingest
