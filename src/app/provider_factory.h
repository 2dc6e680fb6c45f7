// MakeProviders: the one map from `provider = "..."` to Provider
// implementations. The first provider returned mints new tokens; every
// provider whose tokens may still exist in the store is returned too, so
// revoke/delete/rotate of older tokens keep working after a switch.
//
// The AWS IAM provider (its own issue) plugs in here: add its case to
// MakeProviders and nothing else changes.
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "crypto/random.h"
#include "crypto/secret_box.h"
#include "provider/provider.h"

namespace spacecrab {

struct ProviderDeps {
  const SecretBox* secret_box = nullptr;
  RandomSource* random = nullptr;
  std::string decoy_account_id;    // resolved (config or data dir)
  std::string decoy_endpoint_url;  // resolved (config or http://<decoy listen>)
};

// InvalidArgument for an unknown or not-yet-built provider, naming the key.
Expected<std::vector<std::unique_ptr<Provider>>> MakeProviders(const Config& config,
                                                               const ProviderDeps& deps);

}  // namespace spacecrab
