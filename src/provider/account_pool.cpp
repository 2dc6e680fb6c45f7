#include "provider/account_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <set>

#include "core/access_key.h"

namespace spacecrab {
namespace {

// Failures that say "this account cannot be reached as configured right now".
bool IsHealthFailure(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kUnauthenticated ||
         s.code() == StatusCode::kPermissionDenied;
}

std::string Usage(const ProviderRoom& room) {
  if (room.users_limit < 0) return fmt::format("{} users, no limit", room.users_used);
  return fmt::format("{} of {} users", room.users_used, room.users_limit);
}

}  // namespace

Expected<std::unique_ptr<AccountPoolProvider>> AccountPoolProvider::Create(
    AccountPoolOptions options) {
  if (options.accounts.empty()) return InvalidArgument("account pool: no accounts");
  if (!options.clock) return InvalidArgument("account pool: no clock");
  if (options.cooldown.count() < 0) return InvalidArgument("account pool: negative cooldown");
  std::set<std::string> names, ids;
  for (PoolAccount& a : options.accounts) {
    if (a.name.empty()) return InvalidArgument("account pool: an account without a name");
    if (!a.provider) return InvalidArgument(fmt::format("account {}: no provider", a.name));
    const std::string reported = a.provider->Room().account_id;
    if (a.account_id.empty()) a.account_id = reported;
    if (!IsValidAccountId(a.account_id)) {
      return InvalidArgument(
          fmt::format("account {}: '{}' is not a 12-digit account id", a.name, a.account_id));
    }
    if (!reported.empty() && reported != a.account_id) {
      return InvalidArgument(
          fmt::format("account {}: configured as {} but its credentials reach {}", a.name,
                      a.account_id, reported));
    }
    if (a.max_users && *a.max_users < 1) {
      return InvalidArgument(fmt::format("account {}: max_users must be positive", a.name));
    }
    if (!names.insert(a.name).second)
      return InvalidArgument(fmt::format("account pool: the name {} is used twice", a.name));
    if (!ids.insert(a.account_id).second) {
      return InvalidArgument(
          fmt::format("account pool: account {} is listed twice (as {})", a.account_id, a.name));
    }
    if (a.provider->kind() != options.accounts.front().provider->kind()) {
      return InvalidArgument(fmt::format("account {}: its tokens are of another kind than {}'s",
                                         a.name, options.accounts.front().name));
    }
  }
  return std::unique_ptr<AccountPoolProvider>(new AccountPoolProvider(std::move(options)));
}

AccountPoolProvider::AccountPoolProvider(AccountPoolOptions options)
    : options_(std::move(options)) {
  slots_.reserve(options_.accounts.size());
  for (const PoolAccount& a : options_.accounts) slots_.push_back(Slot{a, {}, {}, {}, {}, 0});
}

ProviderRoom AccountPoolProvider::RoomOf(const Slot& slot) const {
  ProviderRoom room = slot.account.provider->Room();
  room.account_id = slot.account.account_id;
  if (slot.account.max_users) room.users_limit = *slot.account.max_users;
  return room;
}

bool AccountPoolProvider::StillFull(const Slot& slot, const ProviderRoom& room, bool hinted,
                                    Timestamp now) const {
  if (!slot.full_room) return false;
  if (now >= slot.full_since + options_.cooldown) return false;
  const ProviderRoom& then = *slot.full_room;
  const bool more_room =
      room.users_used < then.users_used ||
      (then.users_limit >= 0 && (room.users_limit < 0 || room.users_limit > then.users_limit)) ||
      (!hinted && room.ready_keys > 0);
  return !more_room;
}

void AccountPoolProvider::Record(Slot& slot, const Status& status) {
  std::lock_guard lock(mu_);
  if (status.ok()) {
    slot.unhealthy_until.reset();
    slot.last_error.clear();
    return;
  }
  if (IsHealthFailure(status)) {
    slot.unhealthy_until = options_.clock->Now() + options_.cooldown;
    slot.last_error = status.ToString();
  } else if (status.code() == StatusCode::kResourceExhausted) {
    slot.last_error = status.ToString();  // for doctor: why it gets nothing
  }
}

void AccountPoolProvider::RememberKey(const std::string& access_key_id, Slot* slot) {
  std::lock_guard lock(mu_);
  key_slot_[access_key_id] = slot;
}

Expected<MintedKey> AccountPoolProvider::Mint(const std::string& hint_user_name) {
  const bool hinted = !hint_user_name.empty();
  // Rooms first, without the lock (they call the providers).
  std::vector<ProviderRoom> rooms;
  rooms.reserve(slots_.size());
  for (const Slot& s : slots_) rooms.push_back(RoomOf(s));

  struct Candidate {
    size_t index;
    int64_t ready;  // keys it can hand out now (0 for a hinted mint)
    int64_t free;   // users it can still make
  };
  std::vector<Candidate> candidates;
  std::vector<std::string> failures;  // "name: why", for the error
  {
    std::lock_guard lock(mu_);
    const Timestamp now = options_.clock->Now();
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      const ProviderRoom& room = rooms[i];
      if (s.unhealthy_until && now < *s.unhealthy_until) {
        failures.push_back(fmt::format("{}: unavailable until {} ({})", s.account.name,
                                       FormatRfc3339(*s.unhealthy_until), s.last_error));
        continue;
      }
      if (s.full_room && !StillFull(s, room, hinted, now)) s.full_room.reset();
      if (s.full_room) continue;
      const int64_t ready = hinted ? 0 : std::max<int64_t>(0, room.ready_keys - s.in_flight);
      const int64_t used = room.users_used + (ready > 0 ? 0 : s.in_flight);
      const int64_t free =
          room.users_limit < 0 ? std::numeric_limits<int64_t>::max() : room.users_limit - used;
      if (ready == 0 && free <= 0) continue;
      candidates.push_back({i, ready, free});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     if ((a.ready > 0) != (b.ready > 0)) return a.ready > 0;
                     if (a.ready > 0) return a.ready > b.ready;
                     return a.free > b.free;
                   });

  for (const Candidate& c : candidates) {
    Slot& slot = slots_[c.index];
    {
      std::lock_guard lock(mu_);
      // Another caller may have found it broken since the ranking.
      if (slot.unhealthy_until && options_.clock->Now() < *slot.unhealthy_until) continue;
      ++slot.in_flight;
    }
    Expected<MintedKey> minted = slot.account.provider->Mint(hint_user_name);
    {
      std::lock_guard lock(mu_);
      --slot.in_flight;
    }
    Record(slot, minted.status());
    if (minted.ok()) {
      RememberKey(minted->access_key_id, &slot);
      return minted;
    }
    const Status& s = minted.status();
    if (s.code() == StatusCode::kResourceExhausted) {
      spdlog::info("account {}: full ({})", slot.account.name, s.message());
      std::lock_guard lock(mu_);
      slot.full_room = rooms[c.index];
      slot.full_since = options_.clock->Now();
      continue;
    }
    if (IsHealthFailure(s)) {
      spdlog::warn("account {} ({}): {}; left alone for {} ms, trying the next account",
                   slot.account.name, slot.account.account_id, s.ToString(),
                   options_.cooldown.count());
      failures.push_back(fmt::format("{}: {}", slot.account.name, s.ToString()));
      continue;
    }
    return Status(s.code(), fmt::format("account {}: {}", slot.account.name, s.message()));
  }

  if (failures.empty()) {
    std::string usage;
    for (size_t i = 0; i < slots_.size(); ++i) {
      usage += fmt::format("{}{} {}", i ? ", " : "", slots_[i].account.name, Usage(rooms[i]));
    }
    return ResourceExhausted(fmt::format("every account is full ({})", usage));
  }
  std::string why;
  for (const std::string& f : failures) why += (why.empty() ? "" : "; ") + f;
  return Unavailable(fmt::format("no account could make a key: {}", why));
}

Expected<AccountPoolProvider::Slot*> AccountPoolProvider::Route(const std::string& account_id) {
  for (Slot& s : slots_) {
    if (s.account.account_id == account_id) return &s;
  }
  std::string known;
  for (const Slot& s : slots_) {
    known +=
        fmt::format("{}{} ({})", known.empty() ? "" : ", ", s.account.name, s.account.account_id);
  }
  return FailedPrecondition(fmt::format("account {} is not in the account pool (configured: {})",
                                        account_id.empty() ? std::string("(none)") : account_id,
                                        known));
}

Status AccountPoolProvider::Revoke(const HoneyToken& token) {
  SC_ASSIGN_OR_RETURN(Slot * slot, Route(token.account_id));
  Status s = slot->account.provider->Revoke(token);
  Record(*slot, s);
  return s;
}

Status AccountPoolProvider::Delete(const HoneyToken& token) {
  SC_ASSIGN_OR_RETURN(Slot * slot, Route(token.account_id));
  Status s = slot->account.provider->Delete(token);
  Record(*slot, s);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    slot->full_room.reset();  // a user may have gone: worth asking again
  }
  return s;
}

Expected<MintedKey> AccountPoolProvider::Rotate(const HoneyToken& token) {
  SC_ASSIGN_OR_RETURN(Slot * slot, Route(token.account_id));
  Expected<MintedKey> minted = slot->account.provider->Rotate(token);
  Record(*slot, minted.status());
  if (minted.ok()) RememberKey(minted->access_key_id, slot);
  return minted;
}

Status AccountPoolProvider::ConfirmStored(const std::string& access_key_id) {
  Slot* slot = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = key_slot_.find(access_key_id);
    if (it == key_slot_.end())
      return NotFound(fmt::format("no account handed out {}", access_key_id));
    slot = it->second;
    key_slot_.erase(it);
  }
  return slot->account.provider->ConfirmStored(access_key_id);
}

void AccountPoolProvider::Abandon(const MintedKey& key) {
  Slot* slot = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = key_slot_.find(key.access_key_id);
    if (it != key_slot_.end()) {
      slot = it->second;
      key_slot_.erase(it);
    }
  }
  if (auto routed = Route(key.account_id); routed.ok()) slot = *routed;
  if (!slot) {
    spdlog::error("account pool: cannot give back key {} of unknown account {}", key.access_key_id,
                  key.account_id);
    return;
  }
  slot->account.provider->Abandon(key);
}

ProviderRoom AccountPoolProvider::Room() const {
  ProviderRoom total;
  bool unlimited = false;
  int64_t limit = 0;
  for (const Slot& s : slots_) {
    const ProviderRoom room = RoomOf(s);
    total.users_used += room.users_used;
    total.ready_keys += room.ready_keys;
    if (room.users_limit < 0) {
      unlimited = true;
    } else {
      limit += room.users_limit;
    }
  }
  total.users_limit = unlimited ? -1 : limit;
  return total;
}

std::vector<AccountState> AccountPoolProvider::Accounts() const {
  std::vector<ProviderRoom> rooms;
  for (const Slot& s : slots_) rooms.push_back(RoomOf(s));
  std::vector<AccountState> out;
  std::lock_guard lock(mu_);
  const Timestamp now = options_.clock->Now();
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    AccountState st;
    st.name = s.account.name;
    st.account_id = s.account.account_id;
    st.room = rooms[i];
    st.healthy = !(s.unhealthy_until && now < *s.unhealthy_until);
    if (!st.healthy) st.retry_at = s.unhealthy_until;
    st.full = StillFull(s, rooms[i], /*hinted=*/false, now);
    st.last_error = s.last_error;
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace spacecrab
