// Quarantine: where bad input is set aside with the reason, so an operator
// can look at it later while everything else keeps flowing.
//
// DirectoryQuarantine writes, per input, "<dir>/<time>-<name>.reason.json"
// ({source, name, reason, kind, bytes, time}) and, when the stored bytes are
// at hand and not larger than `max_copy_bytes`, a copy "<...>.bin". Local
// files are not moved (the archive may be read-only or someone else's).
// Thread-safe. Failure to write is logged, never fatal.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "ingest/ingest_metrics.h"

namespace spacecrab::ingest {

struct QuarantineItem {
  std::string_view source;  // "file", "s3://bucket/prefix", "push:cloudwatch"
  std::string_view name;    // path or key
  BadInput kind = BadInput::kMalformedJson;
  std::string_view reason;
  std::string_view bytes;   // stored bytes, or empty when not at hand
};

class Quarantine {
 public:
  virtual ~Quarantine() = default;
  virtual void Put(const QuarantineItem& item) = 0;
};

struct DirectoryQuarantineOptions {
  std::string dir;                        // created on first use
  size_t max_copy_bytes = 64u << 20;
  const Clock* clock = nullptr;           // required
};

class DirectoryQuarantine final : public Quarantine {
 public:
  explicit DirectoryQuarantine(DirectoryQuarantineOptions options) : o_(std::move(options)) {}
  void Put(const QuarantineItem& item) override;

 private:
  DirectoryQuarantineOptions o_;
  std::mutex mu_;
  uint64_t seq_ = 0;
};

// Only logs (used when there is no data directory, and in tests).
class LogOnlyQuarantine final : public Quarantine {
 public:
  void Put(const QuarantineItem& item) override;
};

}  // namespace spacecrab::ingest
