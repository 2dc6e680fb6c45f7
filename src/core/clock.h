// Clock: the one source of "now", so tests can move time by hand.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <atomic>

#include "core/time.h"

namespace spacecrab {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

// A clock tests set and advance explicitly.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : ms_(ToUnixMillis(start)) {}
  Timestamp Now() const override { return FromUnixMillis(ms_.load()); }
  void Set(Timestamp t) { ms_ = ToUnixMillis(t); }
  void Advance(std::chrono::milliseconds d) { ms_ += d.count(); }

 private:
  std::atomic<int64_t> ms_;
};

}  // namespace spacecrab
