// IamIntentLog: what the IAM provider is about to do, written down first.
//
// IAM has no transactions: Mint is three calls (CreateUser, PutUserPolicy,
// CreateAccessKey) and the process can die between any two, or after IAM
// made the key but before the token was stored (its secret is then lost for
// good). So every multi-step operation is recorded as an intent *before* the
// first IAM call and updated as it goes; the reconciler (iam_reconciler.h)
// finishes or rolls back every intent left open — no orphan user, no key
// without its token, no token without its key.
//
// Lifecycle: Begin(kPending) -> Update(kKeyCreated, access_key_id) ->
// Update(kDone) once the token is stored (IamProvider::ConfirmStored, or the
// reconciler on finding the token) | Update(kRolledBack).
//
// Durable implementations live with the store (see the report for the
// `iam_intents` table); InMemoryIamIntentLog serves tests.
// Thread-safety: implementations are safe to call from any thread.
// Failure: kUnavailable/kInternal from storage; the provider then makes no
// IAM call (Begin) or undoes what it made (Update after CreateAccessKey).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace spacecrab {

enum class IamIntentKind { kMint, kRotate, kDelete };
enum class IamIntentState { kPending, kKeyCreated, kDone, kRolledBack };

std::string_view ToString(IamIntentKind k);   // "mint" | "rotate" | "delete"
std::string_view ToString(IamIntentState s);  // "pending" | "key_created" | "done" | "rolled_back"
std::optional<IamIntentKind> ParseIamIntentKind(std::string_view s);
std::optional<IamIntentState> ParseIamIntentState(std::string_view s);
inline bool IsOpen(IamIntentState s) {
  return s == IamIntentState::kPending || s == IamIntentState::kKeyCreated;
}

struct IamIntent {
  std::string id;  // "iin_" + 26 chars
  IamIntentKind kind = IamIntentKind::kMint;
  IamIntentState state = IamIntentState::kPending;
  std::string account_id;
  std::string user_name;
  std::string path = "/";
  std::string access_key_id;        // the key made (mint/rotate) or being deleted (delete)
  std::string other_access_key_id;  // rotate: the key being replaced
  Timestamp started_at{};
  Timestamp updated_at{};
  std::string note;  // last error or outcome, for `spacecrab reconcile` output; never a secret
};

class IamIntentLog {
 public:
  virtual ~IamIntentLog() = default;
  // Records a new intent. kAlreadyExists if the id is taken.
  virtual Status Begin(const IamIntent& intent) = 0;
  // Replaces the intent with this id. kNotFound if absent.
  virtual Status Update(const IamIntent& intent) = 0;
  // Every intent still kPending or kKeyCreated, oldest first.
  virtual Expected<std::vector<IamIntent>> ListOpen() = 0;
};

class InMemoryIamIntentLog final : public IamIntentLog {
 public:
  Status Begin(const IamIntent& intent) override;
  Status Update(const IamIntent& intent) override;
  Expected<std::vector<IamIntent>> ListOpen() override;
  std::vector<IamIntent> All() const;
  std::optional<IamIntent> Find(const std::string& id) const;

 private:
  mutable std::mutex mu_;
  std::vector<IamIntent> intents_;
};

}  // namespace spacecrab
