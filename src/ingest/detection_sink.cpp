#include "ingest/detection_sink.h"

#include <spdlog/spdlog.h>

namespace spacecrab::ingest {

Status LoggingDetectionSink::OnDetections(std::span<const Detection> detections) {
  for (const Detection& d : detections) {
    const Event& e = d.event;
    spdlog::warn(
        "key use detected: token={} key={} status={} event={} {}:{} region={} source_ip={} "
        "user_agent=\"{}\" error={} time={} origin={}",
        e.token_id, e.access_key_id, ToString(d.token_status), e.id, e.event_source,
        e.event_name, e.aws_region, e.source_ip, e.user_agent,
        e.error_code.empty() ? "-" : e.error_code, FormatRfc3339(e.event_time), e.origin);
  }
  return Status::Ok();
}

}  // namespace spacecrab::ingest
