// AccountPoolProvider: tokens spread over several AWS accounts, each served by
// its own provider (an IamProvider reached with that account's credentials —
// a profile or an assumed role — possibly behind a WarmPool).
//
// Placement (Mint): the candidates are the accounts that are healthy and have
// room (Room() with the account's max_users override applied, counting mints
// in flight). Accounts with ready keys come first, most ready first (a ready
// key is already a user in the account: an account at its limit can still
// hand those out; a hinted mint never uses them); then the most free room
// (users_limit - users_used); ties go to the earlier account in the list.
// On kUnavailable, kUnauthenticated or kPermissionDenied the account is
// unhealthy for `cooldown` and the next candidate is tried. On
// kResourceExhausted it is full until its Room() shows more room than when it
// said so (fewer users, a higher limit, ready keys), a Delete through the pool
// succeeds in it, or `cooldown` passes (a provider whose Room() cannot tell).
// Any other error is the caller's (a bad hint name ...) and returned at once.
// When no account mints: kResourceExhausted ("every account is full") if all
// are full, else kUnavailable naming each account that failed and why.
//
// Routing: Revoke, Delete and Rotate go to the account of token.account_id
// (kFailedPrecondition naming it when it is not in the pool) whatever its
// health: a revoke must always be tried. ConfirmStored goes to the account
// that minted the key (remembered at Mint/Rotate until ConfirmStored or
// Abandon; kNotFound for a key this process did not hand out); Abandon to
// key.account_id. Failures of routed calls count towards health too.
//
// Errors carry the account's configured name and the provider's message
// (AWS error text, never a secret).
// Thread-safety: safe to call concurrently; no lock is held across a
// provider call. Ownership: the providers and the clock are borrowed and must
// outlive the pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "provider/provider.h"

namespace spacecrab {

struct PoolAccount {
  std::string name;                  // the operator's name for it: errors, logs, /metrics
  std::string account_id;            // 12 digits; empty: the provider's Room().account_id
  Provider* provider = nullptr;      // REQUIRED, borrowed
  std::optional<int64_t> max_users;  // replaces the provider's users_limit (a raised quota)
};

struct AccountPoolOptions {
  std::vector<PoolAccount> accounts;  // at least one; the order breaks placement ties
  const Clock* clock = nullptr;       // REQUIRED
  std::chrono::milliseconds cooldown{60000};
};

// One account as /metrics and doctor show it.
struct AccountState {
  std::string name;
  std::string account_id;
  ProviderRoom room;                  // max_users applied
  bool healthy = true;                // false while cooling down after a failure
  bool full = false;                  // said kResourceExhausted; see the file comment
  std::optional<Timestamp> retry_at;  // when an unhealthy account is tried again
  std::string last_error;             // the last failure; empty after a success
};

class AccountPoolProvider final : public Provider {
 public:
  // kInvalidArgument for no accounts, a missing provider or clock, duplicate
  // names or account ids, an invalid account id, an account whose provider
  // reports another account, providers of different kinds, max_users < 1.
  static Expected<std::unique_ptr<AccountPoolProvider>> Create(AccountPoolOptions options);
  AccountPoolProvider(const AccountPoolProvider&) = delete;
  AccountPoolProvider& operator=(const AccountPoolProvider&) = delete;

  TokenKind kind() const override { return slots_.front().account.provider->kind(); }
  Expected<MintedKey> Mint(const std::string& hint_user_name) override;
  Status Revoke(const HoneyToken& token) override;
  Status Delete(const HoneyToken& token) override;
  Expected<MintedKey> Rotate(const HoneyToken& token) override;
  Status ConfirmStored(const std::string& access_key_id) override;
  void Abandon(const MintedKey& key) override;
  // The sum over the accounts (account_id "", users_limit -1 if any account
  // has no limit).
  ProviderRoom Room() const override;

  // Every account, in configuration order.
  std::vector<AccountState> Accounts() const;

 private:
  struct Slot {
    PoolAccount account;  // immutable after Create: read without the lock
    // Guarded by mu_:
    std::optional<Timestamp> unhealthy_until;
    std::optional<ProviderRoom> full_room;  // Room() when it said kResourceExhausted
    Timestamp full_since{};
    std::string last_error;
    int64_t in_flight = 0;  // mints under way
  };

  explicit AccountPoolProvider(AccountPoolOptions options);
  // The provider's Room() with max_users applied. Calls the provider: no lock.
  ProviderRoom RoomOf(const Slot& slot) const;
  // The slot serving `account_id`, or kFailedPrecondition.
  Expected<Slot*> Route(const std::string& account_id);
  // Health bookkeeping after a call to `slot` answered `status`.
  void Record(Slot& slot, const Status& status);
  bool StillFull(const Slot& slot, const ProviderRoom& room, bool hinted, Timestamp now) const;
  void RememberKey(const std::string& access_key_id, Slot* slot);

  AccountPoolOptions options_;
  std::vector<Slot> slots_;  // fixed after Create
  mutable std::mutex mu_;
  std::map<std::string, Slot*> key_slot_;  // handed-out key -> account, until stored/abandoned
};

}  // namespace spacecrab
