#include "awsclient/testing/moto_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

extern char** environ;

namespace spacecrab {
namespace {

#ifndef SPACECRAB_SOURCE_DIR
#error "SPACECRAB_SOURCE_DIR must be defined (path of the source tree)"
#endif

// argv: [1] the sandbox directory, [2] unchecked actions.
constexpr const char* kWrapper = R"(
import json, sys
sys.path.insert(0, sys.argv[1])
from moto_process import MotoProcess
moto = MotoProcess(account_id=None, no_auth_actions=int(sys.argv[2])).start()
print(json.dumps({"endpoint": moto.endpoint}), flush=True)
try:
    sys.stdin.read()
finally:
    moto.stop()
)";

}  // namespace

Expected<std::unique_ptr<MotoServer>> MotoServer::Start(const MotoServerOptions& options) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return Unavailable(fmt::format("pipe: {}", std::strerror(errno)));
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return Unavailable(fmt::format("pipe: {}", std::strerror(errno)));
  }
  std::unique_ptr<MotoServer> server(new MotoServer());
  server->stdin_fd_ = in[1];
  server->stdout_fd_ = out[0];

  const std::vector<std::string> args = {"python3", "-c", kWrapper,
                                         std::string(SPACECRAB_SOURCE_DIR) + "/tests/sandbox",
                                         std::to_string(options.unchecked_actions)};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) return Unavailable(fmt::format("cannot run python3: {}", std::strerror(rc)));
  server->pid_ = pid;

  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Unavailable("moto_server did not start in time");
    pollfd p{server->stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(server->stdout_fd_, buf, sizeof buf);
    if (n <= 0) return Unavailable("moto_server exited before printing its endpoint (see stderr)");
    line.append(buf, static_cast<size_t>(n));
  }
  try {
    server->endpoint = nlohmann::json::parse(line.substr(0, line.find('\n'))).at("endpoint");
  } catch (const std::exception& e) {
    return Unavailable(fmt::format("moto wrapper printed an unexpected line: {}", e.what()));
  }
  return server;
}

MotoServer::~MotoServer() {
  if (stdin_fd_ >= 0) close(stdin_fd_);  // the wrapper stops moto on EOF
  if (pid_ > 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

}  // namespace spacecrab
