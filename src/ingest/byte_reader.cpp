#include "ingest/byte_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace spacecrab::ingest {

Expected<size_t> MemoryReader::Read(std::span<uint8_t> buf) {
  const size_t n = std::min(buf.size(), bytes_.size() - pos_);
  std::memcpy(buf.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

Expected<std::unique_ptr<FdReader>> FdReader::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<FdReader>(new FdReader(STDIN_FILENO, false, std::nullopt));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable(path + ": " + std::strerror(errno));
  struct stat st{};
  std::optional<uint64_t> size;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = uint64_t(st.st_size);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<FdReader>(new FdReader(fd, true, size));
}

FdReader::~FdReader() {
  if (owned_) ::close(fd_);
}

Expected<size_t> FdReader::Read(std::span<uint8_t> buf) {
  while (true) {
    const ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n >= 0) return size_t(n);
    if (errno == EINTR) continue;
    return Unavailable(std::string("read: ") + std::strerror(errno));
  }
}

}  // namespace spacecrab::ingest
