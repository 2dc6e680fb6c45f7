// `spacecrab reconcile [--config CFG] [--dry-run] [--json] [--min-age D]
// [--delete-untracked]`: compare the store's AWS tokens with IAM in the honey
// account and repair what a crash, a throttled rollback or a hand edit left
// behind (provider/iam/iam_reconciler.h). A local command like `ingest`: it
// opens the store and IAM directly, so it works while `serve` is down.
//
// --min-age (default 10m) leaves intents younger than that alone: a running
// server may still be in the middle of them. After a crash, `--min-age 0`.
//
// Exit codes: 0 the walk finished and no IAM call failed (drift may still be
// reported: a key deleted by hand cannot be repaired); 1 IAM or store errors;
// 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/iam_maintenance.h"
#include "cli/command.h"
#include "config/config.h"
#include "core/time.h"
#include "store/store_factory.h"

namespace spacecrab::cli {
namespace {

using json = nlohmann::json;

json FindingsJson(const std::vector<IamFinding>& findings) {
  json out = json::array();
  for (const auto& f : findings) {
    out.push_back({{"what", f.what},
                   {"user_name", f.user_name},
                   {"access_key_id", f.access_key_id},
                   {"token_id", f.token_id},
                   {"detail", f.detail},
                   {"repaired", f.repaired}});
  }
  return out;
}

void PrintFindings(const char* label, const std::vector<IamFinding>& findings) {
  for (const auto& f : findings) {
    std::printf("%-9s %s: user %s", label, f.what.c_str(),
                f.user_name.empty() ? "-" : f.user_name.c_str());
    if (!f.access_key_id.empty()) std::printf(" key %s", f.access_key_id.c_str());
    if (!f.token_id.empty()) std::printf(" token %s", f.token_id.c_str());
    if (!f.detail.empty()) std::printf(" (%s)", f.detail.c_str());
    std::printf("\n");
  }
}

struct ReconcileArgs {
  std::string config_path;
  bool dry_run = false;
  bool json = false;
  std::string min_age = "10m";
  bool delete_untracked = false;
};

int RunReconcile(const ReconcileArgs& a) {
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "spacecrab reconcile: %s\n", message.c_str());
    return kExitFailure;
  };
  std::chrono::milliseconds min_age{0};
  if (a.min_age != "0") {
    auto d = ParseDuration(a.min_age);
    if (!d) {
      std::fprintf(stderr, "spacecrab reconcile: --min-age: expected a duration like 10m or 0\n");
      return kExitUsage;
    }
    min_age = *d;
  }
  auto config = LoadConfig(a.config_path, ProcessEnvironment());
  if (!config.ok()) return fail(config.status().message());
  if (config->provider != "aws")
    return fail("provider is \"" + config->provider +
                "\": only provider = \"aws\" has IAM state to reconcile");

  auto bundle = OpenStoreBundle(config->store.url);
  if (!bundle.ok()) return fail("[store] url: " + bundle.status().ToString());
  AwsIamOptions ao;
  ao.env = ProcessEnvironment();
  SystemClock clock;
  // Every account of the config; the JSON's top level merges them (findings
  // carry their account), "accounts" has one summary each.
  json merged = {{"dry_run", a.dry_run}, {"repairs", json::array()}, {"drift", json::array()},
                 {"errors", json::array()}, {"accounts", json::array()}};
  int intents = 0, tokens = 0, users = 0;
  bool clean = true, failed = false;
  for (AwsAccountConnection& c : ConnectAwsAccounts(*config, ao)) {
    if (!c.connection.ok()) {
      std::fprintf(stderr, "spacecrab reconcile: %s\n", c.connection.status().message().c_str());
      merged["errors"].push_back(c.name + ": " + c.connection.status().message());
      merged["accounts"].push_back({{"name", c.name}, {"error", c.connection.status().message()}});
      clean = false;
      failed = true;
      continue;
    }
    AwsIam& aws = **c.connection;
    IamReconcileRun run;
    run.aws = &aws;
    run.intents = bundle->iam_intents.get();
    run.store = bundle->store.get();
    run.clock = &clock;
    run.pool = bundle->key_pool.get();
    run.min_intent_age = min_age;
    run.repair = !a.dry_run;
    run.delete_untracked_users = a.delete_untracked;
    auto report = RunIamReconcile(run);
    if (!report.ok()) return fail(c.name + ": " + report.status().ToString());
    if (!merged.contains("account_id")) merged["account_id"] = aws.account_id;
    for (const auto& [kind, findings] :
         {std::pair{"repairs", &report->repairs}, std::pair{"drift", &report->drift}}) {
      for (json f : FindingsJson(*findings)) {
        f["account"] = c.name;
        merged[kind].push_back(std::move(f));
      }
    }
    for (const auto& e : report->errors) merged["errors"].push_back(c.name + ": " + e);
    intents += report->intents_examined;
    tokens += report->tokens_examined;
    users += report->users_examined;
    clean = clean && report->clean();
    failed = failed || !report->errors.empty();
    merged["accounts"].push_back({{"name", c.name},
                                  {"account_id", aws.account_id},
                                  {"clean", report->clean()},
                                  {"repairs", report->repairs.size()},
                                  {"drift", report->drift.size()},
                                  {"errors", report->errors.size()}});
    if (!a.json) {
      std::printf(
          "account %s (%s)%s: %zu repaired, %zu drift, %zu errors (examined %d intents, %d "
          "tokens, %d users)\n",
          aws.account_id.c_str(), c.name.c_str(), a.dry_run ? " (dry run: nothing changed)" : "",
          report->repairs.size(), report->drift.size(), report->errors.size(),
          report->intents_examined, report->tokens_examined, report->users_examined);
      PrintFindings("repaired", report->repairs);
      PrintFindings("drift", report->drift);
      for (const auto& e : report->errors) std::printf("error     %s\n", e.c_str());
    }
  }
  if (a.json) {
    merged["clean"] = clean;
    merged["intents_examined"] = intents;
    merged["tokens_examined"] = tokens;
    merged["users_examined"] = users;
    std::printf("%s\n", merged.dump(2).c_str());
  }
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

void RegisterReconcileCommand(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<ReconcileArgs>();
  auto* cmd = app.add_subcommand(
      "reconcile", "Compare AWS tokens in the store with IAM and repair half-made users and drift");
  cmd->add_option("-c,--config", a->config_path,
                  "Config file (default: ./spacecrab.toml if present)");
  cmd->add_flag("--dry-run", a->dry_run, "Report only; change nothing in IAM or the store");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  cmd->add_option("--min-age", a->min_age,
                  "Leave intents younger than this alone (a running server may own them); "
                  "0 after a crash")
      ->default_str("10m");
  cmd->add_flag("--delete-untracked", a->delete_untracked,
                "Also delete deny-all users no token names (an intent lost with the database)");
  cmd->callback([&ctx, a] { ctx.action = [a] { return RunReconcile(*a); }; });
}

}  // namespace spacecrab::cli
