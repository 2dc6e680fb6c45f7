// ProgressBar: the ingest command's terminal progress line (stderr), and the
// tallies behind its summary. Redraws at most 10 times a second.
// Not thread-safe (called from the one polling thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "ingest/source.h"

namespace spacecrab::ingest {

struct IngestTally {
  uint64_t files_planned = 0, bytes_planned = 0;
  uint64_t files = 0, bytes = 0, records = 0, detections = 0, new_detections = 0;
  uint64_t quarantined = 0, skipped = 0;
};

class ProgressBar final : public ProgressObserver {
 public:
  explicit ProgressBar(bool draw) : draw_(draw), start_(std::chrono::steady_clock::now()) {}
  void OnPlanned(uint64_t files, uint64_t bytes) override;
  void OnFileDone(std::string_view name, const FileResult& result) override;
  void OnSkipped(std::string_view name) override;
  void Finish();  // clears the line
  const IngestTally& tally() const { return t_; }
  double Seconds() const;

 private:
  void Draw(bool force);
  bool draw_;
  std::chrono::steady_clock::time_point start_, last_draw_{};
  IngestTally t_;
};

}  // namespace spacecrab::ingest
