#include "provider/user_name_generator.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace spacecrab {
namespace {

// Word lists drawn from names seen in real AWS accounts. None of them may name
// the product or hint at a lure (see DESIGN: "Nothing in AWS names the product").
constexpr std::array<std::string_view, 12> kServicePrefixes = {
    "svc", "app", "sa", "ci", "bot", "sys", "ops", "int", "prod", "data", "infra", "etl"};
constexpr std::array<std::string_view, 40> kFunctions = {
    "backup",    "deploy",   "billing",    "reporting", "metrics",  "logging", "s3-sync",
    "etl",       "airflow",  "analytics",  "payments",  "search",   "mailer",  "ingest",
    "export",    "archive",  "monitoring", "build",     "release",  "cdn",     "dns",
    "snapshots", "ledger",   "inventory",  "crm",       "invoices", "media",   "uploads",
    "scheduler", "alerts",   "vault",      "registry",  "gateway",  "cache",   "queue",
    "warehouse", "datalake", "sftp",       "batch",     "cron"};
constexpr std::array<std::string_view, 8> kEnvironments = {"prod",    "production", "prd", "stg",
                                                           "staging", "dev",        "qa",  "ops"};
constexpr std::array<std::string_view, 16> kTools = {
    "jenkins", "terraform", "gitlab-runner",    "github-actions", "circleci",  "ansible",
    "packer",  "bamboo",    "teamcity",         "argocd",         "spinnaker", "buildkite",
    "octopus", "datadog",   "splunk-forwarder", "veeam"};
constexpr std::array<std::string_view, 10> kToolRoles = {
    "deploy", "ci", "cd", "build", "automation", "prod", "release", "integration", "agent", "sync"};
constexpr std::array<std::string_view, 48> kGivenNames = {
    "anna",  "maria", "james",  "john",   "robert", "michael", "david", "sarah",
    "laura", "emma",  "olivia", "sophia", "daniel", "thomas",  "paul",  "mark",
    "linda", "susan", "karen",  "nancy",  "kevin",  "brian",   "jason", "ryan",
    "eric",  "peter", "julia",  "nina",   "elena",  "ivan",    "lucas", "mateo",
    "chen",  "wei",   "priya",  "rahul",  "arjun",  "fatima",  "omar",  "yusuf",
    "lena",  "jonas", "felix",  "marta",  "pablo",  "carlos",  "sofia", "hana"};
constexpr std::array<std::string_view, 48> kFamilyNames = {
    "garcia",   "smith",  "johnson", "williams", "brown",    "jones",    "miller",  "davis",
    "martinez", "lopez",  "wilson",  "anderson", "taylor",   "thomas",   "moore",   "martin",
    "lee",      "walker", "hall",    "young",    "king",     "wright",   "scott",   "green",
    "baker",    "adams",  "nelson",  "hill",     "campbell", "mitchell", "roberts", "carter",
    "kowalski", "novak",  "schmidt", "muller",   "weber",    "rossi",    "russo",   "dubois",
    "moreau",   "silva",  "santos",  "patel",    "kumar",    "singh",    "nguyen",  "tanaka"};

}  // namespace

size_t UserNameGenerator::Pick(size_t n) {
  // Rejection sampling keeps the choice unbiased.
  const uint64_t limit = (uint64_t{1} << 32) / n * n;
  for (;;) {
    uint8_t b[4];
    random_.Fill(b);
    const uint64_t v =
        (uint64_t(b[0]) << 24) | (uint64_t(b[1]) << 16) | (uint64_t(b[2]) << 8) | b[3];
    if (v < limit) return size_t(v % n);
  }
}

std::string UserNameGenerator::ServiceAccountName() {
  std::string out;
  switch (Pick(4)) {
    case 0:  // svc-backup-prod
      out.append(kServicePrefixes[Pick(kServicePrefixes.size())]).append("-");
      out.append(kFunctions[Pick(kFunctions.size())]).append("-");
      out.append(kEnvironments[Pick(kEnvironments.size())]);
      break;
    case 1:  // jenkins-deploy
      out.append(kTools[Pick(kTools.size())]).append("-");
      out.append(kToolRoles[Pick(kToolRoles.size())]);
      break;
    case 2:  // backup-prod
      out.append(kFunctions[Pick(kFunctions.size())]).append("-");
      out.append(kEnvironments[Pick(kEnvironments.size())]);
      break;
    default:  // svc-reporting
      out.append(kServicePrefixes[Pick(kServicePrefixes.size())]).append("-");
      out.append(kFunctions[Pick(kFunctions.size())]);
      break;
  }
  // Real accounts accumulate numbered siblings ("jenkins-deploy2", "svc-etl-prod-02").
  switch (Pick(8)) {
    case 0:
      out.append(std::to_string(2 + Pick(8)));
      break;
    case 1:
      out.append("-0").append(std::to_string(1 + Pick(9)));
      break;
    default:
      break;
  }
  return out;
}

std::string UserNameGenerator::PersonName() {
  const std::string_view given = kGivenNames[Pick(kGivenNames.size())];
  const std::string_view family = kFamilyNames[Pick(kFamilyNames.size())];
  std::string out;
  switch (Pick(4)) {
    case 0:  // m.garcia
      out.push_back(given[0]);
      out.append(".").append(family);
      break;
    case 1:  // jsmith
      out.push_back(given[0]);
      out.append(family);
      break;
    case 2:  // anna.kowalski
      out.append(given).append(".").append(family);
      break;
    default:  // garcia.m
      out.append(family).append(".");
      out.push_back(given[0]);
      break;
  }
  if (Pick(6) == 0) out.append(std::to_string(1 + Pick(9)));
  return out;
}

std::string UserNameGenerator::Next() {
  // Service accounts dominate machine credentials; people's keys are the rest.
  return Pick(3) == 0 ? PersonName() : ServiceAccountName();
}

bool UserNameGenerator::IsValidIamUserName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '_' ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace spacecrab
