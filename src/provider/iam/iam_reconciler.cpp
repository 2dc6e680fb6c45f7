#include "provider/iam/iam_reconciler.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "provider/iam/iam_policy.h"

namespace spacecrab {
namespace {

bool IsNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }

class Reconciler {
 public:
  explicit Reconciler(const IamReconcileOptions& o) : o_(o), iam_(*o.iam) {}

  Expected<IamReconcileReport> Run() {
    SC_RETURN_IF_ERROR(o_.tokens->ForEachAwsToken([&](const IamTokenRef& t) {
      if (t.account_id.empty() || t.account_id == o_.account_id) {
        by_key_[t.access_key_id] = t;
        by_user_[t.user_name].push_back(t);
      }
    }));
    SC_RETURN_IF_ERROR(FinishIntents());
    CheckTokens();
    SC_RETURN_IF_ERROR(FindUntrackedUsers());
    return std::move(report_);
  }

 private:
  void Found(bool repaired, std::string what, const std::string& user, const std::string& key,
             const std::string& token, std::string detail) {
    IamFinding f{std::move(what), user, key, token, std::move(detail), repaired};
    (repaired ? report_.repairs : report_.drift).push_back(std::move(f));
  }
  bool Ok(const Status& s, const std::string& context) {
    if (s.ok() || IsNotFound(s)) return true;
    report_.errors.push_back(fmt::format("{}: {}", context, s.ToString()));
    return false;
  }
  const IamTokenRef* TokenFor(const std::string& key) {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : &it->second;
  }

  // Deletes the user's keys that no token holds; returns how many keys remain.
  Expected<size_t> DeleteUntrackedKeys(const std::string& user, const std::string& why) {
    auto keys = iam_.ListAccessKeys(user);
    if (!keys.ok()) return keys.status();
    size_t remaining = 0;
    for (const auto& k : *keys) {
      if (TokenFor(k.access_key_id)) {
        ++remaining;
        continue;
      }
      if (o_.repair && Ok(iam_.DeleteAccessKey(user, k.access_key_id), "DeleteAccessKey " + user)) {
        Found(true, "deleted key no token holds", user, k.access_key_id, "", why);
      } else {
        ++remaining;
        Found(false, "key no token holds", user, k.access_key_id, "", why);
      }
    }
    return remaining;
  }

  // Removes policy and user once nothing of ours is left on it.
  void DeleteEmptyUser(const std::string& user, const std::string& what) {
    if (!o_.repair) {
      Found(false, what, user, "", "", "user would be deleted");
      return;
    }
    const bool ok = Ok(iam_.DeleteUserPolicy(user, o_.policy_name), "DeleteUserPolicy " + user) &&
                    Ok(iam_.DeleteUser(user), "DeleteUser " + user);
    Found(ok, what, user, "", "", ok ? "policy and user deleted" : "could not delete user");
  }

  void Close(IamIntent intent, IamIntentState state, std::string note) {
    if (!o_.repair) return;
    intent.state = state;
    intent.note = std::move(note);
    intent.updated_at = o_.clock->Now();
    Ok(o_.intents->Update(intent), "closing intent " + intent.id);
  }

  Status FinishIntents() {
    SC_ASSIGN_OR_RETURN(auto open, o_.intents->ListOpen());
    // Young intents may still be running (another thread or node): hands off their users.
    const auto young = [&, cutoff = o_.clock->Now() - o_.min_intent_age](const IamIntent& i) {
      return o_.opened_before ? i.started_at >= *o_.opened_before : i.started_at > cutoff;
    };
    for (const auto& intent : open) {
      if (intent.account_id == o_.account_id && young(intent))
        young_users_.insert(intent.user_name);
    }
    for (const auto& intent : open) {
      if (intent.account_id != o_.account_id || young(intent)) continue;
      ++report_.intents_examined;
      if (intent.kind == IamIntentKind::kMint &&
          (intent.access_key_id.empty() || !TokenFor(intent.access_key_id))) {
        // Only a user IAM made after the intent began is ours: a pending mint
        // whose name collided with an existing user must not touch it.
        auto user = iam_.GetUser(intent.user_name);
        if (!user.ok() && !IsNotFound(user.status())) {
          Ok(user.status(), "GetUser " + intent.user_name);
          continue;
        }
        if (!user.ok() || user->create_date + std::chrono::seconds(60) < intent.started_at) {
          Close(
              intent, IamIntentState::kRolledBack,
              user.ok() ? "name belonged to an existing user; left alone" : "nothing was created");
          continue;
        }
      }
      if (intent.kind == IamIntentKind::kDelete) {
        FinishDelete(intent);
        continue;
      }
      if (!intent.access_key_id.empty() && TokenFor(intent.access_key_id)) {
        Close(intent, IamIntentState::kDone, "token found in store");
        continue;
      }
      // The key (if any) never reached a token: it and, for a mint, the user must go.
      auto remaining = DeleteUntrackedKeys(
          intent.user_name, fmt::format("left by {} intent {}", ToString(intent.kind), intent.id));
      if (!remaining.ok()) {
        if (!Ok(remaining.status(), "ListAccessKeys " + intent.user_name)) continue;
        remaining = size_t{0};  // the user is already gone
      }
      const bool user_has_tokens = by_user_.count(intent.user_name) > 0;
      if (intent.kind == IamIntentKind::kMint && *remaining == 0 && !user_has_tokens) {
        DeleteEmptyUser(intent.user_name, "rolled back half-made user");
      }
      Close(intent, IamIntentState::kRolledBack, "rolled back by reconcile");
    }
    return Status::Ok();
  }

  void FinishDelete(const IamIntent& intent) {
    const std::string& user = intent.user_name;
    if (!intent.access_key_id.empty()) {
      if (!Ok(iam_.DeleteAccessKey(user, intent.access_key_id), "DeleteAccessKey " + user)) return;
    }
    auto keys = iam_.ListAccessKeys(user);
    if (!keys.ok() && !Ok(keys.status(), "ListAccessKeys " + user)) return;
    if (keys.ok() && keys->empty() && iam_.GetUser(user).ok()) {
      DeleteEmptyUser(user, "completed interrupted delete");
    }
    Close(intent, IamIntentState::kDone, "completed by reconcile");
  }

  void CheckTokens() {
    for (const auto& [user, tokens] : by_user_) {
      if (young_users_.count(user)) continue;
      report_.tokens_examined += static_cast<int>(tokens.size());
      const bool any_live = std::any_of(tokens.begin(), tokens.end(), [](const IamTokenRef& t) {
        return t.status != TokenStatus::kDeleted;
      });
      auto keys = iam_.ListAccessKeys(user);
      if (!keys.ok()) {
        if (IsNotFound(keys.status())) {
          for (const auto& t : tokens) {
            if (t.status == TokenStatus::kActive) {
              Found(false, "user deleted outside spacecrab", user, t.access_key_id, t.token_id,
                    "the token stays matchable, but its key no longer exists");
            }
          }
        } else {
          Ok(keys.status(), "ListAccessKeys " + user);
        }
        continue;
      }
      std::map<std::string, IamAccessKey> in_iam;
      for (const auto& k : *keys) in_iam[k.access_key_id] = k;
      for (const auto& t : tokens) CheckKey(t, in_iam);
      auto remaining = DeleteUntrackedKeys(user, "on a token's user");
      if (any_live && remaining.ok() && *remaining > 0) CheckPolicy(user);
      if (!any_live && remaining.ok() && *remaining == 0)
        DeleteEmptyUser(user, "deleted user of deleted tokens");
    }
  }

  void CheckKey(const IamTokenRef& t, const std::map<std::string, IamAccessKey>& in_iam) {
    auto it = in_iam.find(t.access_key_id);
    if (it == in_iam.end()) {
      if (t.status == TokenStatus::kActive) {
        Found(false, "key deleted outside spacecrab", t.user_name, t.access_key_id, t.token_id,
              "the token stays matchable, but its key no longer exists");
      }
      return;
    }
    const bool active = it->second.status == "Active";
    if (t.status == TokenStatus::kDeleted) {
      const bool ok =
          o_.repair && Ok(iam_.DeleteAccessKey(t.user_name, t.access_key_id), "DeleteAccessKey");
      Found(ok, "key of a deleted token still in IAM", t.user_name, t.access_key_id, t.token_id,
            "");
    } else if (t.status != TokenStatus::kActive && active) {
      const bool ok = o_.repair && Ok(iam_.UpdateAccessKey(t.user_name, t.access_key_id, false),
                                      "UpdateAccessKey");
      Found(ok, "key of a retired token is active", t.user_name, t.access_key_id, t.token_id,
            ok ? "deactivated" : "");
    } else if (t.status == TokenStatus::kActive && !active) {
      Found(false, "key deactivated outside spacecrab", t.user_name, t.access_key_id, t.token_id,
            "the token is active in the store but its key is Inactive in IAM");
    }
  }

  void CheckPolicy(const std::string& user) {
    ++report_.users_examined;
    auto doc = iam_.GetUserPolicy(user, o_.policy_name);
    if (doc.ok() && IsDenyAllPolicy(*doc)) return;
    if (!doc.ok() && !IsNotFound(doc.status())) {
      Ok(doc.status(), "GetUserPolicy " + user);
      return;
    }
    const std::string what = doc.ok() ? "deny policy altered" : "deny policy missing";
    const bool ok =
        o_.repair &&
        Ok(iam_.PutUserPolicy(user, o_.policy_name, DenyAllPolicyDocument()), "PutUserPolicy");
    Found(ok, what, user, "", "", ok ? "deny-all policy put back" : "");
  }

  Status FindUntrackedUsers() {
    SC_ASSIGN_OR_RETURN(auto users, iam_.ListUsers("/"));
    for (const auto& u : users) {
      if (by_user_.count(u.user_name) || young_users_.count(u.user_name)) continue;
      auto policies = iam_.ListUserPolicies(u.user_name);
      if (!policies.ok() ||
          std::find(policies->begin(), policies->end(), o_.policy_name) == policies->end())
        continue;
      auto doc = iam_.GetUserPolicy(u.user_name, o_.policy_name);
      if (!doc.ok() || !IsDenyAllPolicy(*doc)) continue;
      ++report_.users_examined;
      if (o_.repair && o_.delete_untracked_users) {
        auto remaining = DeleteUntrackedKeys(u.user_name, "untracked deny-all user");
        if (remaining.ok() && *remaining == 0)
          DeleteEmptyUser(u.user_name, "deleted untracked deny-all user");
      } else {
        Found(false, "untracked deny-all user", u.user_name, "", "",
              "carries the deny-all policy but no token names it (lost intent?)");
      }
    }
    return Status::Ok();
  }

  const IamReconcileOptions& o_;
  IamClient& iam_;
  IamReconcileReport report_;
  std::map<std::string, IamTokenRef> by_key_;
  std::map<std::string, std::vector<IamTokenRef>> by_user_;
  std::set<std::string> young_users_;
};

}  // namespace

Expected<IamReconcileReport> ReconcileIam(const IamReconcileOptions& options) {
  if (!options.iam || !options.intents || !options.tokens || !options.clock) {
    return InvalidArgument(
        "ReconcileIam needs an IAM client, an intent log, a token view and a clock");
  }
  return Reconciler(options).Run();
}

}  // namespace spacecrab
