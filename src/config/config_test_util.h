// Test helper: a temporary spacecrab.toml that is removed afterwards.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace spacecrab::testing {

class TempConfigFile {
 public:
  explicit TempConfigFile(const std::string& contents) {
    char tmpl[] = "/tmp/sc_config_test_XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/spacecrab.toml";
    std::ofstream(path_) << contents;
  }
  ~TempConfigFile() { std::filesystem::remove_all(dir_); }
  TempConfigFile(const TempConfigFile&) = delete;
  TempConfigFile& operator=(const TempConfigFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace spacecrab::testing
