#include "provider/iam/iam_intent_log.h"

#include <fmt/format.h>

#include <algorithm>

namespace spacecrab {

std::string_view ToString(IamIntentKind k) {
  switch (k) {
    case IamIntentKind::kMint:
      return "mint";
    case IamIntentKind::kRotate:
      return "rotate";
    case IamIntentKind::kDelete:
      return "delete";
  }
  return "mint";
}

std::string_view ToString(IamIntentState s) {
  switch (s) {
    case IamIntentState::kPending:
      return "pending";
    case IamIntentState::kKeyCreated:
      return "key_created";
    case IamIntentState::kDone:
      return "done";
    case IamIntentState::kRolledBack:
      return "rolled_back";
  }
  return "pending";
}

std::optional<IamIntentKind> ParseIamIntentKind(std::string_view s) {
  for (auto k : {IamIntentKind::kMint, IamIntentKind::kRotate, IamIntentKind::kDelete}) {
    if (ToString(k) == s) return k;
  }
  return std::nullopt;
}

std::optional<IamIntentState> ParseIamIntentState(std::string_view s) {
  for (auto st : {IamIntentState::kPending, IamIntentState::kKeyCreated, IamIntentState::kDone,
                  IamIntentState::kRolledBack}) {
    if (ToString(st) == s) return st;
  }
  return std::nullopt;
}

Status InMemoryIamIntentLog::Begin(const IamIntent& intent) {
  std::lock_guard lock(mu_);
  for (const auto& i : intents_) {
    if (i.id == intent.id) return AlreadyExists(fmt::format("intent {} exists", intent.id));
  }
  intents_.push_back(intent);
  return Status::Ok();
}

Status InMemoryIamIntentLog::Update(const IamIntent& intent) {
  std::lock_guard lock(mu_);
  for (auto& i : intents_) {
    if (i.id == intent.id) {
      i = intent;
      return Status::Ok();
    }
  }
  return NotFound(fmt::format("intent {} does not exist", intent.id));
}

Expected<std::vector<IamIntent>> InMemoryIamIntentLog::ListOpen() {
  std::lock_guard lock(mu_);
  std::vector<IamIntent> out;
  for (const auto& i : intents_) {
    if (IsOpen(i.state)) out.push_back(i);
  }
  std::stable_sort(out.begin(), out.end(), [](const IamIntent& a, const IamIntent& b) {
    return a.started_at < b.started_at;
  });
  return out;
}

std::vector<IamIntent> InMemoryIamIntentLog::All() const {
  std::lock_guard lock(mu_);
  return intents_;
}

std::optional<IamIntent> InMemoryIamIntentLog::Find(const std::string& id) const {
  std::lock_guard lock(mu_);
  for (const auto& i : intents_) {
    if (i.id == id) return i;
  }
  return std::nullopt;
}

}  // namespace spacecrab
