#include "awsclient/assumed_role_credentials.h"

#include <fmt/format.h>

#include "awsclient/iam_client.h"

namespace spacecrab {

Expected<std::unique_ptr<AssumedRoleCredentials>> AssumedRoleCredentials::Create(
    AssumedRoleOptions options) {
  if (!options.base) return InvalidArgument("AssumedRoleCredentials needs a base AWS client");
  SC_RETURN_IF_ERROR(
      StsClient::CheckAssumeRoleArgs(options.role_arn, options.session_name, options.duration));
  if (options.refresh_before.count() < 0 || options.refresh_before >= options.duration) {
    return InvalidArgument(fmt::format(
        "role {}: refresh_before must be shorter than the session duration", options.role_arn));
  }
  return std::unique_ptr<AssumedRoleCredentials>(new AssumedRoleCredentials(std::move(options)));
}

AssumedRoleCredentials::AssumedRoleCredentials(AssumedRoleOptions options)
    : options_(std::move(options)), clock_(options_.clock ? options_.clock : &system_clock_) {}

Expected<AwsCredentials> AssumedRoleCredentials::Get() {
  std::lock_guard lock(mu_);
  const Timestamp now = clock_->Now();
  if (cached_ && cached_->expiration && *cached_->expiration > now + options_.refresh_before)
    return *cached_;
  StsClient sts(*options_.base);
  auto fresh = sts.AssumeRole(options_.role_arn, options_.session_name, options_.external_id,
                              options_.duration);
  if (!fresh.ok()) {
    // AWS error messages name principals and ARNs, never secrets.
    return Status(fresh.status().code(), fmt::format("AssumeRole {} failed: {}", options_.role_arn,
                                                     fresh.status().message()));
  }
  cached_ = std::move(fresh).value();
  ++sessions_;
  return *cached_;
}

std::function<Expected<AwsCredentials>()> AssumedRoleCredentials::AsSource() {
  return [this] { return Get(); };
}

int64_t AssumedRoleCredentials::sessions() const {
  std::lock_guard lock(mu_);
  return sessions_;
}

}  // namespace spacecrab
