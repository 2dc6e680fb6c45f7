// Helpers shared by the enrich tests: a scratch directory removed at the end
// of the test, and paths to the real data the tests read.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace spacecrab::enrich::testing {

inline std::string TestDataPath(const std::string& name) {
  return std::string(SPACECRAB_ENRICH_TEST_DATA) + "/" + name;
}

// The Debian tor-geoipdb files the enricher uses by default.
inline constexpr const char* kTorGeoIpV4 = "/usr/share/tor/geoip";
inline constexpr const char* kTorGeoIpV6 = "/usr/share/tor/geoip6";

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("enrich-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string Path(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to NAME (replacing it) and returns its path.
  std::string Write(const std::string& name, const std::string& content) const {
    const std::string p = Path(name);
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace spacecrab::enrich::testing
