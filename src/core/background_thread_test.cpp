#include "core/background_thread.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string>
#include <thread>

namespace spacecrab {
namespace {

std::string ThreadName(long tid) {
  std::ifstream comm("/proc/self/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

int NiceOf(long tid) {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
}

TEST(BackgroundThread, IsNamedAndNicedWithoutTouchingOtherThreads) {
  const long caller = syscall(SYS_gettid);
  const int caller_nice = NiceOf(caller);
  long tid = 0;
  std::string name;
  int nice = 0;
  std::thread t([&] {
    tid = syscall(SYS_gettid);
    MarkBackgroundThread("key-index-refresh-thread");  // longer than Linux's 15 characters
    name = ThreadName(tid);
    nice = NiceOf(tid);
  });
  t.join();
  EXPECT_EQ(name, "key-index-refre");
  EXPECT_EQ(nice, std::max(caller_nice, kBackgroundNice));
  EXPECT_EQ(NiceOf(caller), caller_nice) << "the caller's own priority must not change";
}

}  // namespace
}  // namespace spacecrab
