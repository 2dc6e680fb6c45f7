#include "ingest/file_source.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "ingest/delivery_ledger.h"
#include "store/store.h"

namespace spacecrab::ingest {
namespace fs = std::filesystem;

bool IsNonLogPath(std::string_view p) {
  return p.find("CloudTrail-Digest/") != std::string_view::npos ||
         p.find("CloudTrail-Insight/") != std::string_view::npos ||
         p.find("_CloudTrail-Digest_") != std::string_view::npos ||
         p.find("_CloudTrail-Insight_") != std::string_view::npos;
}

bool HasLogFileExtension(std::string_view p) {
  return p.ends_with(".json") || p.ends_with(".json.gz");
}

namespace {

// Regular files; with `allow_streams`, also pipes and character devices
// (an explicitly named FIFO, /dev/stdin, a shell's <(zcat ...)).
std::optional<LocalFile> Stat(const std::string& path, bool allow_streams = false) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (!S_ISREG(st.st_mode)) {
    if (allow_streams && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) return LocalFile{path, 0, 0};
    return std::nullopt;
  }
  const int64_t ms = int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
  return LocalFile{path, uint64_t(st.st_size), ms};
}

}  // namespace

Status ListLogFiles(const std::string& path, std::vector<LocalFile>& out,
                    std::vector<std::string>& skipped) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return NotFound(path + ": no such file or directory");
  if (!fs::is_directory(status)) {
    if (IsNonLogPath(path)) {
      skipped.push_back(path);
      return Status::Ok();
    }
    if (auto f = Stat(path, /*allow_streams=*/true)) out.push_back(*f);
    return Status::Ok();
  }
  const size_t first = out.size();
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string p = it->path().string();
    if (it->is_directory(ec)) {
      if (IsNonLogPath(p + "/")) {
        skipped.push_back(p);
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!HasLogFileExtension(p) || IsNonLogPath(p)) {
      skipped.push_back(p);
      continue;
    }
    if (auto f = Stat(p)) out.push_back(*f);
  }
  if (ec) return Unavailable(path + ": " + ec.message());
  std::sort(out.begin() + std::ptrdiff_t(first), out.end(),
            [](const LocalFile& a, const LocalFile& b) { return a.path < b.path; });
  return Status::Ok();
}

PathSource::PathSource(PathSourceOptions options) : o_(std::move(options)) {}

Status PathSource::Poll(std::stop_token stop) {
  std::vector<LocalFile> files;
  std::vector<std::string> skipped;
  bool with_stdin = false;
  for (const auto& in : o_.inputs) {
    if (in == "-") {
      with_stdin = true;
      continue;
    }
    SC_RETURN_IF_ERROR(ListLogFiles(in, files, skipped));
  }
  IngestMetrics& m = *o_.pipeline->options().metrics;
  m.files_skipped.fetch_add(skipped.size(), std::memory_order_relaxed);
  if (o_.progress) {
    uint64_t bytes = 0;
    for (const auto& f : files) bytes += f.size;
    o_.progress->OnPlanned(files.size() + (with_stdin ? 1 : 0), bytes);
    for (const auto& s : skipped) o_.progress->OnSkipped(s);
  }
  auto process = [&](const std::string& path) -> Status {
    auto reader = FdReader::Open(path);
    if (!reader.ok()) {
      // Unreadable (permissions, vanished): quarantine-note it and go on.
      m.CountQuarantined(BadInput::kUnreadable);
      o_.pipeline->options().quarantine->Put(
          QuarantineItem{"file", path, BadInput::kUnreadable, reader.status().message(), {}});
      FileResult r;
      r.quarantined = true;
      r.reason = reader.status().message();
      if (o_.progress) o_.progress->OnFileDone(path, r);
      return Status::Ok();
    }
    auto r = o_.pipeline->ProcessLogFile(**reader, InputRef{"file", path == "-" ? "stdin" : path, "file", {}});
    if (!r.ok()) return r.status();
    if (o_.progress) o_.progress->OnFileDone(path, *r);
    return Status::Ok();
  };
  for (const auto& f : files) {
    if (stop.stop_requested()) return Status::Ok();
    SC_RETURN_IF_ERROR(process(f.path));
  }
  if (with_stdin && !stop.stop_requested()) SC_RETURN_IF_ERROR(process("-"));
  return Status::Ok();
}

WatchDirSource::WatchDirSource(WatchDirSourceOptions options)
    : o_(std::move(options)), name_("dir:" + fs::absolute(o_.dir).lexically_normal().string()) {}

Status WatchDirSource::Poll(std::stop_token stop) {
  SC_ASSIGN_OR_RETURN(auto checkpoint, o_.store->GetCheckpoint(name_));
  SC_ASSIGN_OR_RETURN(DeliveryLedger ledger,
                      DeliveryLedger::Parse(checkpoint ? checkpoint->position : "", o_.lateness_ms));
  std::vector<LocalFile> files;
  std::vector<std::string> skipped;
  SC_RETURN_IF_ERROR(ListLogFiles(o_.dir, files, skipped));
  // Oldest first, so the ledger's floor only passes files that are done.
  std::sort(files.begin(), files.end(), [](const LocalFile& a, const LocalFile& b) {
    return std::tie(a.mtime_ms, a.path) < std::tie(b.mtime_ms, b.path);
  });
  const std::string root = fs::absolute(o_.dir).lexically_normal().string();
  for (const auto& f : files) {
    if (stop.stop_requested()) break;
    const std::string rel = fs::relative(f.path, root).string();
    if (ledger.IsDone(f.mtime_ms, rel)) continue;
    auto reader = FdReader::Open(f.path);
    if (!reader.ok()) return reader.status();  // retried next poll; the ledger keeps order
    auto r = o_.pipeline->ProcessLogFile(**reader, InputRef{name_, f.path, "file", {}});
    if (!r.ok()) return r.status();
    ledger.MarkDone(f.mtime_ms, rel);
    SC_RETURN_IF_ERROR(o_.store->PutCheckpoint(Checkpoint{name_, ledger.Serialize(), o_.clock->Now()}));
  }
  return Status::Ok();
}

}  // namespace spacecrab::ingest
