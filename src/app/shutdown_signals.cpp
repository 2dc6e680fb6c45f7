#include "app/shutdown_signals.h"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace spacecrab {

ShutdownSignals::ShutdownSignals() {
  ::signal(SIGPIPE, SIG_IGN);
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

ShutdownSignals::~ShutdownSignals() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void ShutdownSignals::Watch(std::function<void(int)> on_signal, std::function<void()> on_reload) {
  thread_ = std::thread([this, on_signal = std::move(on_signal),
                         on_reload = std::move(on_reload)] {
    // Poll with a timeout so the destructor can end the thread without a signal.
    const timespec tick{0, 200 * 1000 * 1000};
    while (!done_) {
      const int sig = sigtimedwait(&set_, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        on_signal(sig);
        return;
      }
      if (sig == SIGHUP && on_reload) on_reload();
    }
  });
}

}  // namespace spacecrab
