// ByteReader: where a log file's stored bytes come from (a file descriptor,
// an S3 response body already in memory, a request body).
//
// Not thread-safe. Failure: Read returns kUnavailable/kDataLoss for I/O errors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace spacecrab::ingest {

class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to buf.size() bytes; 0 at end of input.
  virtual Expected<size_t> Read(std::span<uint8_t> buf) = 0;
  // The total stored size if known (for progress and buffer sizing).
  virtual std::optional<uint64_t> Size() const { return std::nullopt; }
};

class MemoryReader final : public ByteReader {
 public:
  explicit MemoryReader(std::string_view bytes) : bytes_(bytes) {}
  Expected<size_t> Read(std::span<uint8_t> buf) override;
  std::optional<uint64_t> Size() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// Reads an open file descriptor it owns (closed on destruction).
class FdReader final : public ByteReader {
 public:
  // Opens `path` read-only with O_CLOEXEC; "-" means standard input (not closed).
  static Expected<std::unique_ptr<FdReader>> Open(const std::string& path);
  ~FdReader() override;
  FdReader(const FdReader&) = delete;
  FdReader& operator=(const FdReader&) = delete;
  Expected<size_t> Read(std::span<uint8_t> buf) override;
  std::optional<uint64_t> Size() const override { return size_; }

 private:
  FdReader(int fd, bool owned, std::optional<uint64_t> size) : fd_(fd), owned_(owned), size_(size) {}
  int fd_;
  bool owned_;
  std::optional<uint64_t> size_;
};

}  // namespace spacecrab::ingest
