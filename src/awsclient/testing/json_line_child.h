// JsonLineChild: a helper process for tests (the AWS sandbox, a bare
// moto_server) that prints one JSON line when it is ready and exits when its
// stdin closes.
//
// Start() spawns `args` with posix_spawn, its stdin and stdout on pipes,
// reads the first line within `timeout` and parses it. The destructor closes
// the child's stdin and waits for it (SIGKILL after 20 s). Test-only code.
// Thread-safety: none needed (one owner). Failure: kUnavailable naming `what`
// when the child cannot run, exits early, is too slow or prints no JSON.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace spacecrab {

// posix_spawnp of args[0] with stdin/stdout from the given fds (-1: inherited).
Expected<pid_t> SpawnProcess(const std::vector<std::string>& args, int stdin_fd, int stdout_fd);
// Waits for `pid` up to `timeout`, then kills it. Its exit status, or -1.
int WaitOrKill(pid_t pid, std::chrono::milliseconds timeout);

class JsonLineChild final {
 public:
  static Expected<std::unique_ptr<JsonLineChild>> Start(const std::vector<std::string>& args,
                                                        std::chrono::milliseconds timeout,
                                                        std::string_view what);
  ~JsonLineChild();
  JsonLineChild(const JsonLineChild&) = delete;
  JsonLineChild& operator=(const JsonLineChild&) = delete;

  const nlohmann::json& ready_line() const { return ready_line_; }

 private:
  JsonLineChild() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  nlohmann::json ready_line_;
};

}  // namespace spacecrab
