// BoundedTaskQueue: cpp-httplib's connection queue with a ceiling.
//
// httplib's stock ThreadPool queues accepted connections without limit, so
// a flood of idle connections costs unbounded memory. This queue runs
// `threads` workers and holds at most `max_pending` accepted-but-unserved
// connections; when it is full, the accept thread waits here, so further
// clients wait in the kernel's listen backlog (and are refused once that is
// full) instead of piling up inside the process.
//
// Thread-safety: enqueue() is called by httplib's accept thread, workers run
// the jobs; shutdown() is called once, by the accept thread, and joins.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace spacecrab::decoy {

// Counters shared between the server and the queues httplib creates.
struct ConnectionQueueStats {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> waited_for_room{0};  // times the acceptor had to wait
  std::atomic<int64_t> active{0};            // connections being served now
};

class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  // REQUIRES: threads >= 1, max_pending >= 1. `stats` may be null.
  BoundedTaskQueue(size_t threads, size_t max_pending, std::shared_ptr<ConnectionQueueStats> stats);
  ~BoundedTaskQueue() override;
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work();

  const size_t max_pending_;
  std::shared_ptr<ConnectionQueueStats> stats_;
  std::mutex mu_;
  std::condition_variable has_job_;
  std::condition_variable has_room_;
  std::deque<std::function<void()>> jobs_;
  bool shutting_down_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace spacecrab::decoy
