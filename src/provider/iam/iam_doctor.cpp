#include "provider/iam/iam_doctor.h"

#include <fmt/format.h>

#include <set>

#include "provider/iam/iam_policy.h"

namespace spacecrab {
namespace {

IamDoctorCheck WriteProbe(const IamDoctorOptions& o, const std::set<std::string>& taken) {
  IamDoctorCheck c{"iam write", false, ""};
  auto gen = IamNameGenerator::Create(o.names, *o.random);
  if (!gen.ok()) {
    c.detail = gen.status().ToString();
    return c;
  }
  auto name = gen->Next([&](std::string_view n) { return taken.count(std::string(n)) > 0; });
  if (!name.ok()) {
    c.detail = name.status().ToString();
    return c;
  }
  IamClient& iam = *o.iam;
  const std::string& user = name->user_name;
  auto step = [&](const char* what, const Status& s) {
    if (!s.ok() && c.detail.empty())
      c.detail = fmt::format("{} failed for probe user {}: {}", what, user, s.ToString());
    return s.ok();
  };
  if (!step("CreateUser", iam.CreateUser(user, name->path).status())) return c;
  bool ok = step("PutUserPolicy", iam.PutUserPolicy(user, o.policy_name, DenyAllPolicyDocument()));
  if (ok) {
    auto key = iam.CreateAccessKey(user);
    ok = step("CreateAccessKey", key.status()) && key.ok() &&
         step("UpdateAccessKey", iam.UpdateAccessKey(user, key->access_key_id, false)) &&
         step("DeleteAccessKey", iam.DeleteAccessKey(user, key->access_key_id));
  }
  // Clean up whatever the probe made, even after a failure.
  Status del_policy = iam.DeleteUserPolicy(user, o.policy_name);
  if (del_policy.code() == StatusCode::kNotFound) del_policy = Status::Ok();
  const bool cleaned =
      step("DeleteUserPolicy", del_policy) && step("DeleteUser", iam.DeleteUser(user));
  c.ok = ok && cleaned;
  if (c.ok) c.detail = "create, deny, key, deactivate and delete all allowed";
  return c;
}

}  // namespace

std::vector<IamDoctorCheck> CheckIamSetup(const IamDoctorOptions& o) {
  std::vector<IamDoctorCheck> out;
  auto id = o.sts->GetCallerIdentity();
  if (!id.ok()) {
    out.push_back({"aws identity", false, id.status().ToString()});
    return out;  // nothing else can work
  }
  const bool right_account = o.expected_account_id.empty() || id->account == o.expected_account_id;
  out.push_back({"aws identity", right_account,
                 right_account ? fmt::format("{} (account {})", id->arn, id->account)
                               : fmt::format("credentials are for account {}, config says {}",
                                             id->account, o.expected_account_id)});

  std::set<std::string> taken;
  auto users = o.iam->ListUsers("/");
  if (users.ok()) {
    for (const auto& u : *users) taken.insert(u.user_name);
    out.push_back({"iam read", true, fmt::format("ListUsers allowed; {} users", users->size())});
  } else {
    out.push_back({"iam read", false, users.status().ToString()});
  }

  auto summary = o.iam->GetAccountSummary();
  if (summary.ok() && summary->count("Users") && summary->count("UsersQuota") &&
      summary->at("UsersQuota") > 0) {
    const int64_t n = summary->at("Users"), quota = summary->at("UsersQuota");
    out.push_back(
        {"iam capacity", n * 10 < quota * 9, fmt::format("{} of {} IAM users in use", n, quota)});
  } else {
    out.push_back(
        {"iam capacity", false,
         summary.ok() ? "GetAccountSummary has no user quota" : summary.status().ToString()});
  }
  if (o.write_probe) out.push_back(WriteProbe(o, taken));
  return out;
}

}  // namespace spacecrab
