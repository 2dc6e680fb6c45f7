#include "app/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/access_key.h"

namespace spacecrab {
namespace {

class DataDirTest : public ::testing::Test {
 protected:
  DataDirTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("sc-app-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  ~DataDirTest() override { std::filesystem::remove_all(dir_); }
  std::string Dir() const { return (dir_ / "data").string(); }

  std::filesystem::path dir_;
  OpenSslRandom random_;
};

TEST_F(DataDirTest, DecoyAccountIdIsCreatedOnceAndKept) {
  ASSERT_TRUE(EnsureDataDir(Dir()).ok());
  struct stat dir_stat {};
  ASSERT_EQ(::stat(Dir().c_str(), &dir_stat), 0);
  EXPECT_EQ(dir_stat.st_mode & 0777, 0700u);
  auto first = LoadOrCreateDecoyAccountId(Dir(), random_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(IsValidAccountId(*first));
  auto again = LoadOrCreateDecoyAccountId(Dir(), random_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  struct stat st {};
  ASSERT_EQ(::stat((Dir() + "/decoy_account_id").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ofstream(Dir() + "/decoy_account_id") << "12345\n";
  EXPECT_EQ(LoadOrCreateDecoyAccountId(Dir(), random_).status().code(), StatusCode::kDataLoss);
}

TEST_F(DataDirTest, ClientFileIsPrivateAndItsAddressCanBeRefreshed) {
  ASSERT_TRUE(EnsureDataDir(Dir()).ok());
  const std::string path = ClientFilePath(Dir());
  EXPECT_TRUE(UpdateClientFileAddr(path, "http://127.0.0.1:1").ok());  // absent: no-op
  EXPECT_FALSE(std::filesystem::exists(path));
  ASSERT_TRUE(WriteClientFile(path, "http://127.0.0.1:8080", "sck_secret").ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(UpdateClientFileAddr(path, "http://127.0.0.1:9999").ok());
  std::ifstream in(path);
  auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["addr"], "http://127.0.0.1:9999");
  EXPECT_EQ(doc["api_key"], "sck_secret");
}

}  // namespace
}  // namespace spacecrab
