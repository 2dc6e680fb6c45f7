#include "ingest/progress_bar.h"

#include <fmt/format.h>

#include <cstdio>

namespace spacecrab::ingest {

double ProgressBar::Seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::OnPlanned(uint64_t files, uint64_t bytes) {
  t_.files_planned += files;
  t_.bytes_planned += bytes;
  Draw(false);
}

void ProgressBar::OnFileDone(std::string_view, const FileResult& r) {
  ++t_.files;
  t_.bytes += r.bytes_in;
  t_.records += r.records;
  t_.detections += r.detections;
  t_.new_detections += r.new_detections;
  t_.quarantined += r.quarantined ? 1 : 0;
  Draw(false);
}

void ProgressBar::OnSkipped(std::string_view) { ++t_.skipped; }

void ProgressBar::Draw(bool force) {
  if (!draw_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double frac = t_.bytes_planned ? double(t_.bytes) / double(t_.bytes_planned)
                      : t_.files_planned ? double(t_.files) / double(t_.files_planned) : 0.0;
  constexpr int kWidth = 28;
  const int filled = std::min(kWidth, int(frac * kWidth));
  const double secs = std::max(Seconds(), 1e-3);
  std::fprintf(stderr, "\r[%s%s] %3d%% %llu/%llu files  %.1f MB/s  %llu detections  %llu quarantined\x1b[K",
               std::string(size_t(filled), '#').c_str(), std::string(size_t(kWidth - filled), '.').c_str(),
               int(frac * 100), static_cast<unsigned long long>(t_.files),
               static_cast<unsigned long long>(t_.files_planned), double(t_.bytes) / 1e6 / secs,
               static_cast<unsigned long long>(t_.detections), static_cast<unsigned long long>(t_.quarantined));
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!draw_) return;
  Draw(true);
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

}  // namespace spacecrab::ingest
