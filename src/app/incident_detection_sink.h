// IncidentDetectionSink: the seam between ingest and alerting. Every newly
// recorded use (from CloudTrail ingest or the decoy endpoint) goes to the
// incident stage, which groups it into an incident and queues its pages in
// the same transaction as the incident.
//
// A failure is returned to the Recorder (which counts and logs it); the
// events stay recorded without an incident and the periodic backlog pass
// (IncidentStage::ProcessBacklog) pages them later, so nothing is lost.
//
// The stage is attached once it exists (it needs the API's bound address
// for links); uses recorded before that wait for the backlog pass that
// follows Attach.
//
// Thread-safety: safe from any thread. Ownership: the attached stage must
// outlive the sink (or be detached with Attach(nullptr) first).
#pragma once

#include <atomic>
#include <span>
#include <vector>

#include "alert/incident_stage.h"
#include "ingest/detection_sink.h"

namespace spacecrab {

class IncidentDetectionSink final : public ingest::DetectionSink {
 public:
  void Attach(alert::IncidentStage* stage) { stage_.store(stage, std::memory_order_release); }

  Status OnDetections(std::span<const ingest::Detection> detections) override {
    alert::IncidentStage* stage = stage_.load(std::memory_order_acquire);
    if (stage == nullptr)
      return Unavailable("incident stage not started yet; the backlog pass will take these");
    std::vector<Event> events;
    events.reserve(detections.size());
    for (const auto& d : detections) events.push_back(d.event);
    return stage->OnEvents(events);
  }

 private:
  std::atomic<alert::IncidentStage*> stage_{nullptr};
};

}  // namespace spacecrab
