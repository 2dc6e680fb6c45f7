#include "awsclient/testing/aws_sandbox.h"

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

extern char** environ;

namespace spacecrab {
namespace {

#ifndef SPACECRAB_SOURCE_DIR
#error "SPACECRAB_SOURCE_DIR must be defined (path of the source tree)"
#endif

// Waits for `pid` up to `timeout`; kills it after that. Returns the exit status or -1.
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

Expected<pid_t> Spawn(const std::vector<std::string>& args, int stdin_fd, int stdout_fd) {
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

}  // namespace

bool AwsSandbox::Available(std::string* why) {
  const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  auto pid = Spawn({"python3", "-c", "import moto, boto3, werkzeug"}, -1, devnull);
  if (devnull >= 0) close(devnull);
  if (!pid.ok()) {
    if (why) *why = pid.status().message();
    return false;
  }
  if (WaitOrKill(*pid, std::chrono::seconds(60)) != 0) {
    if (why) *why = "python3 cannot import moto/boto3 (see scripts/setup.sh)";
    return false;
  }
  return true;
}

Expected<std::unique_ptr<AwsSandbox>> AwsSandbox::Start(const AwsSandboxOptions& options) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return Unavailable(fmt::format("pipe: {}", std::strerror(errno)));
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return Unavailable(fmt::format("pipe: {}", std::strerror(errno)));
  }
  std::vector<std::string> args = {"python3",
                                   std::string(SPACECRAB_SOURCE_DIR) + "/tests/sandbox/sandbox.py",
                                   "--port",
                                   "0",
                                   "--delay",
                                   fmt::format("{}", options.delivery_delay_seconds),
                                   "--until-stdin-closes"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto pid = Spawn(args, in[0], out[1]);
  close(in[0]);
  close(out[1]);
  std::unique_ptr<AwsSandbox> sb(new AwsSandbox());
  sb->stdin_fd_ = in[1];
  sb->stdout_fd_ = out[0];
  if (!pid.ok()) return pid.status();
  sb->pid_ = *pid;

  // One JSON line, within the timeout.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Unavailable("sandbox did not start in time");
    pollfd p{sb->stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(sb->stdout_fd_, buf, sizeof buf);
    if (n <= 0) return Unavailable("sandbox exited before printing its endpoint (see stderr)");
    line.append(buf, static_cast<size_t>(n));
  }
  try {
    const auto j = nlohmann::json::parse(line.substr(0, line.find('\n')));
    sb->endpoint = j.at("endpoint");
    sb->moto_endpoint = j.at("moto_endpoint");
    sb->account_id = j.at("account_id");
    sb->region = j.at("region");
    sb->trail_bucket = j.at("trail_bucket");
    sb->admin_access_key_id = j.at("admin_access_key_id");
    sb->admin_secret_access_key = j.at("admin_secret_access_key");
    sb->admin_arn = j.at("admin_arn");
  } catch (const std::exception& e) {
    return Unavailable(fmt::format("sandbox printed an unexpected line: {}", e.what()));
  }
  return sb;
}

AwsSandbox::~AwsSandbox() {
  if (stdin_fd_ >= 0) close(stdin_fd_);  // the sandbox exits on EOF
  if (pid_ > 0) WaitOrKill(pid_, std::chrono::seconds(20));
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

AwsSettings AwsSandbox::AdminSettings() const {
  AwsSettings s;
  s.credentials = {admin_access_key_id, admin_secret_access_key, "", "sandbox admin"};
  s.region = region;
  s.endpoint_url = endpoint;
  return s;
}

}  // namespace spacecrab
