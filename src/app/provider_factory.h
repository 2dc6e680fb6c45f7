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
#include "provider/provider.h"
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
};

struct BuiltProviders {
  std::vector<std::unique_ptr<Provider>> providers;  // the first one mints
  // provider = "aws": the IAM connection the provider uses (shared ownership),
  // for the maintenance task (app/iam_maintenance.h). Null otherwise.
  std::shared_ptr<AwsIam> aws;
};

Expected<BuiltProviders> BuildProviders(const Config& config, const ProviderDeps& deps);

// BuildProviders(...).providers.
Expected<std::vector<std::unique_ptr<Provider>>> MakeProviders(const Config& config,
                                                               const ProviderDeps& deps);

}  // namespace spacecrab
