#include "store/store_factory.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/store_test_util.h"

namespace spacecrab {
namespace {

TEST(StoreFactory, SqliteUrlCreatesParentDirectoryAndMigrates) {
  testing::TempDir dir;
  const std::string path = dir.File("nested/deeper/spacecrab.db");
  auto store = OpenStore("sqlite:" + path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE((*store)->Ping().ok());
  EXPECT_TRUE((*store)->InsertTokens(std::vector<HoneyToken>{testing::MakeToken(1)}).ok());
  EXPECT_EQ((*store)->CountTokens({}).value(), 1);
}

TEST(StoreFactory, InMemorySqliteForTests) {
  auto store = OpenStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->InsertTokens(std::vector<HoneyToken>{testing::MakeToken(1)}).ok());
}

TEST(StoreFactory, PostgresIsNotBuiltYet) {
  auto store = OpenStore("postgresql://user:hunter2@db.internal/spacecrab");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.status().message(), "PostgreSQL store is not built yet");
}

TEST(StoreFactory, UnknownSchemeOrEmptyPathIsInvalidArgument) {
  for (const char* url : {"mysql://user:hunter2@host/db", "data/spacecrab.db", "sqlite:", ""}) {
    auto store = OpenStore(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos);
  }
}

TEST(StoreFactory, BundleHandsOutEveryInterfaceOverOneDatabase) {
  testing::TempDir dir;
  const std::string url = "sqlite:" + dir.File("sub/spacecrab.db");
  auto bundle = OpenStoreBundle(url);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  ASSERT_TRUE(bundle->store && bundle->alerts && bundle->iam_intents);
  const HoneyToken tok = testing::MakeToken(1);
  ASSERT_TRUE(bundle->store->InsertTokens(std::vector<HoneyToken>{tok}).ok());
  EXPECT_EQ(bundle->alerts->GetToken(tok.id)->id, tok.id);
  IamIntent intent;
  intent.id = "iin_1";
  ASSERT_TRUE(bundle->iam_intents->Begin(intent).ok());
  // A plain OpenStore on the same file sees the same, migrated, database.
  auto store = OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->CountTokens({}).value(), 1);
}

TEST(StoreFactory, BundleRefusesWhatOpenStoreRefuses) {
  for (const char* url : {"postgresql://user:hunter2@db.internal/spacecrab", "sqlite:", "x"}) {
    auto bundle = OpenStoreBundle(url);
    ASSERT_FALSE(bundle.ok()) << url;
    EXPECT_EQ(bundle.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(bundle.status().message().find("hunter2"), std::string::npos);
  }
}

}  // namespace
}  // namespace spacecrab
