// MakeProviders: the one map from `provider = "..."` to Provider
// implementations. The first provider returned mints new tokens; every
// provider whose tokens may still exist in the store is returned too, so
// revoke/delete/rotate of older tokens keep working after a switch:
//
//   provider = "decoy"  -> [decoy]
//   provider = "aws"    -> [aws IAM, decoy]   (decoy tokens made earlier stay served)
//
// For "aws" the IAM provider is built against the honey account that
// ConnectAwsIam (app/aws_iam.h) resolves: credentials from the standard
// chain, `[aws] endpoint_url`, `[aws] region`, the account from STS
// GetCallerIdentity (checked against `[aws] accounts`). It writes its intents
// to `ProviderDeps::iam_intents` before every IAM call.
//
// Failure: InvalidArgument for an unknown provider or a missing dependency;
// the AWS connection's own errors (naming the key to fix) otherwise.
// Ownership: what ProviderDeps points to must outlive the providers.
#pragma once

#include <memory>
#include <vector>

#include "app/aws_iam.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "crypto/random.h"
#include "crypto/secret_box.h"
#include "provider/iam/iam_intent_log.h"
#include "provider/key_pool_store.h"
#include "provider/provider.h"
#include "provider/account_pool.h"
#include "provider/warm_pool.h"
#include "store/store.h"

namespace spacecrab {

struct ProviderDeps {
  const SecretBox* secret_box = nullptr;
  RandomSource* random = nullptr;
  std::string decoy_account_id;    // resolved (config or data dir)
  std::string decoy_endpoint_url;  // resolved (config or http://<decoy listen>)
  // For provider = "aws": the IAM write-ahead log (StoreBundle::iam_intents),
  // the store (reconciliation looks tokens up) and the clock.
  IamIntentLog* iam_intents = nullptr;
  Store* store = nullptr;
  const Clock* clock = nullptr;
  // Warm pools' keys (StoreBundle::key_pool); with [aws] pool_size > 0 each
  // account's IAM provider is wrapped in a WarmPool (not started).
  KeyPoolStore* key_pool = nullptr;
};

// One account of provider = "aws".
struct BuiltAwsAccount {
  std::string name;             // [accounts.NAME], or "default" for the [aws] credentials
  std::shared_ptr<AwsIam> aws;  // its IAM connection (maintenance, safety net, doctor)
  WarmPool* pool = nullptr;     // its warm pool, or null with pool_size = 0
  Provider* provider = nullptr; // the account's provider (the pool when there is one)
};

struct BuiltProviders {
  // Layers under the top-level providers (IAM providers under their pools);
  // declared first so they outlive what wraps them.
  std::vector<std::unique_ptr<Provider>> layers;
  std::vector<std::unique_ptr<Provider>> providers;  // the first one mints
  // provider = "aws": every account, in config order. Empty otherwise.
  std::vector<BuiltAwsAccount> accounts;
  // Several accounts: the provider spreading tokens over them (health, room).
  AccountPoolProvider* account_pool = nullptr;
  // The first account's connection (null unless provider = "aws").
  AwsIam* aws() const { return accounts.empty() ? nullptr : accounts.front().aws.get(); }

  // Starts every warm pool's refill (load pooled keys first).
  Status StartPools();
};

Expected<BuiltProviders> BuildProviders(const Config& config, const ProviderDeps& deps);

// Prometheus families for every account: IAM users used / limit, health
// (several accounts: 0 while cooling down after a failure), and the
// warm pool's ready keys, target, handouts (from the pool or minted on
// demand), refill mints and refill errors. Appended to `out`.
void AppendAccountMetrics(const BuiltProviders& built, std::string& out);


}  // namespace spacecrab
