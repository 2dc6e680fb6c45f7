#include "alert/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace spacecrab::alert {
namespace {

using Clock = std::chrono::steady_clock;

// Owns a descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int* out() { return &fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct FileActions {
  posix_spawn_file_actions_t fa;
  FileActions() { posix_spawn_file_actions_init(&fa); }
  ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
};

struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// True once the child has exited (not reaped yet: WNOWAIT keeps its pid, and
// so its process group id, from being reused until we kill the group).
bool ChildExited(pid_t pid) {
  siginfo_t info{};
  info.si_pid = 0;
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;
  }
  return info.si_pid == pid;
}

}  // namespace

Expected<ChildResult> RunChild(const std::vector<std::string>& argv,
                               const std::vector<std::string>& env, const std::string& input,
                               std::chrono::milliseconds timeout) {
  if (argv.empty() || argv[0].empty()) return InvalidArgument("empty command");
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Unavailable(std::string("socketpair: ") + std::strerror(errno));
  }
  Fd in_parent(sv[0]), in_child(sv[1]);
  int ep[2];
  if (pipe2(ep, O_CLOEXEC) != 0) return Unavailable(std::string("pipe2: ") + std::strerror(errno));
  Fd err_parent(ep[0]), err_child(ep[1]);
  Fd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (devnull.get() < 0) return Unavailable(std::string("/dev/null: ") + std::strerror(errno));

  FileActions fa;
  posix_spawn_file_actions_adddup2(&fa.fa, in_child.get(), 0);
  posix_spawn_file_actions_adddup2(&fa.fa, devnull.get(), 1);
  posix_spawn_file_actions_adddup2(&fa.fa, err_child.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&fa.fa, 3);  // nothing else leaks in
  SpawnAttr sa;
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&sa.attr, &empty);
  posix_spawnattr_setsigdefault(&sa.attr, &all);
  posix_spawnattr_setpgroup(&sa.attr, 0);
  posix_spawnattr_setflags(&sa.attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa.fa, &sa.attr, cargv.data(), cenv.data());
  if (rc != 0) return Unavailable("cannot run " + argv[0] + ": " + std::strerror(rc));
  in_child.Reset();
  err_child.Reset();
  devnull.Reset();
  SetNonBlocking(in_parent.get());
  SetNonBlocking(err_parent.get());

  ChildResult result;
  const auto deadline = Clock::now() + timeout;
  size_t written = 0;
  bool exited = false;
  while (true) {
    if (written == input.size() && in_parent.get() >= 0) in_parent.Reset();  // EOF on stdin
    exited = ChildExited(pid);
    if (exited) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (err_parent.get() >= 0) fds[n++] = {err_parent.get(), POLLIN, 0};
    if (in_parent.get() >= 0) fds[n++] = {in_parent.get(), POLLOUT, 0};
    // Short ticks: the child's exit is polled, not signalled.
    ::poll(fds, n, static_cast<int>(std::min<int64_t>(left.count(), 5)));
    if (in_parent.get() >= 0) {
      ssize_t w = ::send(in_parent.get(), input.data() + written, input.size() - written,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        in_parent.Reset();  // the child closed stdin early; not an error by itself
        written = input.size();
      }
    }
    if (err_parent.get() >= 0) {
      char buf[1024];
      ssize_t r = ::read(err_parent.get(), buf, sizeof buf);
      if (r > 0 && result.stderr_head.size() < 4096) {
        result.stderr_head.append(buf, std::min<size_t>(r, 4096 - result.stderr_head.size()));
      }
      if (r == 0) err_parent.Reset();
    }
  }
  // Kill the whole group: a timed-out child and anything it left behind.
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out) {
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  }
  if (err_parent.get() >= 0) {
    char buf[1024];
    ssize_t r;
    while (result.stderr_head.size() < 4096 &&
           (r = ::read(err_parent.get(), buf, sizeof buf)) > 0) {
      result.stderr_head.append(buf, std::min<size_t>(r, 4096 - result.stderr_head.size()));
    }
  }
  return result;
}

}  // namespace spacecrab::alert
