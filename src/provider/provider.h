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
};

}  // namespace spacecrab
