#include "decoy/bounded_task_queue.h"

namespace spacecrab::decoy {

BoundedTaskQueue::BoundedTaskQueue(size_t threads, size_t max_pending,
                                   std::shared_ptr<ConnectionQueueStats> stats)
    : max_pending_(max_pending == 0 ? 1 : max_pending), stats_(std::move(stats)) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  std::unique_lock lock(mu_);
  if (jobs_.size() >= max_pending_) {
    if (stats_) stats_->waited_for_room.fetch_add(1);
    has_room_.wait(lock, [&] { return jobs_.size() < max_pending_ || shutting_down_; });
  }
  if (stats_) stats_->accepted.fetch_add(1);
  // Even while shutting down the job is run: it owns the accepted socket and
  // is the only thing that will close it.
  jobs_.push_back(std::move(fn));
  lock.unlock();
  has_job_.notify_one();
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_ && workers_.empty()) return;
    shutting_down_ = true;
  }
  has_job_.notify_all();
  has_room_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void BoundedTaskQueue::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      has_job_.wait(lock, [&] { return !jobs_.empty() || shutting_down_; });
      if (jobs_.empty()) return;  // shutting down and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    has_room_.notify_one();
    if (stats_) stats_->active.fetch_add(1);
    job();
    if (stats_) stats_->active.fetch_sub(1);
  }
}

}  // namespace spacecrab::decoy
