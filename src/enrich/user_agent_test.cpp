#include "enrich/user_agent.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "enrich/test_util.h"
#include "enrich/user_agent_rules.h"

namespace spacecrab::enrich {
namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, '\t')) out.push_back(field == "-" ? "" : field);
  return out;
}

// Every real user agent in tests/data/enrich/user-agents.tsv is classified as
// the table says: family, category, version, OS, distro, command, exec env, SDK.
TEST(UserAgent, RealUserAgentsFromTheSampleTable) {
  std::ifstream in(testing::TestDataPath("user-agents.tsv"));
  ASSERT_TRUE(in) << "missing user-agents.tsv";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = SplitTabs(line);
    ASSERT_EQ(f.size(), 9u) << line;
    const ToolInfo t = ClassifyUserAgent(f[0]);
    SCOPED_TRACE(f[0]);
    EXPECT_EQ(t.family, f[1]);
    EXPECT_EQ(ToString(t.category), f[2]);
    EXPECT_EQ(t.version, f[3]);
    EXPECT_EQ(t.os, f[4]);
    EXPECT_EQ(t.distro, f[5]);
    EXPECT_EQ(t.pentest_distro, f[5] == "kali" || f[5] == "parrot");
    EXPECT_EQ(t.command, f[6]);
    EXPECT_EQ(t.exec_env, f[7]);
    EXPECT_EQ(t.sdk, f[8]);
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

TEST(UserAgent, EmptyUserAgentHasNoTool) {
  EXPECT_EQ(ClassifyUserAgent("").family, "");
  EXPECT_EQ(ClassifyUserAgent("   ").family, "");
  EXPECT_EQ(ClassifyUserAgent("[]").family, "");
  EXPECT_EQ(ClassifyUserAgent("").category, ToolCategory::kUnknown);
}

TEST(UserAgent, MarkersMatchOnlyAtATokenBoundary) {
  // "curl/" inside "libcurl/" is not curl.
  EXPECT_EQ(ClassifyUserAgent("libcurl/7.88.1").family, "other");
  EXPECT_EQ(ClassifyUserAgent("mycurl/1.0").family, "other");
  EXPECT_EQ(ClassifyUserAgent("x curl/7.1").family, "curl");
  // "boto/" is not a prefix of "boto3/".
  EXPECT_EQ(ClassifyUserAgent("Boto/2.49.0 Python/2.7.18 Linux/5.4").family, "boto");
  EXPECT_EQ(ClassifyUserAgent("Boto/2.49.0 Python/2.7.18 Linux/5.4").version, "2.49.0");
  // aws-sdk-go/ and aws-sdk-go-v2/ are different SDKs.
  EXPECT_EQ(ClassifyUserAgent("aws-sdk-go-v2/1.2.3").family, "aws-sdk-go-v2");
  EXPECT_EQ(ClassifyUserAgent("aws-sdk-go/1.2.3").family, "aws-sdk-go");
}

TEST(UserAgent, MatchingIgnoresCase) {
  EXPECT_EQ(ClassifyUserAgent("AWS-CLI/2.0.0 python/3.8").family, "aws-cli");
  EXPECT_EQ(ClassifyUserAgent("boto3/1.24.0").version, "1.24.0");
  EXPECT_EQ(ClassifyUserAgent("TRUFFLEHOG").family, "trufflehog");
}

TEST(UserAgent, WrappersWinOverTheSdkTheyEmbed) {
  // Each of these also carries an SDK marker that would match on its own.
  const ToolInfo prowler = ClassifyUserAgent("Boto3/1.34.1 Python/3.11 Linux/6.1 Botocore/1.34.1 APN_1826889");
  EXPECT_EQ(prowler.family, "prowler");
  EXPECT_EQ(prowler.sdk, "boto3/1.34.1");
  const ToolInfo pacu = ClassifyUserAgent("Boto3/1.34.1 Python/3.11 Linux/6.1 Botocore/1.34.1 Pacu-Session-abc");
  EXPECT_EQ(pacu.family, "pacu");
  EXPECT_EQ(pacu.category, ToolCategory::kOffensive);
  const ToolInfo ps = ClassifyUserAgent(
      "aws-sdk-dotnet-coreclr/3.7.0 aws-sdk-dotnet-core/3.7.0 .NET_Core/6.0 OS/Linux AWSPowerShell.Common/4.1.500.0");
  EXPECT_EQ(ps.family, "aws-powershell");
  EXPECT_EQ(ps.version, "4.1.500.0");
  EXPECT_EQ(ps.sdk, "aws-sdk-dotnet/3.7.0");
}

TEST(UserAgent, ConsoleStringsAreNotPacuEvenThoughPacuListsThem) {
  EXPECT_EQ(ClassifyUserAgent("signin.amazonaws.com").family, "aws-console");
  EXPECT_EQ(ClassifyUserAgent("console.amazonaws.com").category, ToolCategory::kConsole);
}

TEST(UserAgent, PacuDisguiseNeedsTheExactString) {
  EXPECT_EQ(ClassifyUserAgent("Boto3/1.7.62 Python/3.7.0 Windows/10 Botocore/1.10.62").family, "pacu");
  // One character off is an ordinary (old) boto3.
  const ToolInfo near = ClassifyUserAgent("Boto3/1.7.62 Python/3.7.0 Windows/10 Botocore/1.10.63");
  EXPECT_EQ(near.family, "boto3");
  EXPECT_EQ(near.version, "1.7.62");
}

TEST(UserAgent, HostileInputIsHandled) {
  std::string huge(1 << 16, 'A');
  huge += " aws-cli/2.1.0";
  EXPECT_EQ(ClassifyUserAgent(huge).family, "aws-cli");
  std::string binary("\x00\xff\xfe\x1b[31m aws-cli/9\x07", 19);
  ASSERT_EQ(binary.size(), 19u);
  ASSERT_EQ(binary.back(), '\x07');
  const ToolInfo t = ClassifyUserAgent(binary);
  EXPECT_EQ(t.family, "aws-cli");  // found, and nothing crashed
  EXPECT_EQ(ClassifyUserAgent("command/").command, "");
  EXPECT_EQ(ClassifyUserAgent("aws-cli/").version, "");
  EXPECT_EQ(ClassifyUserAgent("aws-cli/x.y").version, "");
}

TEST(UserAgent, EveryRuleIsLowercaseAndReachable) {
  // A marker with capitals could never match the lowered user agent.
  for (const auto& rule : ua_rules::ToolRules()) {
    if (rule.match == ua_rules::Match::kExact) continue;
    for (char c : rule.marker) EXPECT_FALSE(c >= 'A' && c <= 'Z') << rule.marker;
    if (rule.match != ua_rules::Match::kToken) continue;
    // Each token rule names its own family when its marker stands alone
    // (so no earlier rule shadows it).
    const std::string ua = std::string(rule.marker) + (rule.version_follows ? "1.0" : "");
    EXPECT_EQ(ClassifyUserAgent(ua).family, rule.family) << rule.marker;
  }
}

TEST(UserAgent, LabelJoinsFamilyAndVersion) {
  EXPECT_EQ(ToolLabel(ClassifyUserAgent("aws-cli/2.4.23 Python/3.8.8")), "aws-cli/2.4.23");
  EXPECT_EQ(ToolLabel(ClassifyUserAgent("TruffleHog")), "trufflehog");
  EXPECT_EQ(ToolLabel(ClassifyUserAgent("")), "");
}

}  // namespace
}  // namespace spacecrab::enrich
