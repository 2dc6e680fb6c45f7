// Reading the offline data files the enrichers load (GeoIP tables, exit lists,
// cloud range lists), and noticing when one changes on disk.
//
// Errors are Status values that name the file: kNotFound when it is absent,
// kPermissionDenied when unreadable, kResourceExhausted when larger than the
// limit, kDataLoss for anything else read() reports. errno is converted here
// and nowhere else in the module.
//
// Thread-safety: free functions and plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <mutex>
#include <vector>

#include "core/status.h"

namespace spacecrab::enrich {

// The largest data file accepted. The real Tor GeoIP file is ~9 MB, AWS's
// ip-ranges.json ~2 MB, a GeoLite2-City .mmdb ~70 MB (that one is mapped by
// libmaxminddb, not read here).
inline constexpr size_t kMaxDataFileBytes = 256u << 20;

// The whole file. `what` names the data in messages ("tor exit list").
Expected<std::string> ReadDataFile(const std::string& path, std::string_view what);

// A data file read line by line through a small buffer, so a large one
// (Debian's geoip6 is 16 MB) is never held whole: a buffer that size costs
// more to fault in than the file costs to parse. Lines as LineCursor cuts
// them. Open fails like ReadDataFile; a read error or a line longer than
// kMaxDataFileBytes ends Next() and is in status().
class DataFileLines {
 public:
  static Expected<std::unique_ptr<DataFileLines>> Open(const std::string& path, std::string_view what);
  ~DataFileLines();
  DataFileLines(const DataFileLines&) = delete;
  DataFileLines& operator=(const DataFileLines&) = delete;

  // Next line without its terminator; false at the end (or on an error).
  // The view is valid until the next call.
  bool Next(std::string_view& line);
  int line_number() const { return line_number_; }
  const Status& status() const { return status_; }
  // The file's size when opened.
  size_t size() const { return size_; }

 private:
  DataFileLines(int fd, std::string path, std::string_view what) : fd_(fd), path_(std::move(path)), what_(what) {}
  bool Fill();  // reads more; false at end of file or on error

  int fd_;
  std::string path_;
  std::string what_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // unread bytes: buf_[begin_, end_)
  bool eof_ = false;
  int line_number_ = 0;
  size_t size_ = 0;
  Status status_;
};

// Identity of a file's content as far as stat(2) tells: a replaced or
// rewritten file gets a new stamp. A missing file has `exists == false`.
struct FileStamp {
  bool exists = false;
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};
FileStamp StatFile(const std::string& path);

// The files behind one data source and their stamps at the last load
// attempt, successful or not, so a periodic "reload if changed" retries a
// broken or missing file only once it changes.
// Thread-safety: all methods may be called concurrently.
class WatchedFiles {
 public:
  explicit WatchedFiles(std::vector<std::string> paths) : paths_(std::move(paths)) {}
  const std::vector<std::string>& paths() const { return paths_; }
  // Records the files' current stamps; call just before reading them.
  void MarkAttempt();
  // True before the first attempt and whenever a stamp differs from it.
  bool Changed() const;

 private:
  const std::vector<std::string> paths_;
  mutable std::mutex mu_;
  bool attempted_ = false;
  std::vector<FileStamp> stamps_;
};

// Walks `text` line by line ("\n" or "\r\n"), counting from 1, so parse
// errors can say "FILE:LINE".
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}
  // Next line without its terminator; false at the end.
  bool Next(std::string_view& line);
  int line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  int line_number_ = 0;
};

// Whitespace trimmed from both ends.
std::string_view TrimSpace(std::string_view s);

// "'text'" shortened to at most 60 characters for error messages, with
// control characters replaced, so a binary file cannot flood a log.
std::string QuoteForError(std::string_view text);

}  // namespace spacecrab::enrich
