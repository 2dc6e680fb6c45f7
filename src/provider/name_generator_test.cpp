#include "provider/name_generator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace spacecrab {
namespace {

// Hand-written matchers (not std::regex: GCC 12's <regex> trips
// -Wmaybe-uninitialized under the sanitizer build).
bool IsHex(char c, bool lower_only) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (!lower_only && c >= 'A' && c <= 'F');
}

// 8-4-4-4-12 hex groups at `i`. Pacu's SpaceSiren check: lower-case hex,
// version 4, variant [89aAbB].
bool UuidAt(const std::string& s, size_t i, bool pacu_v4) {
  static constexpr size_t kGroups[] = {8, 4, 4, 4, 12};
  size_t p = i;
  for (size_t g = 0; g < 5; ++g) {
    if (g > 0 && (p >= s.size() || s[p++] != '-')) return false;
    for (size_t k = 0; k < kGroups[g]; ++k, ++p) {
      if (p >= s.size()) return false;
      const char c = s[p];
      if (pacu_v4 && g == 2 && k == 0) {
        if (c != '4') return false;
      } else if (pacu_v4 && g == 3 && k == 0) {
        if (std::string_view("89aAbB").find(c) == std::string_view::npos) return false;
      } else if (!IsHex(c, pacu_v4)) {
        return false;
      }
    }
  }
  return true;
}

bool HasUuid(const std::string& s, bool pacu_v4) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (UuidAt(s, i, pacu_v4)) return true;
  }
  return false;
}

bool HasHexRun(const std::string& s, size_t n) {
  size_t run = 0;
  for (char c : s) {
    run = IsHex(c, false) ? run + 1 : 0;
    if (run >= n) return true;
  }
  return false;
}

bool IsIamNameCharset(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("+=,.@_-").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

// The checks honeytoken detectors run on the ARN an error message reveals:
// Pacu's iam__detect_honeytokens (canarytokens domains, "/SpaceCrab/" in the
// path, Canarytokens' account, UUID-v4 user names from SpaceSiren) plus the
// stricter version a careful attacker would apply (any product or lure word
// anywhere, any UUID, any long hex run). Returns the reason, or "".
std::string HoneytokenVerdict(const std::string& arn) {
  // SDB's AuthorizationFailure message, as Pacu parses it.
  const std::string message = "User (" + arn +
                              ") does not have permission to perform (sdb:ListDomains) on resource "
                              "(arn:aws:sdb:us-east-1:123456789012:domain/) ";
  if (message.find("canarytokens.com") != std::string::npos ||
      message.find("canarytokens.org") != std::string::npos)
    return "canarytokens domain";
  if (message.find("arn:aws:iam::") != std::string::npos &&
      message.find("/SpaceCrab/") != std::string::npos)
    return "/SpaceCrab/ path";
  if (message.find("arn:aws:iam::534261010715:") != std::string::npos)
    return "canarytokens account";
  if (HasUuid(message, /*pacu_v4=*/true)) return "uuid4 user name";
  std::string lower = arn;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : {"spacecrab", "crab", "honey", "canary", "decoy", "trap", "token", "bait",
                        "fake", "tripwire", "alarm", "siren", "lure", "deception"}) {
    if (lower.find(w) != std::string::npos) return std::string("word ") + w;
  }
  if (HasUuid(arn, false)) return "uuid";
  if (HasHexRun(arn, 16)) return "hex run";
  return "";
}

TEST(IamNameGenerator, ThousandNamesPassHoneytokenHeuristicsAndAreVaried) {
  SeededRandom random(20261123);
  auto gen = IamNameGenerator::Create(DefaultIamNameGeneratorOptions(), random);
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  std::set<std::string> taken;
  std::set<std::string> distinct_paths;
  std::map<std::string, int> styles;
  for (int i = 0; i < 1000; ++i) {
    auto name = gen->Next([&](std::string_view n) { return taken.count(std::string(n)) > 0; });
    ASSERT_TRUE(name.ok()) << name.status().ToString();
    const std::string arn = "arn:aws:iam::123456789012:user" + name->path + name->user_name;
    EXPECT_EQ(HoneytokenVerdict(arn), "") << arn;
    EXPECT_TRUE(IsIamNameCharset(name->user_name)) << name->user_name;
    EXPECT_TRUE(IamNameGenerator::IsPlausiblePath(name->path)) << name->path;
    taken.insert(name->user_name);
    distinct_paths.insert(name->path);
    styles[name->style]++;
  }
  // The caller's predicate makes every name unique; the generator must still
  // find them without falling back to numbering most of the time.
  EXPECT_EQ(taken.size(), 1000u);
  int numbered = 0;
  for (const auto& n : taken)
    numbered += std::isdigit(static_cast<unsigned char>(n.back())) ? 1 : 0;
  EXPECT_LT(numbered, 250) << "too many names needed a number";
  EXPECT_GE(distinct_paths.size(), 10u);
  EXPECT_GE(styles["service"], 200);
  EXPECT_GE(styles["tool"], 150);
  EXPECT_GE(styles["person"], 150);
}

TEST(IamNameGenerator, TheDetectorFlagsWhatItShould) {
  // The heuristic above must be able to fail, or the test proves nothing.
  EXPECT_NE(HoneytokenVerdict("arn:aws:iam::123456789012:user/SpaceCrab/alice"), "");
  EXPECT_NE(HoneytokenVerdict("arn:aws:iam::534261010715:user/bob"), "");
  EXPECT_NE(
      HoneytokenVerdict("arn:aws:iam::123456789012:user/6b1f3a2e-8c4d-4e5f-9a0b-1c2d3e4f5a6b"), "");
  EXPECT_NE(HoneytokenVerdict("arn:aws:iam::123456789012:user/ci/canary-deploy"), "");
  EXPECT_NE(
      HoneytokenVerdict("arn:aws:iam::123456789012:user/svc-6B1F3A2E8C4D4E5F9A0B1C2D3E4F5A6B"), "");
  EXPECT_EQ(HoneytokenVerdict("arn:aws:iam::123456789012:user/ci/jenkins-deploy"), "");
}

TEST(IamNameGenerator, SameSeedSameNames) {
  SeededRandom a(7), b(7);
  auto ga = IamNameGenerator::Create(DefaultIamNameGeneratorOptions(), a);
  auto gb = IamNameGenerator::Create(DefaultIamNameGeneratorOptions(), b);
  ASSERT_TRUE(ga.ok() && gb.ok());
  for (int i = 0; i < 50; ++i) {
    auto x = ga->Next(nullptr);
    auto y = gb->Next(nullptr);
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(x->user_name, y->user_name);
    EXPECT_EQ(x->path, y->path);
  }
}

TEST(IamNameGenerator, PersonTemplatesShareOneDrawPerList) {
  IamNameGeneratorOptions o;
  o.styles = {{"person", 1, {"{first}.{last}-{f}{l}"}, {"/"}}};
  o.words["first"] = {"maria", "john"};
  o.words["last"] = {"garcia", "smith"};
  SeededRandom random(1);
  auto gen = IamNameGenerator::Create(o, random);
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  for (int i = 0; i < 20; ++i) {
    auto n = gen->Next(nullptr);
    ASSERT_TRUE(n.ok());
    const auto dot = n->user_name.find('.');
    const auto dash = n->user_name.find('-');
    EXPECT_EQ(n->user_name[dash + 1], n->user_name[0]) << n->user_name;
    EXPECT_EQ(n->user_name[dash + 2], n->user_name[dot + 1]) << n->user_name;
  }
}

TEST(IamNameGenerator, RejectsWordListsThatGiveTheGameAway) {
  SeededRandom random(1);
  auto o = DefaultIamNameGeneratorOptions();
  o.words["purpose"].push_back("honeypot-monitor");
  EXPECT_EQ(IamNameGenerator::Create(o, random).status().code(), StatusCode::kInvalidArgument);

  o = DefaultIamNameGeneratorOptions();
  o.words["purpose"].push_back("bootstrap");  // contains "trap"
  EXPECT_EQ(IamNameGenerator::Create(o, random).status().code(), StatusCode::kInvalidArgument);

  o = DefaultIamNameGeneratorOptions();
  o.styles[0].path_templates.push_back("/Canary/");
  EXPECT_EQ(IamNameGenerator::Create(o, random).status().code(), StatusCode::kInvalidArgument);

  o = DefaultIamNameGeneratorOptions();
  o.styles[0].user_templates.push_back("{nosuchlist}-x");
  EXPECT_EQ(IamNameGenerator::Create(o, random).status().code(), StatusCode::kInvalidArgument);
}

TEST(IamNameGenerator, NumbersNamesWhenTheObviousOnesAreTaken) {
  IamNameGeneratorOptions o;
  o.styles = {{"person", 1, {"{f}{last}"}, {"/"}}};
  o.words["first"] = {"john"};
  o.words["last"] = {"smith"};
  SeededRandom random(3);
  auto gen = IamNameGenerator::Create(o, random);
  ASSERT_TRUE(gen.ok());
  std::set<std::string> taken{"jsmith"};
  auto n = gen->Next([&](std::string_view s) { return taken.count(std::string(s)) > 0; });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_NE(n->user_name, "jsmith");
  EXPECT_EQ(n->user_name.rfind("jsmith", 0), 0u) << n->user_name;
}

TEST(IamNameGenerator, GivesUpWhenEverythingIsTaken) {
  SeededRandom random(3);
  auto gen = IamNameGenerator::Create(DefaultIamNameGeneratorOptions(), random);
  ASSERT_TRUE(gen.ok());
  auto n = gen->Next([](std::string_view) { return true; });
  EXPECT_EQ(n.status().code(), StatusCode::kResourceExhausted);
}

TEST(IamNameGenerator, MachineGeneratedLooksAreRecognised) {
  EXPECT_TRUE(IamNameGenerator::LooksMachineGenerated("6b1f3a2e-8c4d-4e5f-9a0b-1c2d3e4f5a6b"));
  EXPECT_TRUE(IamNameGenerator::LooksMachineGenerated("user-a1b2c3d4e5"));
  EXPECT_FALSE(IamNameGenerator::LooksMachineGenerated("jenkins-deploy-03"));
  EXPECT_FALSE(IamNameGenerator::LooksMachineGenerated("deadbeef"));
}

}  // namespace
}  // namespace spacecrab
