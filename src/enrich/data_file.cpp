#include "enrich/data_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace spacecrab::enrich {
namespace {

// Owns one file descriptor; closes it on every return path.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status ErrnoStatus(int err, std::string_view what, const std::string& path) {
  std::string message = std::string(what) + " " + path + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFound(std::move(message));
    case EACCES:
    case EPERM:
      return PermissionDenied(std::move(message));
    default:
      return DataLoss(std::move(message));
  }
}

}  // namespace

Expected<std::string> ReadDataFile(const std::string& path, std::string_view what) {
  if (path.empty()) return InvalidArgument(std::string(what) + ": no file configured");
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, what, path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, what, path);
  if (S_ISDIR(st.st_mode)) return ErrnoStatus(EISDIR, what, path);
  if (st.st_size > static_cast<off_t>(kMaxDataFileBytes)) {
    return ResourceExhausted(std::string(what) + " " + path + ": larger than " +
                             std::to_string(kMaxDataFileBytes >> 20) + " MiB");
  }
  std::string data;
  data.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, what, path);
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > kMaxDataFileBytes) {
      return ResourceExhausted(std::string(what) + " " + path + ": larger than " +
                               std::to_string(kMaxDataFileBytes >> 20) + " MiB");
    }
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

Expected<std::unique_ptr<DataFileLines>> DataFileLines::Open(const std::string& path, std::string_view what) {
  if (path.empty()) return InvalidArgument(std::string(what) + ": no file configured");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, what, path);
  std::unique_ptr<DataFileLines> lines(new DataFileLines(fd, path, what));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, what, path);
  if (S_ISDIR(st.st_mode)) return ErrnoStatus(EISDIR, what, path);
  if (st.st_size > static_cast<off_t>(kMaxDataFileBytes)) {
    return ResourceExhausted(std::string(what) + " " + path + ": larger than " +
                             std::to_string(kMaxDataFileBytes >> 20) + " MiB");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  lines->size_ = static_cast<size_t>(st.st_size);
  lines->buf_.resize(256 * 1024);
  return lines;
}

DataFileLines::~DataFileLines() { ::close(fd_); }

bool DataFileLines::Fill() {
  if (eof_ || !status_.ok()) return false;
  if (begin_ > 0) {  // keep the partial line, at the front
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {  // one line fills the buffer
    if (buf_.size() >= kMaxDataFileBytes) {
      status_ = ResourceExhausted(what_ + " " + path_ + ": a line longer than " +
                                  std::to_string(kMaxDataFileBytes >> 20) + " MiB");
      return false;
    }
    buf_.resize(std::min(buf_.size() * 2, kMaxDataFileBytes));
  }
  while (true) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0) {
      if (errno == EINTR) continue;
      status_ = ErrnoStatus(errno, what_, path_);
      return false;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

bool DataFileLines::Next(std::string_view& line) {
  while (true) {
    const char* from = buf_.data() + begin_;
    if (const void* nl = std::memchr(from, '\n', end_ - begin_)) {
      line = std::string_view(from, static_cast<size_t>(static_cast<const char*>(nl) - from));
      begin_ += line.size() + 1;
      break;
    }
    if (!Fill()) {
      if (!status_.ok() || begin_ == end_) return false;
      line = std::string_view(buf_.data() + begin_, end_ - begin_);  // the last line, without '\n'
      begin_ = end_;
      break;
    }
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++line_number_;
  return true;
}

FileStamp StatFile(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return {};
  FileStamp stamp;
  stamp.exists = true;
  stamp.device = static_cast<uint64_t>(st.st_dev);
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  stamp.size = static_cast<int64_t>(st.st_size);
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return stamp;
}

void WatchedFiles::MarkAttempt() {
  std::vector<FileStamp> stamps;
  stamps.reserve(paths_.size());
  for (const std::string& path : paths_) stamps.push_back(StatFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  stamps_ = std::move(stamps);
  attempted_ = true;
}

bool WatchedFiles::Changed() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!attempted_) return true;
  }
  std::vector<FileStamp> now;
  now.reserve(paths_.size());
  for (const std::string& path : paths_) now.push_back(StatFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  return now != stamps_;
}

bool LineCursor::Next(std::string_view& line) {
  if (rest_.empty()) return false;
  const size_t nl = rest_.find('\n');
  if (nl == std::string_view::npos) {
    line = rest_;
    rest_ = {};
  } else {
    line = rest_.substr(0, nl);
    rest_.remove_prefix(nl + 1);
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++line_number_;
  return true;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string QuoteForError(std::string_view text) {
  std::string out = "'";
  const size_t limit = 60;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (text.size() > limit) out += "...";
  out += "'";
  return out;
}

}  // namespace spacecrab::enrich
