#include "provider/user_name_generator.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

namespace spacecrab {
namespace {

TEST(UserNameGenerator, NamesAreValidIamNamesWithoutProductWords) {
  SeededRandom random(7);
  UserNameGenerator names(random);
  const char* banned[] = {"spacecrab", "honey", "canary", "decoy", "trap", "token", "test"};
  // A UUID or hash fragment: 8 hex characters in a row.
  auto looks_random = [](const std::string& name) {
    int run = 0;
    for (char c : name) {
      run = std::isxdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
      if (run >= 8) return true;
    }
    return false;
  };
  for (int i = 0; i < 5000; ++i) {
    const std::string name = names.Next();
    ASSERT_TRUE(UserNameGenerator::IsValidIamUserName(name)) << name;
    for (const char* word : banned) EXPECT_EQ(name.find(word), std::string::npos) << name;
    EXPECT_FALSE(looks_random(name)) << name;
    for (char c : name) EXPECT_FALSE(std::isupper(static_cast<unsigned char>(c))) << name;
  }
}

TEST(UserNameGenerator, ProducesBothServiceAndPersonShapes) {
  SeededRandom random(11);
  UserNameGenerator names(random);
  int person = 0, service = 0;
  std::set<std::string> distinct;
  for (int i = 0; i < 3000; ++i) {
    const std::string name = names.Next();
    distinct.insert(name);
    if (name.find('.') != std::string::npos || name.find('-') == std::string::npos)
      ++person;
    else
      ++service;
  }
  EXPECT_GT(person, 500);
  EXPECT_GT(service, 1000);
  // Wide enough that names rarely repeat among a few thousand tokens.
  EXPECT_GT(distinct.size(), 2000u);
}

TEST(UserNameGenerator, RejectsInvalidIamNames) {
  EXPECT_FALSE(UserNameGenerator::IsValidIamUserName(""));
  EXPECT_FALSE(UserNameGenerator::IsValidIamUserName(std::string(65, 'a')));
  EXPECT_FALSE(UserNameGenerator::IsValidIamUserName("bad name"));
  EXPECT_FALSE(UserNameGenerator::IsValidIamUserName("a/b"));
  EXPECT_TRUE(UserNameGenerator::IsValidIamUserName("svc-backup-prod"));
  EXPECT_TRUE(UserNameGenerator::IsValidIamUserName("m.garcia@example.com"));
}

}  // namespace
}  // namespace spacecrab
