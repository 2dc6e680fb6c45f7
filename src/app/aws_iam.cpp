#include "app/aws_iam.h"

#include <fmt/format.h>

#include <algorithm>

#include "awsclient/aws_query_client.h"

namespace spacecrab {

std::string AwsIam::Describe() const {
  if (role) return fmt::format("role {} -> {}", role->role_arn(), settings.EndpointFor("iam"));
  return fmt::format("{} -> {}", settings.credentials.Redacted(), settings.EndpointFor("iam"));
}

Expected<std::unique_ptr<AwsIam>> ConnectAwsIam(const Config& config,
                                                const AwsIamOptions& options) {
  const AwsAccountConfig* account = options.account;
  // How messages name the account.
  const std::string who = account ? fmt::format("[accounts.{}]", account->name)
                                  : std::string("provider \"aws\"");
  AwsSettingsOptions so;
  so.env = options.env;
  so.profile = account && !account->profile.empty() ? account->profile : config.aws.profile;
  so.region = config.aws.region;
  so.endpoint_url = config.aws.endpoint_url;
  auto settings = ResolveAwsSettings(so);
  if (!settings.ok()) {
    const Status& s = settings.status();
    const std::string where =
        account && !account->profile.empty()
            ? fmt::format("[accounts.{}] profile '{}'", account->name, account->profile)
        : config.aws.profile.empty()
            ? std::string("AWS credentials (environment, AWS_PROFILE, ~/.aws)")
            : fmt::format("[aws] profile '{}'", config.aws.profile);
    return Status(s.code(), fmt::format("{}: {}: {}", who, where, s.message()));
  }

  auto aws = std::make_unique<AwsIam>();
  if (account) aws->name = account->name;
  aws->policy_name = config.aws.policy_name;
  aws->max_users = account && account->max_users > 0 ? account->max_users : config.aws.max_users;
  aws->pool_size = account && account->pool_size >= 0 ? account->pool_size : config.aws.pool_size;
  aws->settings = std::move(settings).value();
  aws->transport = std::make_unique<CurlHttpTransport>();
  AwsQueryClientOptions qo;
  qo.transport = aws->transport.get();
  qo.settings = aws->settings;
  if (account && !account->role_arn.empty()) {
    // Every call in this account is signed with the role's session; the
    // [aws] credentials only sign AssumeRole.
    aws->base_client = std::make_unique<AwsQueryClient>(qo);
    AssumedRoleOptions ro;
    ro.base = aws->base_client.get();
    ro.role_arn = account->role_arn;
    ro.external_id = account->external_id;
    auto role = AssumedRoleCredentials::Create(std::move(ro));
    if (!role.ok())
      return Status(role.status().code(),
                    fmt::format("[accounts.{}] role_arn: {}", account->name, role.status().message()));
    aws->role = std::move(role).value();
    qo.credentials_source = aws->role->AsSource();
  }
  aws->client = std::make_unique<AwsQueryClient>(std::move(qo));
  aws->iam = std::make_unique<IamClient>(*aws->client);
  aws->sts = std::make_unique<StsClient>(*aws->client);
  const std::string expected =
      account && !account->account_id.empty()   ? account->account_id
      : account && !account->role_arn.empty()   ? account->role_arn.substr(13, 12)
      : !account && config.aws.accounts.size() == 1 ? config.aws.accounts.front()
                                                    : std::string();
  if (!options.resolve_identity) {
    aws->account_id = expected;
    return aws;
  }

  auto id = aws->sts->GetCallerIdentity();
  if (!id.ok()) {
    return Status(id.status().code(),
                  fmt::format("{}: STS GetCallerIdentity at {} as {} failed "
                              "(check [aws] endpoint_url and the credentials): {}",
                              who, aws->settings.EndpointFor("sts"), aws->Describe(),
                              id.status().message()));
  }
  aws->identity = *id;
  aws->account_id = id->account;
  if (account) {
    if (!expected.empty() && expected != aws->account_id)
      return InvalidArgument(fmt::format(
          "[accounts.{}] account_id: the credentials ({}) belong to account {}, not {}",
          account->name, aws->identity.arn, aws->account_id, expected));
    return aws;
  }
  const auto& accounts = config.aws.accounts;
  if (!accounts.empty() &&
      std::find(accounts.begin(), accounts.end(), aws->account_id) == accounts.end()) {
    return InvalidArgument(fmt::format(
        "[aws] accounts: the credentials ({}) belong to account {}, which is not listed",
        aws->identity.arn, aws->account_id));
  }
  return aws;
}

std::vector<AwsAccountConnection> ConnectAwsAccounts(const Config& config,
                                                     const AwsIamOptions& options) {
  std::vector<AwsAccountConnection> out;
  if (config.accounts.empty()) {
    out.push_back({"default", ConnectAwsIam(config, options)});
    return out;
  }
  for (const AwsAccountConfig& account : config.accounts) {
    AwsIamOptions o = options;
    o.account = &account;
    out.push_back({account.name, ConnectAwsIam(config, o)});
  }
  return out;
}

}  // namespace spacecrab
