// `spacecrab doctor [--config CFG] [--json] [--write-probe]`: checks that the
// configuration can work before anyone relies on it — the config itself, the
// data directory and secret key, the store, the data files enrichment reads,
// and for provider = "aws" the honey account: credentials and identity, IAM
// permissions and capacity (provider/iam/iam_doctor.h), the trail bucket
// readable, and a CloudTrail trail that is multi-region and logging.
//
// Read-only unless --write-probe (one generated IAM user made and deleted).
// Exit codes: 0 every check passed, 1 at least one failed, 2 usage.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/aws_iam.h"
#include "awsclient/cloudtrail_client.h"
#include "cli/command.h"
#include "config/config.h"
#include "crypto/random.h"
#include "crypto/secret_box.h"
#include "ingest/s3_client.h"
#include "provider/iam/iam_doctor.h"
#include "store/store_factory.h"

namespace spacecrab::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
};

struct S3Location {
  std::string bucket;
  std::string prefix;
};

std::optional<S3Location> ParseS3Url(const std::string& url) {
  if (url.rfind("s3://", 0) != 0) return std::nullopt;
  const std::string rest = url.substr(5);
  const size_t slash = rest.find('/');
  S3Location loc{rest.substr(0, slash), slash == std::string::npos ? "" : rest.substr(slash + 1)};
  if (loc.bucket.empty()) return std::nullopt;
  return loc;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool Readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

void CheckDataDir(const Config& c, std::vector<Check>& out) {
  const std::string& dir = c.server.data_dir;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    const bool w = ::access(dir.c_str(), W_OK | X_OK) == 0;
    out.push_back({"data dir", w, w ? dir + " is writable" : dir + " is not writable"});
    return;
  }
  const fs::path parent = fs::absolute(dir, ec).parent_path();
  const bool creatable = fs::is_directory(parent, ec) && ::access(parent.c_str(), W_OK) == 0;
  out.push_back({"data dir", creatable,
                 creatable
                     ? dir + " does not exist yet; serve creates it"
                     : "[server] data_dir: " + dir + " does not exist and cannot be created"});
}

void CheckSecretKey(const Config& c, std::vector<Check>& out) {
  if (!c.secrets.key.empty()) {
    auto box = SecretBox::FromKeyMaterial(c.secrets.key);
    out.push_back({"secret key", box.ok(),
                   box.ok() ? "[secrets] key is a valid 256-bit key"
                            : "[secrets] key: " + box.status().message()});
    return;
  }
  const std::string path =
      c.secrets.key_file.empty() ? c.server.data_dir + "/secret.key" : c.secrets.key_file;
  std::ifstream in(path);
  if (!in) {
    const bool fine = c.secrets.key_file.empty();
    out.push_back({"secret key", fine,
                   fine ? path + " does not exist yet; serve creates it"
                        : "[secrets] key_file: cannot read " + path});
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto box = SecretBox::FromKeyMaterial(text.str());
  out.push_back({"secret key", box.ok(),
                 box.ok() ? path + " holds a valid key" : path + ": " + box.status().message()});
}

void CheckStore(const Config& c, std::vector<Check>& out) {
  const std::string kind = c.store.url.substr(0, c.store.url.find(':'));
  auto bundle = OpenStoreBundle(c.store.url);
  if (!bundle.ok()) {
    out.push_back({"store", false, "[store] url (" + kind + "): " + bundle.status().ToString()});
    return;
  }
  Status ping = bundle->store->Ping();
  if (!ping.ok()) {
    out.push_back({"store", false, "[store] url (" + kind + "): " + ping.ToString()});
    return;
  }
  TokenFilter all, aws;
  aws.kind = TokenKind::kAws;
  auto n = bundle->store->CountTokens(all);
  auto n_aws = bundle->store->CountTokens(aws);
  auto open = bundle->iam_intents->ListOpen();
  std::string detail = kind + " store opened and migrated";
  if (n.ok() && n_aws.ok())
    detail += "; " + std::to_string(*n) + " tokens (" + std::to_string(*n_aws) + " aws)";
  if (open.ok() && !open->empty())
    detail += "; " + std::to_string(open->size()) +
              " open IAM intents (a running server's, or run `spacecrab reconcile`)";
  out.push_back({"store", true, detail});
}

void CheckFile(const std::string& key, const std::string& path, bool required,
               std::vector<Check>& out) {
  if (path.empty()) return;
  const bool ok = Readable(path);
  if (!ok && !required) return;  // optional defaults: absent means the feature is off
  out.push_back(
      {"data file " + key, ok, ok ? path + " is readable" : key + ": cannot read " + path});
}

void CheckDataFiles(const Config& c, std::vector<Check>& out) {
  CheckFile("[enrich] tor_exit_list", c.enrich.tor_exit_list, true, out);
  for (const auto& p : SplitList(c.enrich.geoip_db)) CheckFile("[enrich] geoip_db", p, true, out);
  for (const auto& p : SplitList(c.enrich.cloud_ranges))
    CheckFile("[enrich] cloud_ranges", p, true, out);
  CheckFile("[enrich] geoip_v4", c.enrich.geoip_v4, false, out);
  CheckFile("[enrich] geoip_v6", c.enrich.geoip_v6, false, out);
  for (const auto& d : c.ingest.watch_dirs) {
    std::error_code ec;
    const bool ok = fs::is_directory(d, ec) && Readable(d);
    out.push_back(
        {"watch dir", ok, ok ? d + " is readable" : "[ingest] watch_dirs: cannot read " + d});
  }
}

void CheckTrailBuckets(const Config& c, std::vector<Check>& out) {
  for (const auto& url : c.ingest.s3) {
    auto loc = ParseS3Url(url);
    if (!loc) {
      out.push_back({"trail bucket", false, "[ingest] s3: not s3://bucket/prefix: " + url});
      continue;
    }
    auto client = ingest::S3Client::Create(ingest::S3ClientOptionsFromConfig(c));
    if (!client.ok()) {
      out.push_back({"trail bucket", false, url + ": " + client.status().ToString()});
      continue;
    }
    ingest::S3ListRequest req;
    req.bucket = loc->bucket;
    req.prefix = loc->prefix;
    req.max_keys = 5;
    auto page = (*client)->ListObjectsV2(req);
    out.push_back({"trail bucket", page.ok(),
                   page.ok()
                       ? url + " is readable (" + std::to_string(page->objects.size()) +
                             (page->next_continuation_token.empty() ? "" : "+") + " objects seen)"
                       : "[ingest] s3 " + url + ": " + page.status().ToString()});
  }
}

void CheckCloudTrail(const Config& c, AwsIam& aws, std::vector<Check>& out) {
  CloudTrailClient trails(*aws.transport, aws.settings);
  auto list = trails.DescribeTrails();
  if (!list.ok()) {
    out.push_back({"cloudtrail", false, "DescribeTrails: " + list.status().ToString()});
    return;
  }
  std::vector<std::string> buckets;
  for (const auto& url : c.ingest.s3)
    if (auto loc = ParseS3Url(url)) buckets.push_back(loc->bucket);
  const CloudTrailTrail* chosen = nullptr;
  for (const auto& t : *list) {
    const bool feeds_us =
        buckets.empty() || std::find(buckets.begin(), buckets.end(), t.s3_bucket) != buckets.end();
    if (!feeds_us) continue;
    // Prefer a trail that is multi-region: that is the one that sees everything.
    if (!chosen || (!chosen->multi_region && t.multi_region)) chosen = &t;
  }
  if (!chosen) {
    out.push_back({"cloudtrail", false,
                   buckets.empty() ? "no trail in account " + aws.account_id
                                   : "no trail delivers to the [ingest] s3 bucket(s)"});
    return;
  }
  const std::string name = "trail " + chosen->name;
  out.push_back(
      {name + " multi-region", chosen->multi_region && chosen->include_global_service_events,
       chosen->multi_region ? (chosen->include_global_service_events
                                   ? "multi-region, with global service events (IAM, STS)"
                                   : "global service events are off: IAM and STS calls go unseen")
                            : "single-region (" + chosen->home_region +
                                  "): calls in other regions go unseen; make it multi-region"});
  auto logging = trails.IsLogging(chosen->arn.empty() ? chosen->name : chosen->arn);
  out.push_back({name + " logging", logging.ok() && *logging,
                 !logging.ok() ? "GetTrailStatus: " + logging.status().ToString()
                 : *logging    ? "logging to s3://" + chosen->s3_bucket
                               : "logging is stopped: nothing is delivered"});
}

// Every account of the config ([accounts.NAME], or the [aws] credentials'
// account); with several, each check's name starts with "[NAME] ".
void CheckAws(const Config& c, bool write_probe, std::vector<Check>& out) {
  AwsIamOptions ao;
  ao.env = ProcessEnvironment();
  ao.resolve_identity = false;  // CheckIamSetup reports the identity itself
  auto accounts = ConnectAwsAccounts(c, ao);
  const bool several = !c.accounts.empty();
  bool trail_buckets_checked = false;
  for (AwsAccountConnection& account : accounts) {
    const std::string prefix = several ? "[" + account.name + "] " : "";
    if (!account.connection.ok()) {
      out.push_back({prefix + "aws credentials", false, account.connection.status().message()});
      continue;
    }
    AwsIam& aws = **account.connection;
    out.push_back({prefix + "aws credentials", true, aws.Describe()});
    OpenSslRandom random;
    IamDoctorOptions o;
    o.iam = aws.iam.get();
    o.sts = aws.sts.get();
    o.random = &random;
    o.policy_name = aws.policy_name;
    o.expected_account_id = aws.account_id;  // configured (or implied by role_arn), if any
    o.write_probe = write_probe;
    bool identity_ok = false;
    for (auto& check : CheckIamSetup(o)) {
      if (check.name == "aws identity") identity_ok = check.ok;
      out.push_back({prefix + check.name, check.ok, check.detail});
    }
    if (!identity_ok) continue;
    if (auto id = aws.sts->GetCallerIdentity(); id.ok()) aws.account_id = id->account;
    if (!trail_buckets_checked) {
      CheckTrailBuckets(c, out);
      trail_buckets_checked = true;
    }
    std::vector<Check> trail;
    CheckCloudTrail(c, aws, trail);
    for (Check& t : trail) out.push_back({prefix + t.name, t.ok, t.detail});
  }
}

struct DoctorArgs {
  std::string config_path;
  bool json = false;
  bool write_probe = false;
};

int RunDoctor(const DoctorArgs& a) {
  std::vector<Check> checks;
  auto config = LoadConfig(a.config_path, ProcessEnvironment());
  if (!config.ok()) {
    checks.push_back({"config", false, config.status().message()});
  } else {
    checks.push_back(
        {"config", true,
         (config->source_path.empty() ? std::string("built-in defaults") : config->source_path) +
             "; provider \"" + config->provider + "\""});
    CheckDataDir(*config, checks);
    CheckSecretKey(*config, checks);
    CheckStore(*config, checks);
    CheckDataFiles(*config, checks);
    if (config->provider == "aws") CheckAws(*config, a.write_probe, checks);
  }
  bool all_ok = true;
  for (const auto& c : checks) all_ok = all_ok && c.ok;
  if (a.json) {
    json items = json::array();
    for (const auto& c : checks)
      items.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
    std::printf("%s\n", json{{"ok", all_ok}, {"checks", items}}.dump(2).c_str());
  } else {
    for (const auto& c : checks)
      std::printf("%-4s %-32s %s\n", c.ok ? "ok" : "FAIL", c.name.c_str(), c.detail.c_str());
    std::printf("%s\n", all_ok ? "all checks passed" : "some checks failed");
  }
  return all_ok ? kExitOk : kExitFailure;
}

}  // namespace

void RegisterDoctorCommand(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<DoctorArgs>();
  auto* cmd = app.add_subcommand(
      "doctor", "Check the config, store, data files and (provider aws) IAM access and the trail");
  cmd->add_option("-c,--config", a->config_path,
                  "Config file (default: ./spacecrab.toml if present)");
  cmd->add_flag("--json", a->json, "Print the checks as JSON");
  cmd->add_flag("--write-probe", a->write_probe,
                "Also prove IAM write access: create and delete one ordinary-looking IAM user");
  cmd->callback([&ctx, a] { ctx.action = [a] { return RunDoctor(*a); }; });
}

}  // namespace spacecrab::cli
