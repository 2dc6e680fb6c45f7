// RunChild: run one program to completion with posix_spawn — argv array, no
// shell, a clean environment, input on stdin, bounded time.
//
// The child gets: stdin = `input` (then EOF), stdout = /dev/null, stderr =
// captured (first 4 KiB), its own process group, default signal dispositions
// and an empty signal mask, and no other descriptors. On timeout the whole
// process group is sent SIGKILL and reaped, so nothing outlives the call.
//
// Thread-safety: safe from any thread; SIGPIPE is avoided without touching
// process-wide signal state (stdin is a socket written with MSG_NOSIGNAL).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"

namespace spacecrab::alert {

struct ChildResult {
  bool timed_out = false;
  int exit_code = -1;  // when the child exited
  int signal = 0;      // when a signal ended it
  std::string stderr_head;
};

// kInvalidArgument for an empty argv; kUnavailable when the program cannot be
// started (missing, not executable) — reported, not thrown.
Expected<ChildResult> RunChild(const std::vector<std::string>& argv,
                               const std::vector<std::string>& env, const std::string& input,
                               std::chrono::milliseconds timeout);

}  // namespace spacecrab::alert
