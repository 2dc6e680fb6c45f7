// ReconcileIam: make IAM and the store agree again, and say where they did not.
//
// Run at start-up, by `spacecrab reconcile`, and (report-only) by `doctor`.
//  1. Open intents older than `min_intent_age` (younger ones may still be
//     running in another thread or node), or with `opened_before` set those
//     opened before it, are finished or rolled back:
//     - mint/rotate: a key that a stored token holds -> intent done; a key no
//       token holds -> deleted (its secret is lost: nobody can plant it), and
//       for a mint the half-made user (policy, user) goes too;
//     - delete: the deletion is completed.
//  2. Every aws token in the store is checked against IAM: user or key gone
//     (deleted by hand) -> drift, reported (the token stays matchable; there
//     is nothing to repair); deny policy missing or altered -> put back;
//     key Active for a retired token -> deactivated; key Inactive for an
//     active token -> drift; key still there for a deleted token -> deleted;
//     keys on a token's user that no token holds -> deleted.
//  3. Users nobody tracks that carry the deny-all policy (an orphan whose
//     intent was lost with the database) -> drift; deleted only when
//     `delete_untracked_users` is set.
// With repair = false nothing is changed and every finding is drift.
//
// Thread-safety: one reconcile at a time per account (callers serialise).
// Failure: a storage or IAM error that stops the walk returns its Status;
// per-user IAM errors are recorded in the report and the walk goes on.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "awsclient/iam_client.h"
#include "core/clock.h"
#include "core/honey_token.h"
#include "provider/iam/iam_intent_log.h"

namespace spacecrab {

// What the reconciler needs to know about stored aws tokens.
struct IamTokenRef {
  std::string token_id;
  std::string access_key_id;
  std::string account_id;
  std::string user_name;
  TokenStatus status = TokenStatus::kActive;
};

class IamTokenView {
 public:
  virtual ~IamTokenView() = default;
  virtual Expected<std::optional<IamTokenRef>> FindByAccessKeyId(
      const std::string& access_key_id) = 0;
  // Every aws token of every status (tombstones too).
  virtual Status ForEachAwsToken(const std::function<void(const IamTokenRef&)>& fn) = 0;
};

struct IamReconcileOptions {
  IamClient* iam = nullptr;         // REQUIRED
  IamIntentLog* intents = nullptr;  // REQUIRED
  IamTokenView* tokens = nullptr;   // REQUIRED
  const Clock* clock = nullptr;     // REQUIRED
  std::string account_id;           // only tokens/intents of this account are examined
  std::string policy_name = "baseline-access";
  std::chrono::milliseconds min_intent_age{std::chrono::minutes(10)};
  // Set: only intents opened before this instant are examined, however long
  // the run takes (a process's start: its own mints in flight are spared).
  // Overrides min_intent_age.
  std::optional<Timestamp> opened_before;
  bool repair = true;
  bool delete_untracked_users = false;
};

struct IamFinding {
  std::string what;  // "rolled back half-made user", "key deleted outside spacecrab", ...
  std::string user_name;
  std::string access_key_id;
  std::string token_id;
  std::string detail;
  bool repaired = false;
};

struct IamReconcileReport {
  std::vector<IamFinding> repairs;  // changes made (repair = true)
  std::vector<IamFinding> drift;    // found and not (or not fully) repaired
  std::vector<std::string> errors;  // IAM calls that failed along the way
  int intents_examined = 0;
  int tokens_examined = 0;
  int users_examined = 0;
  bool clean() const { return repairs.empty() && drift.empty() && errors.empty(); }
};

Expected<IamReconcileReport> ReconcileIam(const IamReconcileOptions& options);

}  // namespace spacecrab
