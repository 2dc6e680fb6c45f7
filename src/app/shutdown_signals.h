// ShutdownSignals: turns SIGINT/SIGTERM into one call of a shutdown function,
// and each SIGHUP into a call of a reload function (log rotation: the JSON
// lines alert file is reopened).
//
// The constructor blocks SIGINT, SIGTERM and SIGHUP for the calling thread, so every
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

  // `on_reload` (may be empty) runs on the watcher thread for every SIGHUP.
  void Watch(std::function<void(int signal)> on_signal, std::function<void()> on_reload = {});

 private:
  sigset_t set_{};
  sigset_t previous_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace spacecrab
