// File sources: CloudTrail files on local disk.
//
// PathSource (one-shot, `spacecrab ingest PATH... | -`): files, directories
// (recursive; .json and .json.gz; a synced copy of a trail bucket's
// AWSLogs/... layout is read in key order, CloudTrail-Digest/ and
// CloudTrail-Insight/ skipped) and "-" for standard input. Explicitly named
// files (and pipes, e.g. a shell's <(...)) are read whatever their extension,
// inputs in the order given. No checkpoint: a re-run re-reads (duplicates
// collapse), which is what a retro-hunt wants.
//
// WatchDirSource (serve, `[ingest] watch_dirs`): polls a directory tree for
// new files. Checkpoint "dir:<path>" holds a DeliveryLedger keyed by file
// modification time, so files copied in late (with an old mtime) within the
// lateness window are still read, and a restart does not re-read the rest.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "ingest/source.h"

namespace spacecrab {
class Store;
}

namespace spacecrab::ingest {

struct LocalFile {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ms = 0;
};

// Expands `path` (file or directory) into log files, sorted by path.
// Non-log paths are counted in `skipped`. kNotFound if `path` does not exist.
Status ListLogFiles(const std::string& path, std::vector<LocalFile>& out, std::vector<std::string>& skipped);

struct PathSourceOptions {
  std::vector<std::string> inputs;       // paths, or "-" for stdin
  IngestPipeline* pipeline = nullptr;    // required, not owned
  ProgressObserver* progress = nullptr;  // optional
};

class PathSource final : public Source {
 public:
  explicit PathSource(PathSourceOptions options);
  const std::string& name() const override { return name_; }
  Status Poll(std::stop_token stop) override;

 private:
  PathSourceOptions o_;
  std::string name_ = "paths";
};

struct WatchDirSourceOptions {
  std::string dir;
  IngestPipeline* pipeline = nullptr;  // required, not owned
  Store* store = nullptr;              // required (checkpoints), not owned
  const Clock* clock = nullptr;        // required
  int64_t lateness_ms = 3600 * 1000;
};

class WatchDirSource final : public Source {
 public:
  explicit WatchDirSource(WatchDirSourceOptions options);
  const std::string& name() const override { return name_; }
  Status Poll(std::stop_token stop) override;

 private:
  WatchDirSourceOptions o_;
  std::string name_;
};

}  // namespace spacecrab::ingest
