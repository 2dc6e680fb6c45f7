// Source: one place CloudTrail comes from (paths and stdin, watched
// directories, S3 trail buckets). RunServe starts each behind a
// SourceRunner; `spacecrab ingest` polls them once.
//
// Poll() reads what is available now, records detections through its
// IngestPipeline, and persists a checkpoint (Store::PutCheckpoint) after each
// file whose detections are committed, so a restart resumes without loss.
// Re-reading a file is harmless (events are unique by eventID), so
// checkpoints may lag; they must never run ahead of committed detections.
//
// Failure: Poll returns an error for transient trouble (network, Store); the
// runner logs it, counts it and tries again next interval. Bad files are
// quarantined inside Poll and do not fail it.
// Thread-safety: a Source is polled by one thread at a time.
#pragma once

#include <cstdint>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ingest/pipeline.h"

namespace spacecrab::ingest {

// Progress callbacks for a terminal progress bar (ingest command). Called on
// the polling thread.
class ProgressObserver {
 public:
  virtual ~ProgressObserver() = default;
  // Work discovered so far (may grow while an S3 listing pages on).
  virtual void OnPlanned(uint64_t files, uint64_t bytes) = 0;
  virtual void OnFileDone(std::string_view name, const FileResult& result) = 0;
  virtual void OnSkipped(std::string_view name) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual const std::string& name() const = 0;
  virtual Status Poll(std::stop_token stop) = 0;
};

// True for keys/paths in CloudTrail-Digest/ or CloudTrail-Insight/ (or
// digest file names), which hold no API records.
bool IsNonLogPath(std::string_view path);
// True for names ending in .json or .json.gz (case-sensitive, as CloudTrail writes them).
bool HasLogFileExtension(std::string_view path);

}  // namespace spacecrab::ingest
