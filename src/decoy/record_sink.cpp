#include "decoy/record_sink.h"

#include <cerrno>
#include <cstring>

namespace spacecrab::decoy {

BufferedRecordSink::BufferedRecordSink(DecoyRecordSink& downstream,
                                       BufferedRecordSinkOptions options)
    : downstream_(downstream), capacity_(options.capacity == 0 ? 1 : options.capacity) {
  worker_ = std::thread([this] { Run(); });
}

BufferedRecordSink::~BufferedRecordSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void BufferedRecordSink::Deliver(DecoyRecord record) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= capacity_) {
      dropped_.fetch_add(1);
      return;
    }
    queue_.push_back(std::move(record));
  }
  wake_.notify_one();
}

void BufferedRecordSink::Flush() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void BufferedRecordSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stopping_) return;
      continue;
    }
    DecoyRecord record = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    downstream_.Deliver(std::move(record));
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

Expected<std::unique_ptr<JsonLinesRecordSink>> JsonLinesRecordSink::Open(const std::string& path) {
  if (path.empty()) return InvalidArgument("record file path is empty");
  if (path == "-") return std::unique_ptr<JsonLinesRecordSink>(new JsonLinesRecordSink(stdout));
  std::FILE* f = std::fopen(path.c_str(), "ae");
  if (f == nullptr) {
    return Unavailable("cannot open record file " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<JsonLinesRecordSink>(new JsonLinesRecordSink(f));
}

void JsonLinesRecordSink::Deliver(DecoyRecord record) {
  std::lock_guard lock(mu_);
  record.json.push_back('\n');
  std::fwrite(record.json.data(), 1, record.json.size(), file_.get());
  std::fflush(file_.get());
}

}  // namespace spacecrab::decoy
