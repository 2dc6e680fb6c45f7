// Ready-made DecoyRecordSinks.
//
//   BufferedRecordSink  decouples request threads from a slower consumer (the
//                       detection pipeline): bounded queue, one delivery
//                       thread, never blocks a request; drops and counts when full.
//   JsonLinesRecordSink appends each record as one JSON line to a file or stdout.
//   FunctionRecordSink  adapts a callable (explicit wiring in the app).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "decoy/decoy_record.h"

namespace spacecrab::decoy {

struct BufferedRecordSinkOptions {
  size_t capacity = 10000;  // records held at most; more are dropped and counted
};

// Thread-safety: Deliver may be called from any thread. `downstream` is
// called from the sink's own thread only, one record at a time, and must
// outlive the sink. The destructor delivers what is queued, then joins.
class BufferedRecordSink final : public DecoyRecordSink {
 public:
  BufferedRecordSink(DecoyRecordSink& downstream, BufferedRecordSinkOptions options);
  ~BufferedRecordSink() override;
  BufferedRecordSink(const BufferedRecordSink&) = delete;
  BufferedRecordSink& operator=(const BufferedRecordSink&) = delete;

  void Deliver(DecoyRecord record) override;
  // Blocks until every record queued so far has been handed downstream.
  void Flush();
  uint64_t dropped() const { return dropped_.load(); }

 private:
  void Run();

  DecoyRecordSink& downstream_;
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<DecoyRecord> queue_;
  bool stopping_ = false;
  bool busy_ = false;
  std::atomic<uint64_t> dropped_{0};
  std::thread worker_;
};

// Thread-safe (one mutex); each line is flushed as written.
class JsonLinesRecordSink final : public DecoyRecordSink {
 public:
  // "-" means standard output. InvalidArgument/Unavailable if the file cannot be opened.
  static Expected<std::unique_ptr<JsonLinesRecordSink>> Open(const std::string& path);
  void Deliver(DecoyRecord record) override;

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const {
      if (f != nullptr && f != stdout) std::fclose(f);
    }
  };
  explicit JsonLinesRecordSink(std::FILE* file) : file_(file) {}
  std::mutex mu_;
  std::unique_ptr<std::FILE, FileCloser> file_;
};

// Calls `fn` for every record, on the caller's thread. `fn` must be thread-safe.
class FunctionRecordSink final : public DecoyRecordSink {
 public:
  explicit FunctionRecordSink(std::function<void(DecoyRecord)> fn) : fn_(std::move(fn)) {}
  void Deliver(DecoyRecord record) override { fn_(std::move(record)); }

 private:
  std::function<void(DecoyRecord)> fn_;
};

}  // namespace spacecrab::decoy
