#include "awsclient/testing/json_line_child.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace spacecrab {

int WaitOrKill(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

Expected<pid_t> SpawnProcess(const std::vector<std::string>& args, int stdin_fd, int stdout_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Unavailable(fmt::format("cannot run {}: {}", args[0], std::strerror(rc)));
  return pid;
}

Expected<std::unique_ptr<JsonLineChild>> JsonLineChild::Start(const std::vector<std::string>& args,
                                                              std::chrono::milliseconds timeout,
                                                              std::string_view what) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return Unavailable(fmt::format("pipe: {}", std::strerror(errno)));
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return Unavailable(fmt::format("pipe: {}", std::strerror(errno)));
  }
  auto pid = SpawnProcess(args, in[0], out[1]);
  close(in[0]);
  close(out[1]);
  std::unique_ptr<JsonLineChild> child(new JsonLineChild());
  child->stdin_fd_ = in[1];
  child->stdout_fd_ = out[0];
  if (!pid.ok()) return pid.status();
  child->pid_ = *pid;

  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Unavailable(fmt::format("{} did not start in time", what));
    pollfd p{child->stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(child->stdout_fd_, buf, sizeof buf);
    if (n <= 0)
      return Unavailable(fmt::format("{} exited before printing its endpoint (see stderr)", what));
    line.append(buf, static_cast<size_t>(n));
  }
  try {
    child->ready_line_ = nlohmann::json::parse(line.substr(0, line.find('\n')));
  } catch (const std::exception& e) {
    return Unavailable(fmt::format("{} printed an unexpected line: {}", what, e.what()));
  }
  return child;
}

JsonLineChild::~JsonLineChild() {
  if (stdin_fd_ >= 0) close(stdin_fd_);  // the child exits on EOF
  if (pid_ > 0) WaitOrKill(pid_, std::chrono::seconds(20));
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

}  // namespace spacecrab
