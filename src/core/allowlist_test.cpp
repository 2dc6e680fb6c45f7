#include "core/allowlist.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

Allowlist MustParse(const AllowlistSpec& spec) {
  auto a = Allowlist::Parse(spec);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? *a : Allowlist();
}

const std::map<std::string, std::string> kNoTags;

AllowlistSpec Cidrs(std::vector<std::string> v) {
  AllowlistSpec s;
  s.source_cidrs = std::move(v);
  return s;
}
AllowlistSpec Agents(std::vector<std::string> v) {
  AllowlistSpec s;
  s.user_agents = std::move(v);
  return s;
}
AllowlistSpec Tags(std::vector<std::string> v) {
  AllowlistSpec s;
  s.token_tags = std::move(v);
  return s;
}

TEST(Allowlist, EmptyAllowsNothing) {
  Allowlist a;
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(a.Match("198.51.100.7", "aws-cli/2", kNoTags));
}

TEST(Allowlist, Ipv4CidrMatchesInsideOnlyAndCarriesReason) {
  auto a = MustParse(Cidrs({"198.51.100.0/24 # red team"}));
  EXPECT_EQ(a.Match("198.51.100.200", "", kNoTags), "source 198.51.100.0/24 (red team)");
  EXPECT_FALSE(a.Match("198.51.101.1", "", kNoTags));
  EXPECT_FALSE(a.Match("AWS Internal", "", kNoTags));
  EXPECT_FALSE(a.Match("ec2.amazonaws.com", "", kNoTags));
}

TEST(Allowlist, Ipv4MatchesAsMappedIpv6) {
  auto a = MustParse(Cidrs({"198.51.100.0/25"}));
  EXPECT_TRUE(a.Match("::ffff:198.51.100.9", "", kNoTags));
  EXPECT_FALSE(a.Match("::ffff:198.51.100.129", "", kNoTags));
}

TEST(Allowlist, OddPrefixLengthsMaskBitsNotBytes) {
  auto a = MustParse(Cidrs({"10.0.0.0/9", "2001:db8:8000::/33"}));
  EXPECT_TRUE(a.Match("10.127.255.255", "", kNoTags));
  EXPECT_FALSE(a.Match("10.128.0.0", "", kNoTags));
  EXPECT_TRUE(a.Match("2001:db8:ffff::1", "", kNoTags));
  EXPECT_FALSE(a.Match("2001:db8:7fff::1", "", kNoTags));
}

TEST(Allowlist, Ipv6FormsParse) {
  auto a = MustParse(
      Cidrs({"2001:db8:7::/48", "::1", "fe80:0:0:0:0:0:0:1/128", "64:ff9b::192.0.2.0/120"}));
  EXPECT_TRUE(a.Match("2001:db8:7:1::42", "", kNoTags));
  EXPECT_TRUE(a.Match("2001:DB8:7:0:0:0:0:1", "", kNoTags));
  EXPECT_FALSE(a.Match("2001:db8:8::1", "", kNoTags));
  EXPECT_TRUE(a.Match("0:0:0:0:0:0:0:1", "", kNoTags));
  EXPECT_TRUE(a.Match("fe80::1", "", kNoTags));
  EXPECT_TRUE(a.Match("64:ff9b::c000:2ff", "", kNoTags));
  EXPECT_FALSE(a.Match("fe80::1%eth0", "", kNoTags));
}

TEST(Allowlist, SingleAddressWithoutPrefixIsHostRoute) {
  auto a = MustParse(Cidrs({"203.0.113.7"}));
  EXPECT_TRUE(a.Match("203.0.113.7", "", kNoTags));
  EXPECT_FALSE(a.Match("203.0.113.8", "", kNoTags));
}

TEST(Allowlist, RejectsMalformedCidrsNamingTheEntry) {
  for (std::string bad :
       {"300.1.1.1/8", "1.2.3.4/33", "1.2.3/24", "2001:db8::/129", "1::2::3", "1:2:3:4:5:6:7:8:9",
        "01.2.3.4", "", "12345::", "1.2.3.4::", "::1.2.3.4:5"}) {
    auto a = Allowlist::Parse(Cidrs({"10.0.0.0/8", bad}));
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(a.status().message().find("source_cidrs[1]"), std::string::npos);
  }
}

TEST(Allowlist, UserAgentGlobIsCaseInsensitiveWholeString) {
  auto a = MustParse(Agents({"*trufflehog* # secret scanner", "aws-cli/1.?.*"}));
  EXPECT_EQ(a.Match("", "Mozilla TruffleHog/3.63", kNoTags),
            "user agent \"*trufflehog*\" (secret scanner)");
  EXPECT_TRUE(a.Match("", "aws-cli/1.2.3 Python/3", kNoTags));
  EXPECT_FALSE(a.Match("", "aws-cli/1.22.3", kNoTags));
  EXPECT_FALSE(a.Match("", "boto3/1.28", kNoTags));
}

TEST(Allowlist, UserAgentRegexSearches) {
  auto a = MustParse(Agents({"re:^boto3/1\\.2[0-9]\\b"}));
  EXPECT_TRUE(a.Match("", "Boto3/1.28.3 md/Botocore#1.31", kNoTags));
  EXPECT_FALSE(a.Match("", "boto3/1.30", kNoTags));
  EXPECT_FALSE(Allowlist::Parse(Agents({"re:(unclosed"})).ok());
  EXPECT_FALSE(Allowlist::Parse(Agents({" # only a reason"})).ok());
}

TEST(Allowlist, TokenTagsMatchKeyOrKeyAndValue) {
  auto a = MustParse(Tags({"purpose=drill # quarterly exercise", "redteam"}));
  EXPECT_EQ(a.Match("1.2.3.4", "", {{"purpose", "drill"}}),
            "token tag purpose=drill (quarterly exercise)");
  EXPECT_FALSE(a.Match("1.2.3.4", "", {{"purpose", "prod"}}));
  EXPECT_EQ(a.Match("1.2.3.4", "", {{"redteam", "anything"}}), "token tag redteam");
  EXPECT_FALSE(Allowlist::Parse(Tags({"=x"})).ok());
}

TEST(Allowlist, GlobBacktracksAcrossStars) {
  auto a = MustParse(Agents({"*a*b*c"}));
  EXPECT_TRUE(a.Match("", "xxaxxbxxbxxc", kNoTags));
  EXPECT_FALSE(a.Match("", "xxaxxbxxcx", kNoTags));
}

}  // namespace
}  // namespace spacecrab
