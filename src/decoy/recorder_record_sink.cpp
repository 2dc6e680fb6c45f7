#include "decoy/recorder_record_sink.h"

#include <spdlog/spdlog.h>

namespace spacecrab::decoy {

void RecorderRecordSink::Deliver(DecoyRecord record) {
  if (record.token_id.empty()) return;
  ingest::Detection detection;
  detection.event = std::move(record.event);
  detection.token_status = record.token_status;
  detection.token_kind = TokenKind::kDecoy;
  detection.basis = MatchBasis::kAccessKeyId;
  Expected<size_t> fresh = recorder_.Record({detection});
  if (!fresh.ok()) {
    failures_.fetch_add(1);
    spdlog::warn("decoy endpoint: could not record event {} for {}: {}", detection.event.id,
                 detection.event.access_key_id, fresh.status().ToString());
    return;
  }
  recorded_.fetch_add(*fresh);
}

}  // namespace spacecrab::decoy
