#include "core/background_thread.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace spacecrab {

void MarkBackgroundThread(const char* name) {
  char short_name[16] = {};
  std::strncpy(short_name, name, sizeof(short_name) - 1);
  (void)pthread_setname_np(pthread_self(), short_name);
  // On Linux a nice value belongs to one thread (PRIO_PROCESS with a thread id).
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno == 0 && current >= kBackgroundNice) return;  // already as low (a niced service)
  (void)setpriority(PRIO_PROCESS, tid, kBackgroundNice);
}

}  // namespace spacecrab
