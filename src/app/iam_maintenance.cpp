#include "app/iam_maintenance.h"

#include <spdlog/spdlog.h>

#include "provider/iam/store_token_view.h"

namespace spacecrab {
namespace {

// "rolled back half-made user: user svc-x, key AKIA..., token tok_... (detail)"
std::string Describe(const IamFinding& f) {
  std::string out = f.what + ":";
  if (!f.user_name.empty()) out += " user " + f.user_name;
  if (!f.access_key_id.empty()) out += " key " + f.access_key_id;
  if (!f.token_id.empty()) out += " token " + f.token_id;
  if (!f.detail.empty()) out += " (" + f.detail + ")";
  return out;
}

}  // namespace

Expected<IamReconcileReport> RunIamReconcile(const IamReconcileRun& run) {
  if (!run.aws || !run.intents || !run.store || !run.clock)
    return InvalidArgument("IAM reconcile needs the AWS connection, intent log, store and clock");
  PoolAwareTokenView tokens(*run.store, run.pool);
  IamReconcileOptions o;
  o.iam = run.aws->iam.get();
  o.intents = run.intents;
  o.tokens = &tokens;
  o.clock = run.clock;
  o.account_id = run.aws->account_id;
  o.policy_name = run.aws->policy_name;
  o.min_intent_age = run.min_intent_age;
  o.opened_before = run.opened_before;
  o.repair = run.repair;
  o.delete_untracked_users = run.delete_untracked_users;
  return ReconcileIam(o);
}

IamMaintenance::IamMaintenance(IamMaintenanceOptions options)
    : options_(std::move(options)),
      created_at_(options_.run.clock ? options_.run.clock->Now() : Timestamp{}) {}

IamMaintenance::~IamMaintenance() { Stop(); }

void IamMaintenance::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void IamMaintenance::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<IamReconcileReport> IamMaintenance::LastReport() const {
  std::lock_guard lock(mu_);
  return last_;
}

int IamMaintenance::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

void IamMaintenance::Loop() {
  // First run: everything opened before this process could mint is fair game,
  // and nothing opened since — a fixed instant, not an age: the run itself
  // takes time, during which the warm pool's first mints begin.
  IamReconcileRun first = options_.run;
  first.opened_before = created_at_;
  RunOnce(first);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) break;
    lock.unlock();
    RunOnce(options_.run);
    lock.lock();
  }
}

void IamMaintenance::RunOnce(const IamReconcileRun& run) {
  auto report = RunIamReconcile(run);
  if (!report.ok()) {
    spdlog::warn("iam reconcile (account {}): {}", run.aws ? run.aws->account_id : "?",
                 report.status().ToString());
    std::lock_guard lock(mu_);
    ++runs_;
    return;
  }
  for (const auto& f : report->repairs) spdlog::info("iam reconcile: {}", Describe(f));
  for (const auto& f : report->drift) spdlog::warn("iam reconcile: {}", Describe(f));
  for (const auto& e : report->errors) spdlog::warn("iam reconcile: {}", e);
  spdlog::info(
      "iam reconcile (account {}): {} repaired, {} drift, {} errors; examined {} intents, {} "
      "tokens, {} users",
      run.aws->account_id, report->repairs.size(), report->drift.size(), report->errors.size(),
      report->intents_examined, report->tokens_examined, report->users_examined);
  std::lock_guard lock(mu_);
  ++runs_;
  last_ = std::move(report).value();
}

}  // namespace spacecrab
