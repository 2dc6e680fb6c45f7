#include "ingest/recorder.h"

#include <spdlog/spdlog.h>

#include "enrich/enricher.h"
#include "enrich/event_json.h"
#include "store/store.h"

namespace spacecrab::ingest {

Expected<size_t> Recorder::Record(const std::vector<Detection>& input) {
  if (input.empty()) return size_t{0};
  // Enriched before the Store sees them: the stored event and the one the
  // sink pages with carry the same enrichment{}.
  std::vector<Detection> enriched;
  if (o_.enricher != nullptr) {
    enriched = input;
    for (Detection& d : enriched) {
      Event& e = d.event;
      e.enrichment_json = enrich::MergeEnrichmentJson(
          e.enrichment_json, o_.enricher->Enrich(e.source_ip, e.user_agent));
    }
  }
  const std::vector<Detection>& detections = o_.enricher != nullptr ? enriched : input;
  std::vector<Event> events;
  events.reserve(detections.size());
  for (const Detection& d : detections) events.push_back(d.event);
  auto fresh = o_.store->RecordEvents(events);
  if (!fresh.ok()) {
    o_.metrics->source_errors.fetch_add(1, std::memory_order_relaxed);
    return fresh.status();
  }
  std::vector<Detection> new_ones;
  for (size_t i = 0; i < detections.size() && i < fresh->size(); ++i)
    if ((*fresh)[i]) new_ones.push_back(detections[i]);
  o_.metrics->detections.fetch_add(detections.size(), std::memory_order_relaxed);
  o_.metrics->detections_new.fetch_add(new_ones.size(), std::memory_order_relaxed);
  if (!new_ones.empty()) {
    if (Status s = o_.sink->OnDetections(new_ones); !s.ok()) {
      o_.metrics->sink_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("ingest: handing {} detections on failed: {}", new_ones.size(), s.ToString());
    }
  }
  return new_ones.size();
}

}  // namespace spacecrab::ingest
