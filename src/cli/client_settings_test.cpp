#include "cli/client_settings.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace spacecrab::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sc_cli_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ClientSettings, EnvironmentComesFirst) {
  auto s = ResolveClientSettings({{"SPACECRAB_ADDR", "http://127.0.0.1:9"}, {"SPACECRAB_API_KEY", "sck_a"}},
                                 "/nonexistent.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();  // the config is not even read
  EXPECT_EQ(s->addr, "http://127.0.0.1:9");
  EXPECT_EQ(s->api_key, "sck_a");
}

TEST(ClientSettings, ClientFileWrittenWithMode0600IsReadBack) {
  TempDir dir;
  const std::string file = ClientFilePath(dir.path());
  ASSERT_TRUE(WriteClientFile(file, {"http://127.0.0.1:8080", "sck_file"}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto s = ResolveClientSettings({{"SPACECRAB_CLIENT_FILE", file}}, "");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->addr, "http://127.0.0.1:8080");
  EXPECT_EQ(s->api_key, "sck_file");
}

TEST(ClientSettings, EnvironmentOverridesOneValueOfTheFile) {
  TempDir dir;
  const std::string file = dir.path() + "/c.json";
  ASSERT_TRUE(WriteClientFile(file, {"http://127.0.0.1:8080", "sck_file"}).ok());
  auto s = ResolveClientSettings({{"SPACECRAB_CLIENT_FILE", file}, {"SPACECRAB_API_KEY", "sck_env"}}, "");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->addr, "http://127.0.0.1:8080");
  EXPECT_EQ(s->api_key, "sck_env");
}

TEST(ClientSettings, FindsClientFileThroughConfigDataDir) {
  TempDir dir;
  const std::string config = dir.path() + "/spacecrab.toml";
  std::ofstream(config) << "[server]\ndata_dir = \"" << dir.path() << "/data\"\n";
  std::filesystem::create_directories(dir.path() + "/data");
  ASSERT_TRUE(WriteClientFile(dir.path() + "/data/client.json", {"http://127.0.0.1:7", "sck_cfg"}).ok());
  auto s = ResolveClientSettings({}, config);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->api_key, "sck_cfg");
}

TEST(ClientSettings, MissingValuesNameWhatWasTried) {
  TempDir dir;
  auto s = ResolveClientSettings({{"SPACECRAB_CLIENT_FILE", dir.path() + "/none.json"}}, "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "no server address: SPACECRAB_ADDR is not set, nor in " + dir.path() + "/none.json");
}

TEST(ClientSettings, MalformedFileAndAddressAreRejected) {
  TempDir dir;
  const std::string file = dir.path() + "/c.json";
  std::ofstream(file) << "[1,2]";
  auto s = ResolveClientSettings({{"SPACECRAB_CLIENT_FILE", file}}, "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  auto bad = ResolveClientSettings({{"SPACECRAB_ADDR", "127.0.0.1:8080"}, {"SPACECRAB_API_KEY", "k"}}, "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("http://"), std::string::npos);
}

}  // namespace
}  // namespace spacecrab::cli
