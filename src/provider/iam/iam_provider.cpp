#include "provider/iam/iam_provider.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/access_key.h"
#include "core/ids.h"
#include "provider/iam/iam_policy.h"

namespace spacecrab {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }

// A user we created a moment ago (our first CreateUser succeeded, the reply
// was lost, the retry said EntityAlreadyExists) looks like this: brand new,
// no keys, no policies. Anything else under that name belongs to someone else.
bool LooksLikeOurRetriedCreate(IamClient& iam, const std::string& name, Timestamp intent_started) {
  auto user = iam.GetUser(name);
  if (!user.ok() || user->create_date + std::chrono::seconds(60) < intent_started) return false;
  auto keys = iam.ListAccessKeys(name);
  auto policies = iam.ListUserPolicies(name);
  return keys.ok() && keys->empty() && policies.ok() && policies->empty();
}

}  // namespace

Expected<std::unique_ptr<IamProvider>> IamProvider::Create(IamProviderOptions options) {
  if (!options.iam || !options.intents || !options.clock || !options.random) {
    return InvalidArgument(
        "IamProvider needs an IAM client, an intent log, a clock and a random source");
  }
  if (!IsValidAccountId(options.account_id)) {
    return InvalidArgument(
        fmt::format("IamProvider: account id '{}' is not 12 digits", options.account_id));
  }
  if (options.max_users < 1) {
    return InvalidArgument(
        fmt::format("IamProvider: max_users must be positive, not {}", options.max_users));
  }
  if (!IamNameGenerator::IsValidUserName(options.policy_name) ||
      IamNameGenerator::ContainsForbiddenWord(options.policy_name, options.names.forbidden_words)) {
    return InvalidArgument(
        fmt::format("IamProvider: unusable policy name '{}'", options.policy_name));
  }
  SC_ASSIGN_OR_RETURN(auto names, IamNameGenerator::Create(options.names, *options.random));
  SC_ASSIGN_OR_RETURN(auto users, options.iam->ListUsers("/"));
  std::unique_ptr<IamProvider> p(new IamProvider(std::move(options), std::move(names)));
  for (const auto& u : users) p->taken_names_.insert(Lower(u.user_name));
  return p;
}

IamProvider::IamProvider(IamProviderOptions options, IamNameGenerator names)
    : options_(std::move(options)), names_(std::move(names)) {}

bool IamProvider::NameTaken(std::string_view name) {
  std::lock_guard lock(mu_);
  return taken_names_.count(Lower(name)) > 0;
}

bool IamProvider::RememberName(const std::string& name) {
  std::lock_guard lock(mu_);
  return taken_names_.insert(Lower(name)).second;
}

void IamProvider::ForgetName(const std::string& name) {
  std::lock_guard lock(mu_);
  taken_names_.erase(Lower(name));
}

ProviderRoom IamProvider::Room() const {
  ProviderRoom room;
  room.account_id = options_.account_id;
  room.users_limit = options_.max_users;
  std::lock_guard lock(mu_);
  room.users_used = static_cast<int64_t>(taken_names_.size());
  return room;
}

Expected<IamIntent> IamProvider::BeginIntent(IamIntentKind kind, const std::string& user,
                                             const std::string& path) {
  IamIntent intent;
  const Timestamp now = options_.clock->Now();
  intent.id = MakeId("iin", now, RandomBytes(*options_.random, kIdEntropyBytes));
  intent.kind = kind;
  intent.account_id = options_.account_id;
  intent.user_name = user;
  intent.path = path;
  intent.started_at = intent.updated_at = now;
  SC_RETURN_IF_ERROR(options_.intents->Begin(intent));
  return intent;
}

void IamProvider::CloseIntent(IamIntent& intent, IamIntentState state, const std::string& note) {
  intent.state = state;
  intent.note = note;
  intent.updated_at = options_.clock->Now();
  // If this write fails the intent stays open and the reconciler looks again:
  // harmless, since every repair it makes is idempotent.
  (void)options_.intents->Update(intent);
}

Status IamProvider::RollbackUser(const std::string& user_name,
                                 std::optional<Timestamp> made_since) {
  IamClient& iam = *options_.iam;
  if (made_since) {
    auto user = iam.GetUser(user_name);
    if (!user.ok()) return IsNotFound(user.status()) ? Status::Ok() : user.status();
    if (user->create_date + std::chrono::seconds(60) < *made_since) {
      return FailedPrecondition(
          fmt::format("IAM user {} predates this operation; left alone", user_name));
    }
  }
  auto keys = iam.ListAccessKeys(user_name);
  if (!keys.ok() && !IsNotFound(keys.status())) return keys.status();
  if (keys.ok()) {
    for (const auto& k : *keys) {
      Status s = iam.DeleteAccessKey(user_name, k.access_key_id);
      if (!s.ok() && !IsNotFound(s)) return s;
    }
  }
  Status s = iam.DeleteUserPolicy(user_name, options_.policy_name);
  if (!s.ok() && !IsNotFound(s)) return s;
  s = iam.DeleteUser(user_name);
  if (!s.ok() && !IsNotFound(s)) return s;
  return Status::Ok();
}

MintedKey IamProvider::ToMintedKey(const IamUser& user, const IamAccessKey& key) const {
  MintedKey m;
  m.kind = TokenKind::kAws;
  m.access_key_id = key.access_key_id;
  m.account_id = options_.account_id;
  m.user_name = user.user_name;
  m.arn = user.arn;
  m.credentials.access_key_id = key.access_key_id;
  m.credentials.secret_access_key = key.secret_access_key;
  m.credentials.region = options_.region;
  return m;
}

Expected<MintedKey> IamProvider::Mint(const std::string& hint_user_name) {
  if (!hint_user_name.empty()) {
    if (!IamNameGenerator::IsValidUserName(hint_user_name) ||
        IamNameGenerator::ContainsForbiddenWord(hint_user_name, options_.names.forbidden_words) ||
        IamNameGenerator::LooksMachineGenerated(hint_user_name)) {
      return InvalidArgument(
          fmt::format("'{}' cannot be used as an IAM user name", hint_user_name));
    }
    return MintAs({"/", hint_user_name, "hint"});
  }
  Status last = ResourceExhausted("no free IAM user name");
  for (int attempt = 0; attempt < options_.max_name_attempts; ++attempt) {
    SC_ASSIGN_OR_RETURN(auto name,
                        names_.Next([this](std::string_view n) { return NameTaken(n); }));
    auto minted = MintAs(name);
    if (minted.ok() || minted.status().code() != StatusCode::kAlreadyExists) return minted;
    last = minted.status();  // someone else owns that name: draw another
  }
  return last;
}

Expected<MintedKey> IamProvider::MintAs(const IamIdentityName& name) {
  IamClient& iam = *options_.iam;
  SC_ASSIGN_OR_RETURN(IamIntent intent,
                      BeginIntent(IamIntentKind::kMint, name.user_name, name.path));
  const bool newly_taken = RememberName(name.user_name);

  // Undo whatever exists for this intent; keep the intent open if that fails too.
  auto fail = [&](const Status& cause, const char* step) -> Status {
    Status undo = RollbackUser(name.user_name, intent.started_at);
    const std::string note = fmt::format("{} failed: {}", step, cause.ToString());
    if (undo.ok()) {
      ForgetName(name.user_name);  // no such user any more
      CloseIntent(intent, IamIntentState::kRolledBack, note);
    } else {
      intent.note = note + "; rollback failed: " + undo.ToString();
      intent.updated_at = options_.clock->Now();
      (void)options_.intents->Update(intent);
    }
    return cause;
  };

  auto user = iam.CreateUser(name.user_name, name.path);
  if (!user.ok() && user.status().code() == StatusCode::kAlreadyExists) {
    if (!LooksLikeOurRetriedCreate(iam, name.user_name, intent.started_at)) {
      // Somebody else's user: the name stays taken (and counted).
      CloseIntent(intent, IamIntentState::kRolledBack, "user name already taken");
      return user.status();
    }
    user = iam.GetUser(name.user_name);
  }
  if (!user.ok()) {
    // Ambiguous failures (timeouts) may still have created the user.
    if (user.status().code() == StatusCode::kUnavailable) return fail(user.status(), "CreateUser");
    if (newly_taken) ForgetName(name.user_name);  // IAM refused it: nothing was made
    CloseIntent(intent, IamIntentState::kRolledBack,
                "CreateUser failed: " + user.status().ToString());
    return user.status();
  }
  Status policy = iam.PutUserPolicy(name.user_name, options_.policy_name, DenyAllPolicyDocument());
  if (!policy.ok()) return fail(policy, "PutUserPolicy");
  auto key = iam.CreateAccessKey(name.user_name);
  if (!key.ok()) return fail(key.status(), "CreateAccessKey");

  intent.state = IamIntentState::kKeyCreated;
  intent.access_key_id = key->access_key_id;
  intent.updated_at = options_.clock->Now();
  if (Status s = options_.intents->Update(intent); !s.ok()) {
    // Without a record of the key the store cannot be trusted to keep the
    // token either: hand out nothing rather than a key nobody tracks.
    return fail(s, "recording the new key");
  }
  {
    std::lock_guard lock(mu_);
    key_to_intent_[key->access_key_id] = intent.id;
  }
  return ToMintedKey(*user, *key);
}

Status IamProvider::ConfirmStored(const std::string& access_key_id) {
  std::string id;
  {
    std::lock_guard lock(mu_);
    auto it = key_to_intent_.find(access_key_id);
    if (it == key_to_intent_.end())
      return NotFound(fmt::format("no pending intent for {}", access_key_id));
    id = it->second;
    key_to_intent_.erase(it);
  }
  SC_ASSIGN_OR_RETURN(auto open, options_.intents->ListOpen());
  for (auto& intent : open) {
    if (intent.id == id) {
      CloseIntent(intent, IamIntentState::kDone, "token stored");
      return Status::Ok();
    }
  }
  return Status::Ok();  // already closed (e.g. by a reconcile): nothing to do
}

Status IamProvider::Revoke(const HoneyToken& token) {
  Status s = options_.iam->UpdateAccessKey(token.user_name, token.access_key_id, /*active=*/false);
  // A key that no longer exists cannot be used either; the reconciler reports that drift.
  return IsNotFound(s) ? Status::Ok() : s;
}

Status IamProvider::Delete(const HoneyToken& token) {
  IamClient& iam = *options_.iam;
  SC_ASSIGN_OR_RETURN(IamIntent intent, BeginIntent(IamIntentKind::kDelete, token.user_name, "/"));
  intent.access_key_id = token.access_key_id;
  (void)options_.intents->Update(intent);
  auto keep_open = [&](const Status& cause) {
    intent.note = "delete failed: " + cause.ToString();
    intent.updated_at = options_.clock->Now();
    (void)options_.intents->Update(intent);
    return cause;
  };
  Status s = iam.DeleteAccessKey(token.user_name, token.access_key_id);
  if (!s.ok() && !IsNotFound(s)) return keep_open(s);
  auto keys = iam.ListAccessKeys(token.user_name);
  if (!keys.ok() && !IsNotFound(keys.status())) return keep_open(keys.status());
  if (keys.ok() && !keys->empty()) {
    CloseIntent(intent, IamIntentState::kDone, "key deleted; user kept for its other key");
    return Status::Ok();
  }
  s = RollbackUser(token.user_name, std::nullopt);
  if (!s.ok()) return keep_open(s);
  ForgetName(token.user_name);
  CloseIntent(intent, IamIntentState::kDone, "key, policy and user deleted");
  return Status::Ok();
}

Expected<MintedKey> IamProvider::Rotate(const HoneyToken& token) {
  IamClient& iam = *options_.iam;
  SC_ASSIGN_OR_RETURN(auto user, iam.GetUser(token.user_name));
  SC_ASSIGN_OR_RETURN(auto keys, iam.ListAccessKeys(token.user_name));
  SC_ASSIGN_OR_RETURN(IamIntent intent,
                      BeginIntent(IamIntentKind::kRotate, user.user_name, user.path));
  intent.other_access_key_id = token.access_key_id;

  if (keys.size() >= 2) {
    // Make room: the oldest inactive key that is not the one being rotated.
    std::sort(keys.begin(), keys.end(), [](const IamAccessKey& a, const IamAccessKey& b) {
      return a.create_date < b.create_date;
    });
    auto victim = std::find_if(keys.begin(), keys.end(), [&](const IamAccessKey& k) {
      return k.status == "Inactive" && k.access_key_id != token.access_key_id;
    });
    if (victim == keys.end()) {
      CloseIntent(intent, IamIntentState::kRolledBack, "user has two active keys");
      return FailedPrecondition(fmt::format(
          "cannot rotate {}: IAM user {} already has two keys and neither spare one is inactive",
          token.access_key_id, token.user_name));
    }
    Status s = iam.DeleteAccessKey(token.user_name, victim->access_key_id);
    if (!s.ok() && !IsNotFound(s)) {
      CloseIntent(intent, IamIntentState::kRolledBack, "could not make room: " + s.ToString());
      return s;
    }
  }
  // Re-assert the deny before the new key exists (someone may have removed it).
  Status s = iam.PutUserPolicy(token.user_name, options_.policy_name, DenyAllPolicyDocument());
  if (!s.ok()) {
    CloseIntent(intent, IamIntentState::kRolledBack, "PutUserPolicy failed: " + s.ToString());
    return s;
  }
  auto key = iam.CreateAccessKey(token.user_name);
  if (!key.ok()) {
    // A timeout may have made a key anyway: leave the intent open for the reconciler.
    if (key.status().code() == StatusCode::kUnavailable) {
      intent.note = "CreateAccessKey failed: " + key.status().ToString();
      (void)options_.intents->Update(intent);
    } else {
      CloseIntent(intent, IamIntentState::kRolledBack,
                  "CreateAccessKey failed: " + key.status().ToString());
    }
    return key.status();
  }
  intent.state = IamIntentState::kKeyCreated;
  intent.access_key_id = key->access_key_id;
  intent.updated_at = options_.clock->Now();
  if (Status u = options_.intents->Update(intent); !u.ok()) {
    (void)iam.DeleteAccessKey(token.user_name, key->access_key_id);
    return u;
  }
  {
    std::lock_guard lock(mu_);
    key_to_intent_[key->access_key_id] = intent.id;
  }
  return ToMintedKey(user, *key);
}

}  // namespace spacecrab
