// IamProvider: honey keys that are real IAM access keys in the honey account.
//
// Each token is an IAM user that can do nothing — an inline policy denying
// "*" on "*" — holding one access key; every use of the key shows up in the
// account's CloudTrail. Names and paths come from IamNameGenerator, the policy
// name from the options; nothing in IAM names the product and no tags are
// written (the store holds the metadata).
//
//   Mint   = CreateUser -> PutUserPolicy(deny all) -> CreateAccessKey, in that
//            order: IAM is eventually consistent, so the deny is in place
//            before any key exists.
//   Revoke = UpdateAccessKey Inactive (the key stays, matchable and logged).
//   Rotate = PutUserPolicy (re-assert the deny) -> CreateAccessKey on the same
//            user; IAM allows two keys per user, so when the user already
//            has two, the oldest Inactive one other than the token's is
//            deleted first (its token stays a matchable tombstone in the
//            store). The caller revokes the old token (Provider contract).
//   Delete = DeleteAccessKey; then, if the user has no key left,
//            DeleteUserPolicy and DeleteUser (a rotated sibling keeps the
//            user alive).
//
// No orphans: Mint, Rotate and Delete write an IamIntent before the first IAM
// call. On a failure the provider rolls back what it made and closes the
// intent; if even that fails (a crash, IAM unreachable) the intent stays open
// for ReconcileIam. Once the token is stored the caller should call
// ConfirmStored(access_key_id); otherwise the reconciler closes the intent
// when it finds the token — and deletes the key when it finds none.
//
// Errors: kUnavailable when IAM throttles/fails beyond the client's retries
// (nothing left behind, or an open intent); kResourceExhausted when no free
// user name is found or the account is at its user limit; kFailedPrecondition
// when a rotation finds two active keys.
// Thread-safety: safe to call concurrently (the name cache is locked; IAM
// calls are bounded by the AwsQueryClient).
// Ownership: everything in the options is borrowed and must outlive it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "awsclient/iam_client.h"
#include "core/clock.h"
#include "crypto/random.h"
#include "provider/iam/iam_intent_log.h"
#include "provider/name_generator.h"
#include "provider/provider.h"

namespace spacecrab {

struct IamProviderOptions {
  IamClient* iam = nullptr;          // REQUIRED
  IamIntentLog* intents = nullptr;   // REQUIRED
  const Clock* clock = nullptr;      // REQUIRED
  RandomSource* random = nullptr;    // REQUIRED: names and intent ids
  std::string account_id;            // REQUIRED: 12 digits (from GetCallerIdentity)
  std::string region = "us-east-1";  // written into handed-out credentials
  IamNameGeneratorOptions names = DefaultIamNameGeneratorOptions();
  // The inline policy's name. Visible only to principals that can read IAM;
  // still, no product word (checked against names.forbidden_words).
  std::string policy_name = "baseline-access";
  int max_name_attempts = 5;  // CreateUser EntityAlreadyExists -> another name
  // The account's IAM user quota (IAM's default is 5000), reported by Room()
  // for placement across accounts. Mint does not enforce it: IAM does
  // (LimitExceeded -> kResourceExhausted).
  int64_t max_users = 5000;
};

class IamProvider final : public Provider {
 public:
  // Validates the options and loads the account's user names (ListUsers) so
  // generated names never collide with existing users.
  static Expected<std::unique_ptr<IamProvider>> Create(IamProviderOptions options);

  TokenKind kind() const override { return TokenKind::kAws; }
  // `hint_user_name`, if given, is used as the user name (and must be a valid
  // IAM name without a forbidden word: kInvalidArgument otherwise); the path
  // is then "/". Empty: a generated name and path.
  Expected<MintedKey> Mint(const std::string& hint_user_name) override;
  Status Revoke(const HoneyToken& token) override;
  Status Delete(const HoneyToken& token) override;
  Expected<MintedKey> Rotate(const HoneyToken& token) override;

  // Closes the intent that made `access_key_id` once its token is stored.
  // kNotFound if this process made no such key (the reconciler then closes it).
  Status ConfirmStored(const std::string& access_key_id) override;

  // {account_id, users_used = IAM users known in the account (every user
  // listed at Create, plus those minted since, less those rolled back or
  // deleted here), users_limit = max_users, ready_keys = 0}. Users made or
  // removed by others after Create are not seen until a restart.
  ProviderRoom Room() const override;

  const std::string& policy_name() const { return options_.policy_name; }

 private:
  IamProvider(IamProviderOptions options, IamNameGenerator names);

  Expected<MintedKey> MintAs(const IamIdentityName& name);
  Expected<IamIntent> BeginIntent(IamIntentKind kind, const std::string& user,
                                  const std::string& path);
  void CloseIntent(IamIntent& intent, IamIntentState state, const std::string& note);
  // Removes the user's keys, the deny policy and the user; NotFound is
  // success. With `made_since`, only a user IAM created at or after that time
  // (less a minute of clock skew) is touched: a name collision must never
  // delete somebody else's user.
  Status RollbackUser(const std::string& user_name, std::optional<Timestamp> made_since);
  bool NameTaken(std::string_view name);
  bool RememberName(const std::string& name);  // false: it was taken already
  void ForgetName(const std::string& name);    // the user is gone from IAM
  MintedKey ToMintedKey(const IamUser& user, const IamAccessKey& key) const;

  IamProviderOptions options_;
  IamNameGenerator names_;
  mutable std::mutex mu_;
  // Every IAM user name in the account, lower-cased (IAM names are
  // case-insensitive); its size is Room().users_used.
  std::set<std::string> taken_names_;
  std::map<std::string, std::string> key_to_intent_;  // awaiting ConfirmStored
};

}  // namespace spacecrab
