#include "app/provider_factory.h"

#include <fmt/format.h>

#include <optional>

#include <spdlog/spdlog.h>

#include "api/metrics.h"
#include "provider/account_pool.h"
#include "provider/decoy_provider.h"
#include "provider/iam/iam_provider.h"

namespace spacecrab {
namespace {

// The IamProvider borrows the IAM client; this keeps the connection alive as
// long as the provider is.
class AwsIamProvider final : public Provider {
 public:
  AwsIamProvider(std::shared_ptr<AwsIam> aws, std::unique_ptr<IamProvider> iam)
      : aws_(std::move(aws)), iam_(std::move(iam)) {}
  TokenKind kind() const override { return TokenKind::kAws; }
  Expected<MintedKey> Mint(const std::string& hint_user_name) override {
    return iam_->Mint(hint_user_name);
  }
  Status Revoke(const HoneyToken& token) override { return iam_->Revoke(token); }
  Status Delete(const HoneyToken& token) override { return iam_->Delete(token); }
  Expected<MintedKey> Rotate(const HoneyToken& token) override { return iam_->Rotate(token); }
  Status ConfirmStored(const std::string& access_key_id) override {
    return iam_->ConfirmStored(access_key_id);
  }
  void Abandon(const MintedKey& key) override { iam_->Abandon(key); }
  ProviderRoom Room() const override { return iam_->Room(); }

 private:
  std::shared_ptr<AwsIam> aws_;
  std::unique_ptr<IamProvider> iam_;
};

// One account: its IAM provider, behind a warm pool when its pool_size > 0.
// Appends the layers it owns to `out.layers`; returns the account's provider
// (owned by the caller when it is the only account).
Expected<std::unique_ptr<Provider>> BuildAccount(const Config& config, const ProviderDeps& deps,
                                                 std::shared_ptr<AwsIam> aws,
                                                 BuiltProviders& out) {
  IamProviderOptions po;
  po.iam = aws->iam.get();
  po.intents = deps.iam_intents;
  po.clock = deps.clock;
  po.random = deps.random;
  po.account_id = aws->account_id;
  po.region = config.aws.region;
  po.policy_name = aws->policy_name;
  po.max_users = aws->max_users;
  if (!config.aws.user_name_templates.empty()) {
    // The operator's own naming convention, over the built-in word lists.
    IamNameStyle style;
    style.name = "configured";
    style.user_templates = config.aws.user_name_templates;
    style.path_templates = config.aws.path_templates;
    if (style.path_templates.empty()) style.path_templates = {"/"};
    po.names.styles = {std::move(style)};
  } else if (!config.aws.path_templates.empty()) {
    for (IamNameStyle& style : po.names.styles) style.path_templates = config.aws.path_templates;
  }
  if (Status names = IamNameGenerator::Create(po.names, *deps.random).status(); !names.ok())
    return InvalidArgument("[aws] user_name_templates / path_templates: " + names.message());
  auto iam = IamProvider::Create(std::move(po));
  if (!iam.ok()) {
    return Status(iam.status().code(), "provider \"aws\": IAM in account " + aws->account_id +
                                           " (" + aws->name + ", " + aws->Describe() +
                                           "): " + iam.status().message());
  }
  std::unique_ptr<Provider> account = std::make_unique<AwsIamProvider>(aws, std::move(iam).value());
  BuiltAwsAccount built{aws->name, aws, nullptr, account.get()};
  if (aws->pool_size > 0) {
    if (!deps.key_pool || !deps.secret_box || !deps.store)
      return InvalidArgument(
          "provider \"aws\": internal: [aws] pool_size needs the key pool store, secret box "
          "and store");
    WarmPoolOptions wo;
    wo.inner = account.get();
    wo.store = deps.key_pool;
    wo.box = deps.secret_box;
    wo.clock = deps.clock;
    wo.name = built.name;
    wo.target = aws->pool_size;
    wo.max_mints_per_second = config.aws.pool_refill_rate;
    Store* store = deps.store;
    wo.is_stored = [store](const std::string& access_key_id) {
      return store->GetTokenByAccessKeyId(access_key_id).ok();
    };
    SC_ASSIGN_OR_RETURN(std::unique_ptr<WarmPool> pool, WarmPool::Create(std::move(wo)));
    built.pool = pool.get();
    built.provider = pool.get();
    out.layers.push_back(std::move(account));
    account = std::move(pool);
  }
  out.accounts.push_back(std::move(built));
  return account;
}

Expected<BuiltProviders> BuildAws(const Config& config, const ProviderDeps& deps) {
  if (!deps.iam_intents || !deps.clock || !deps.random)
    return InvalidArgument(
        "provider \"aws\": internal: the IAM intent log, clock and random source are required");
  AwsIamOptions ao;
  ao.env = ProcessEnvironment();
  BuiltProviders out;
  std::vector<std::unique_ptr<Provider>> accounts;
  std::vector<std::string> failed;
  for (AwsAccountConnection& c : ConnectAwsAccounts(config, ao)) {
    Expected<std::unique_ptr<Provider>> account =
        c.connection.ok() ? BuildAccount(config, deps, std::move(c.connection).value(), out)
                          : Expected<std::unique_ptr<Provider>>(c.connection.status());
    if (account.ok()) {
      accounts.push_back(std::move(account).value());
      continue;
    }
    // One account of several may be down at start: serve the others (its
    // tokens stay matchable; revoking them waits for a restart that reaches it).
    if (config.accounts.size() <= 1) return account.status();
    spdlog::error("account {} is left out until a restart: {}", c.name,
                  account.status().ToString());
    failed.push_back(c.name + ": " + account.status().message());
  }
  if (accounts.empty()) {
    std::string all;
    for (const auto& f : failed) all += (all.empty() ? "" : "; ") + f;
    return Unavailable("provider \"aws\": no account could be reached: " + all);
  }
  if (accounts.size() == 1) {
    out.providers.push_back(std::move(accounts.front()));
    return out;
  }
  AccountPoolOptions apo;
  apo.clock = deps.clock;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const BuiltAwsAccount& a = out.accounts[i];
    apo.accounts.push_back(PoolAccount{a.name, a.aws->account_id, accounts[i].get(), std::nullopt});
  }
  SC_ASSIGN_OR_RETURN(std::unique_ptr<AccountPoolProvider> pool,
                      AccountPoolProvider::Create(std::move(apo)));
  for (auto& a : accounts) out.layers.push_back(std::move(a));
  out.account_pool = pool.get();
  out.providers.push_back(std::move(pool));
  return out;
}

}  // namespace

Expected<BuiltProviders> BuildProviders(const Config& config, const ProviderDeps& deps) {
  BuiltProviders out;
  if (config.provider == "aws") {
    SC_ASSIGN_OR_RETURN(out, BuildAws(config, deps));
  } else if (config.provider != "decoy") {
    return InvalidArgument("provider: expected \"decoy\" or \"aws\", got \"" + config.provider +
                           "\"");
  }
  // Decoy tokens are always served: with provider = "aws" it keeps the ones
  // issued before the switch working (and `kind: "decoy"` can still mint).
  auto decoy = DecoyProvider::Create({deps.decoy_account_id, deps.decoy_endpoint_url,
                                      config.aws.region, deps.secret_box, deps.random});
  if (!decoy.ok()) return decoy.status();
  out.providers.push_back(std::move(decoy).value());
  return out;
}

void AppendAccountMetrics(const BuiltProviders& built, std::string& out) {
  const std::vector<BuiltAwsAccount>& accounts = built.accounts;
  if (accounts.empty()) return;
  struct Row {
    std::string labels;
    ProviderRoom room;
    std::optional<WarmPoolStats> pool;
  };
  std::vector<Row> rows;
  for (const BuiltAwsAccount& a : accounts) {
    Row r;
    r.room = a.provider->Room();
    r.labels = "account=\"" + PrometheusLabel(a.name) + "\",account_id=\"" +
               PrometheusLabel(r.room.account_id) + "\"";
    if (a.pool) r.pool = a.pool->Stats();
    rows.push_back(std::move(r));
  }
  auto family = [&](const char* name, const char* type, const char* help, auto value,
                    bool pools_only) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (const Row& r : rows)
      if (!pools_only || r.pool) out += value(r);
  };
  family("spacecrab_account_users", "gauge", "IAM users in the account (pooled keys included).",
         [](const Row& r) {
           return fmt::format("spacecrab_account_users{{{}}} {}\n", r.labels, r.room.users_used);
         }, false);
  family("spacecrab_account_user_limit", "gauge", "IAM users the account may hold.",
         [](const Row& r) {
           return fmt::format("spacecrab_account_user_limit{{{}}} {}\n", r.labels,
                              r.room.users_limit);
         }, false);
  if (built.account_pool) {
    out += "# HELP spacecrab_account_healthy 1 if the account takes new tokens, 0 while it "
           "cools down after a failure.\n# TYPE spacecrab_account_healthy gauge\n";
    for (const AccountState& a : built.account_pool->Accounts())
      out += fmt::format("spacecrab_account_healthy{{account=\"{}\",account_id=\"{}\"}} {}\n",
                         PrometheusLabel(a.name), PrometheusLabel(a.account_id),
                         a.healthy && !a.full ? 1 : 0);
  }
  family("spacecrab_pool_ready_keys", "gauge", "Keys minted ahead of demand, ready to hand out.",
         [](const Row& r) {
           return fmt::format("spacecrab_pool_ready_keys{{{}}} {}\n", r.labels, r.pool->ready);
         }, true);
  family("spacecrab_pool_target_keys", "gauge", "Keys the pool keeps ready.",
         [](const Row& r) {
           return fmt::format("spacecrab_pool_target_keys{{{}}} {}\n", r.labels, r.pool->target);
         }, true);
  family("spacecrab_pool_handouts_total", "counter",
         "Tokens handed out, from the pool or minted on demand because it was empty.",
         [](const Row& r) {
           return fmt::format(
               "spacecrab_pool_handouts_total{{{},from=\"pool\"}} {}\n"
               "spacecrab_pool_handouts_total{{{},from=\"on_demand\"}} {}\n",
               r.labels, r.pool->handed_out, r.labels, r.pool->misses);
         }, true);
  family("spacecrab_pool_minted_total", "counter", "Keys the refill minted.",
         [](const Row& r) {
           return fmt::format("spacecrab_pool_minted_total{{{}}} {}\n", r.labels, r.pool->minted);
         }, true);
  family("spacecrab_pool_refill_errors_total", "counter",
         "Refill mints that failed (throttling, IAM errors, storage).", [](const Row& r) {
           return fmt::format("spacecrab_pool_refill_errors_total{{{}}} {}\n", r.labels,
                              r.pool->refill_errors);
         }, true);
}

Status BuiltProviders::StartPools() {
  for (BuiltAwsAccount& account : accounts)
    if (account.pool) SC_RETURN_IF_ERROR(account.pool->Start());
  return Status::Ok();
}


}  // namespace spacecrab
