#include "ingest/file_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/test_support.h"

namespace spacecrab::ingest {
namespace {

using namespace testing;
namespace fs = std::filesystem;

constexpr char kAcct[] = "111122223333";
constexpr char kKey[] = "AKIAQAAAAAAAAAAAAAAB";

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("sc-ingest-test-" + std::to_string(::getpid()) + "-" +
                                               std::to_string(reinterpret_cast<uintptr_t>(this)));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

void Write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string UseFile(const std::string& id) {
  RecordSpec s;
  s.event_id = id;
  s.access_key_id = kKey;
  return GzipBytes(LogFileJson({RecordJson(s)}));
}

struct Fixture {
  std::vector<HoneyToken> tokens{Token("tok_01", kKey, kAcct, "svc-backup")};
  std::unique_ptr<Store> store = MemoryStoreWith(tokens);
  KeyMatcher matcher;
  ManualClock clock{FromUnixMillis(1'714'000'000'000)};
  IngestMetrics metrics;
  LoggingDetectionSink sink;
  LogOnlyQuarantine quarantine;
  Recorder recorder{RecorderOptions{store.get(), &sink, &metrics}};
  IngestPipeline pipeline{PipelineOptions{DetectorOptions{&matcher, &clock, {}, true}, &recorder, &quarantine, &metrics}};
  Fixture() { matcher.Reset(IndexedKeys(tokens)); }
};

TEST(FileSource, ListsLogFilesInKeyOrderAndSkipsDigests) {
  TempDir d;
  const fs::path base = d.path / "AWSLogs" / kAcct;
  Write(base / "CloudTrail/us-east-1/2024/05/01/b.json.gz", "x");
  Write(base / "CloudTrail/us-east-1/2024/05/01/a.json", "x");
  Write(base / "CloudTrail/us-east-1/2024/05/01/notes.txt", "x");
  Write(base / "CloudTrail-Digest/us-east-1/2024/05/01/d.json.gz", "x");
  Write(base / "CloudTrail-Insight/us-east-1/2024/05/01/i.json.gz", "x");
  std::vector<LocalFile> files;
  std::vector<std::string> skipped;
  ASSERT_TRUE(ListLogFiles(d.path.string(), files, skipped).ok());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(files[0].path.ends_with("a.json"));
  EXPECT_TRUE(files[1].path.ends_with("b.json.gz"));
  EXPECT_EQ(skipped.size(), 3u);  // notes.txt and the two folders
  EXPECT_EQ(ListLogFiles((d.path / "missing").string(), files, skipped).code(), StatusCode::kNotFound);
}

TEST(WatchDirSource, ReadsNewFilesOnceAcrossPollsAndRestarts) {
  Fixture f;
  TempDir d;
  Write(d.path / "one.json.gz", UseFile("w-1"));
  WatchDirSourceOptions o{d.path.string(), &f.pipeline, f.store.get(), &f.clock};
  {
    WatchDirSource source(o);
    ASSERT_TRUE(source.Poll({}).ok());
    EXPECT_EQ(f.metrics.files_processed.load(), 1u);
    ASSERT_TRUE(source.Poll({}).ok());
    EXPECT_EQ(f.metrics.files_processed.load(), 1u);  // not read again
  }
  Write(d.path / "two.json.gz", UseFile("w-2"));
  WatchDirSource restarted(o);  // a new process: state comes from the checkpoint
  ASSERT_TRUE(restarted.Poll({}).ok());
  EXPECT_EQ(f.metrics.files_processed.load(), 2u);
  EXPECT_EQ(f.metrics.detections_new.load(), 2u);
  EXPECT_TRUE(f.store->GetEvent("w-2").ok());
}

}  // namespace
}  // namespace spacecrab::ingest
