// Provider: where a token's key lives and how it is made and retired.
//
// The decoy provider (decoy_provider.h) mints keys locally for the configured
// decoy account; the decoy endpoint answers for them. The AWS IAM provider
// (iam/iam_provider.h) creates a deny-all IAM user and access key per token.
// app/provider_factory.h picks them from the config.
//
// Thread-safety: implementations are safe to call concurrently.
// Failure: kUnavailable for transient backend errors (retry later), anything
// else is final for that call.
#pragma once

#include <cstdint>
#include <string>

#include "core/honey_token.h"
#include "core/status.h"

namespace spacecrab {

struct MintedKey {
  TokenKind kind = TokenKind::kDecoy;
  std::string access_key_id;
  std::string account_id;
  std::string user_name;
  std::string arn;
  std::string sealed_secret;  // decoy only: secret sealed with the store's SecretBox
  Credentials credentials;    // handed to the caller once, never stored in plain text
};

// How much room a provider has for new keys, for placement across accounts
// (provider/account_pool.h) and /metrics.
struct ProviderRoom {
  std::string account_id;   // the account its keys live in ("" if none)
  int64_t users_used = 0;   // IAM users in the account (pooled keys count)
  int64_t users_limit = -1; // -1: no limit known (decoy)
  int64_t ready_keys = 0;   // keys it can hand out without a backend call
  bool has_room() const { return users_limit < 0 || users_used < users_limit; }
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual TokenKind kind() const = 0;
  // Makes a new key. `hint_user_name` may be empty (the provider picks a name).
  virtual Expected<MintedKey> Mint(const std::string& hint_user_name) = 0;
  // Makes the key unusable but keeps its identity (IAM: UpdateAccessKey Inactive).
  virtual Status Revoke(const HoneyToken& token) = 0;
  // Removes the key and whatever backs it (IAM: key, policy, user).
  virtual Status Delete(const HoneyToken& token) = 0;
  // A new key for the same identity as `token` (IAM: same user). The caller
  // revokes the old one.
  virtual Expected<MintedKey> Rotate(const HoneyToken& token) = 0;
  // The token holding `access_key_id` (from Mint or Rotate) is now stored.
  // IAM closes its write-ahead intent; others have nothing to do. Best effort:
  // if this is never called, reconciliation closes the intent later.
  virtual Status ConfirmStored(const std::string& access_key_id) {
    (void)access_key_id;
    return Status::Ok();
  }
  // The caller could not store `key` (a batch failed part-way, the insert
  // failed): a pool takes it back; IAM leaves its intent open so the
  // reconciler deletes the key; decoy keys simply vanish.
  virtual void Abandon(const MintedKey& key) { (void)key; }
  virtual ProviderRoom Room() const { return {}; }
};

}  // namespace spacecrab
