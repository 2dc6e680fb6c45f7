#include "app/aws_iam.h"

#include <fmt/format.h>

#include <algorithm>

#include "awsclient/aws_query_client.h"

namespace spacecrab {

std::string AwsIam::Describe() const {
  return fmt::format("{} -> {}", settings.credentials.Redacted(), settings.EndpointFor("iam"));
}

Expected<std::unique_ptr<AwsIam>> ConnectAwsIam(const Config& config,
                                                const AwsIamOptions& options) {
  AwsSettingsOptions so;
  so.env = options.env;
  so.profile = config.aws.profile;
  so.region = config.aws.region;
  so.endpoint_url = config.aws.endpoint_url;
  auto settings = ResolveAwsSettings(so);
  if (!settings.ok()) {
    const Status& s = settings.status();
    const std::string where =
        config.aws.profile.empty()
            ? std::string("AWS credentials (environment, AWS_PROFILE, ~/.aws)")
            : fmt::format("[aws] profile '{}'", config.aws.profile);
    return Status(s.code(), fmt::format("provider \"aws\": {}: {}", where, s.message()));
  }

  auto aws = std::make_unique<AwsIam>();
  aws->policy_name = config.aws.policy_name;
  aws->settings = std::move(settings).value();
  aws->transport = std::make_unique<CurlHttpTransport>();
  AwsQueryClientOptions qo;
  qo.transport = aws->transport.get();
  qo.settings = aws->settings;
  aws->client = std::make_unique<AwsQueryClient>(std::move(qo));
  aws->iam = std::make_unique<IamClient>(*aws->client);
  aws->sts = std::make_unique<StsClient>(*aws->client);
  if (!options.resolve_identity) {
    if (config.aws.accounts.size() == 1) aws->account_id = config.aws.accounts.front();
    return aws;
  }

  auto id = aws->sts->GetCallerIdentity();
  if (!id.ok()) {
    return Status(id.status().code(),
                  fmt::format("provider \"aws\": STS GetCallerIdentity at {} with {} failed "
                              "(check [aws] endpoint_url and the credentials): {}",
                              aws->settings.EndpointFor("sts"),
                              aws->settings.credentials.Redacted(), id.status().message()));
  }
  aws->identity = *id;
  aws->account_id = id->account;
  const auto& accounts = config.aws.accounts;
  if (!accounts.empty() &&
      std::find(accounts.begin(), accounts.end(), aws->account_id) == accounts.end()) {
    return InvalidArgument(fmt::format(
        "[aws] accounts: the credentials ({}) belong to account {}, which is not listed",
        aws->identity.arn, aws->account_id));
  }
  return aws;
}

}  // namespace spacecrab
