// PaddedBuffer: a growable byte buffer that always keeps kPadding readable
// bytes after its end, as simdjson requires of its input (it reads in SIMD
// blocks past the last byte). Decoders append into it; parsers read it.
//
// Not thread-safe. Growth invalidates pointers into it.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace spacecrab::ingest {

class PaddedBuffer {
 public:
  static constexpr size_t kPadding = 64;  // == SIMDJSON_PADDING

  PaddedBuffer() = default;
  PaddedBuffer(const PaddedBuffer&) = delete;
  PaddedBuffer& operator=(const PaddedBuffer&) = delete;
  PaddedBuffer(PaddedBuffer&&) = default;
  PaddedBuffer& operator=(PaddedBuffer&&) = default;

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_.get(), size_}; }

  // Ensures room for `n` bytes in total (plus padding). Keeps the contents.
  void Reserve(size_t n) {
    if (n <= capacity_) return;
    auto fresh = std::make_unique_for_overwrite<char[]>(n + kPadding);
    if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_);
    std::memset(fresh.get() + n, 0, kPadding);
    data_ = std::move(fresh);
    capacity_ = n;
  }
  // Free space after size(), growing geometrically to at least `want` bytes.
  char* PrepareAppend(size_t want) {
    if (capacity_ - size_ < want) Reserve(std::max(capacity_ * 2, size_ + want));
    return data_.get() + size_;
  }
  void Commit(size_t n) { size_ += n; }
  void Append(std::string_view s) {
    if (s.empty()) return;  // s.data() may be null
    std::memcpy(PrepareAppend(s.size()), s.data(), s.size());
    Commit(s.size());
  }
  void Clear() { size_ = 0; }
  // Frees memory beyond `keep` bytes of capacity, so one huge file does not pin RAM.
  void ShrinkTo(size_t keep) {
    if (capacity_ > keep) {
      data_.reset();
      capacity_ = 0;
      size_ = 0;
    }
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace spacecrab::ingest
