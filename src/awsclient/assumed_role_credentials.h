// AssumedRoleCredentials: an account reached through an IAM role, as the
// credentials source of an AwsQueryClient.
//
//   AwsQueryClient base(...);  // the caller's own credentials (profile, env)
//   auto role = AssumedRoleCredentials::Create({&base, "arn:aws:iam::111111111111:role/x"});
//   AwsQueryClientOptions o;   // same transport/region/endpoints
//   o.credentials_source = (*role)->AsSource();
//   AwsQueryClient in_account(std::move(o));  // signs as the role, in 111111111111
//
// Get() returns cached temporary credentials and calls STS AssumeRole (through
// `base`) when there are none yet or they are within refresh_before of their
// expiration, so several clients may share one instance and one session.
//
// Failure: Get() returns the AssumeRole error with its code (AccessDenied ->
// kPermissionDenied, throttling after retries -> kUnavailable ...) and a
// message naming the role ARN and AWS's error, never a key id or secret.
// AwsQueryClient turns a failed refresh into kUnavailable.
// Thread-safety: safe; one AssumeRole at a time, concurrent callers wait.
// Ownership: the base client and the clock are borrowed and must outlive it;
// so must this object outlive every client using AsSource().
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "awsclient/aws_credentials.h"
#include "awsclient/aws_query_client.h"
#include "core/clock.h"
#include "core/status.h"

namespace spacecrab {

struct AssumedRoleOptions {
  AwsQueryClient* base = nullptr;  // REQUIRED: signs AssumeRole with the caller's credentials
  std::string role_arn;            // REQUIRED: arn:aws:iam::<account>:role/<name>
  std::string external_id;         // sent when non-empty (the role's trust policy may demand it)
  // Shows in the account's CloudTrail as the session of every call made.
  std::string session_name = "iam-provisioning";
  std::chrono::seconds duration{3600};  // 900..43200, within the role's maximum
  std::chrono::seconds refresh_before{300};
  const Clock* clock = nullptr;  // default: the system clock
};

class AssumedRoleCredentials final {
 public:
  // kInvalidArgument without a base client or with a malformed role ARN,
  // session name or duration. Makes no call.
  static Expected<std::unique_ptr<AssumedRoleCredentials>> Create(AssumedRoleOptions options);
  AssumedRoleCredentials(const AssumedRoleCredentials&) = delete;
  AssumedRoleCredentials& operator=(const AssumedRoleCredentials&) = delete;

  // Temporary credentials for the role (see the file comment).
  Expected<AwsCredentials> Get();
  // Get(), for AwsQueryClientOptions::credentials_source; borrows this.
  std::function<Expected<AwsCredentials>()> AsSource();

  const std::string& role_arn() const { return options_.role_arn; }
  // How many AssumeRole calls succeeded (metrics, tests).
  int64_t sessions() const;

 private:
  explicit AssumedRoleCredentials(AssumedRoleOptions options);

  AssumedRoleOptions options_;
  SystemClock system_clock_;
  const Clock* clock_;
  mutable std::mutex mu_;  // held across AssumeRole
  std::optional<AwsCredentials> cached_;
  int64_t sessions_ = 0;
};

}  // namespace spacecrab
