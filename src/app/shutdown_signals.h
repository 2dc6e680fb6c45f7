// ShutdownSignals: turns SIGINT/SIGTERM into one call of a shutdown function.
//
// The constructor blocks SIGINT and SIGTERM for the calling thread, so every
// thread started afterwards inherits the mask and no handler ever runs in an
// arbitrary thread. Watch() starts a thread that waits for either signal
// (sigtimedwait) and calls `on_signal` once. SIGPIPE is ignored process-wide
// (a client closing its socket must not kill the server).
//
// REQUIRES: construct on the main thread before any other thread starts.
// Ownership: the destructor stops the watcher thread and restores the mask.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace spacecrab {

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  void Watch(std::function<void(int signal)> on_signal);

 private:
  sigset_t set_{};
  sigset_t previous_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace spacecrab
