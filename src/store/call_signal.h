// CallSignal: hands one value to one waiting thread, which may destroy the
// signal the moment it has the value.
//
// Group commit parks many calls and wakes each exactly once. A condition
// variable broadcast wakes every parked thread to re-take one mutex (most only
// to park again); std::atomic::notify_one after the store may touch the atomic
// after its owner saw the value, returned and freed it. Post() stores the
// value, then wakes through a raw futex on its address: if the owner is already
// gone, the wake lands on dead or reused memory, where it is harmless (EFAULT,
// or a spurious wakeup, which every futex waiter tolerates) — the same
// reasoning glibc's own mutex unlock relies on.
//
// Thread-safety: one Wait()er and one Post()er per use.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace spacecrab {

class CallSignal {
 public:
  static constexpr uint32_t kUnset = 0;

  // Blocks until Post; returns the posted value.
  uint32_t Wait() {
    uint32_t v;
    while ((v = value_.load(std::memory_order_acquire)) == kUnset) {
      syscall(SYS_futex, Address(), FUTEX_WAIT_PRIVATE, kUnset, nullptr, nullptr, 0);
    }
    return v;
  }

  // REQUIRES: value != kUnset; at most once per Wait.
  void Post(uint32_t value) {
    uint32_t* addr = Address();  // taken before the store: `this` may be gone after it
    value_.store(value, std::memory_order_release);
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }

 private:
  uint32_t* Address() { return reinterpret_cast<uint32_t*>(&value_); }

  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
                std::atomic<uint32_t>::is_always_lock_free);
  std::atomic<uint32_t> value_{kUnset};
};

}  // namespace spacecrab
