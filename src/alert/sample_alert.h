// `spacecrab alert test`: a clearly marked sample page sent straight through
// the configured sinks (not the outbox), reporting each sink's result, so a
// team can check routing keys, addresses and webhooks before a real attack.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alert/sink_factory.h"
#include "core/alert.h"

namespace spacecrab::alert {

// A realistic alert with `test = true`: "[TEST]" in every summary.
Alert MakeSampleAlert(std::string_view public_url, Timestamp now);

struct SinkCheck {
  std::string sink;
  std::string kind;  // sink type
  Status status;
  int64_t elapsed_ms = 0;
};

// Sends the sample to every sink, or only to `only` when not empty
// (kNotFound in the result if no sink has that name). With
// `resolve_after`, a resolve follows each successful trigger, so PagerDuty
// does not keep a test incident open. The dedup key is unique per call.
std::vector<SinkCheck> SendSampleAlert(const std::vector<BuiltSink>& sinks, const std::string& only,
                                       std::string_view public_url, Timestamp now,
                                       bool resolve_after);

}  // namespace spacecrab::alert
