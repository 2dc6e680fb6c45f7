#include "enrich/tor_exit_list.h"

#include <gtest/gtest.h>

#include "enrich/test_util.h"

namespace spacecrab::enrich {
namespace {

using testing::ScratchDir;
using testing::TestDataPath;

bool Has(const TorExitList& list, const char* ip) { return list.Contains(*ParseIp(ip)); }

TEST(TorExitList, ReadsTheBulkExitListFormat) {
  auto list = TorExitList::Open(TestDataPath("tor-bulk-exit-list.txt"));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ((*list)->size(), 5u);
  EXPECT_TRUE(Has(**list, "185.220.101.1"));
  EXPECT_TRUE(Has(**list, "23.129.64.132"));
  EXPECT_TRUE(Has(**list, "2a0b:f4c2::26"));
  EXPECT_TRUE(Has(**list, "2a0b:f4c2:0000::0026"));  // any spelling of the address
  EXPECT_FALSE(Has(**list, "185.220.101.2"));
  EXPECT_FALSE(Has(**list, "2a0b:f4c2::27"));
}

TEST(TorExitList, ReadsTheExitAddressesDocument) {
  auto list = TorExitList::Open(TestDataPath("tor-exit-addresses.txt"));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ((*list)->size(), 4u);  // only ExitAddress lines count
  EXPECT_TRUE(Has(**list, "162.247.74.201"));
  EXPECT_TRUE(Has(**list, "23.129.64.132"));
  EXPECT_TRUE(Has(**list, "23.129.64.133"));
  EXPECT_TRUE(Has(**list, "2001:67c:e60:c0c:192:42:116:16"));
  EXPECT_FALSE(Has(**list, "23.129.64.134"));
}

TEST(TorExitList, DuplicatesAndCommentsAreHarmless) {
  auto set = ParseTorExitList("# generated\n1.2.3.4\n\n1.2.3.4\n  5.6.7.8  \n::ffff:9.9.9.9\n", "list");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->size(), 3u);
  EXPECT_TRUE(set->Contains(*ParseIp("9.9.9.9")));
}

TEST(TorExitList, GarbageFailsNamingFileAndLine) {
  auto set = ParseTorExitList("1.2.3.4\n<!DOCTYPE html>\n", "exits.txt");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(set.status().message().find("exits.txt:2:"), std::string::npos) << set.status().message();
  auto bad_exit = ParseTorExitList("ExitAddress not-an-ip 2023-11-22 10:03:32\n", "exits.txt");
  ASSERT_FALSE(bad_exit.ok());
  EXPECT_NE(bad_exit.status().message().find("exits.txt:1:"), std::string::npos);
  auto empty = ParseTorExitList("# nothing\n", "exits.txt");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no addresses"), std::string::npos);
}

TEST(TorExitList, ReloadPicksUpANewListAndKeepsTheOldOnFailure) {
  ScratchDir dir;
  const std::string path = dir.Write("exits", "1.2.3.4\n");
  auto list = TorExitList::Open(path);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(Has(**list, "1.2.3.4"));
  dir.Write("exits", "5.6.7.8\n2001:db8::9\n");
  ASSERT_TRUE((*list)->ChangedOnDisk());
  ASSERT_TRUE((*list)->Reload().ok());
  EXPECT_FALSE(Has(**list, "1.2.3.4"));
  EXPECT_TRUE(Has(**list, "5.6.7.8"));
  EXPECT_TRUE(Has(**list, "2001:db8::9"));
  dir.Write("exits", "");  // a truncated download
  EXPECT_FALSE((*list)->Reload().ok());
  EXPECT_TRUE(Has(**list, "5.6.7.8"));
}

}  // namespace
}  // namespace spacecrab::enrich
