#include "app/provider_factory.h"

#include "provider/decoy_provider.h"
#include "provider/iam/iam_provider.h"

namespace spacecrab {
namespace {

// The IamProvider borrows the IAM client; this keeps the connection alive as
// long as the provider is.
class AwsIamProvider final : public Provider {
 public:
  AwsIamProvider(std::shared_ptr<AwsIam> aws, std::unique_ptr<IamProvider> iam)
      : aws_(std::move(aws)), iam_(std::move(iam)) {}
  TokenKind kind() const override { return TokenKind::kAws; }
  Expected<MintedKey> Mint(const std::string& hint_user_name) override {
    return iam_->Mint(hint_user_name);
  }
  Status Revoke(const HoneyToken& token) override { return iam_->Revoke(token); }
  Status Delete(const HoneyToken& token) override { return iam_->Delete(token); }
  Expected<MintedKey> Rotate(const HoneyToken& token) override { return iam_->Rotate(token); }

 private:
  std::shared_ptr<AwsIam> aws_;
  std::unique_ptr<IamProvider> iam_;
};

Expected<BuiltProviders> BuildAws(const Config& config, const ProviderDeps& deps) {
  if (!deps.iam_intents || !deps.clock || !deps.random)
    return InvalidArgument(
        "provider \"aws\": internal: the IAM intent log, clock and random source are required");
  AwsIamOptions ao;
  ao.env = ProcessEnvironment();
  SC_ASSIGN_OR_RETURN(std::unique_ptr<AwsIam> connected, ConnectAwsIam(config, ao));
  std::shared_ptr<AwsIam> aws = std::move(connected);

  IamProviderOptions po;
  po.iam = aws->iam.get();
  po.intents = deps.iam_intents;
  po.clock = deps.clock;
  po.random = deps.random;
  po.account_id = aws->account_id;
  po.region = config.aws.region;
  po.policy_name = aws->policy_name;
  if (!config.aws.user_name_templates.empty()) {
    // The operator's own naming convention, over the built-in word lists.
    IamNameStyle style;
    style.name = "configured";
    style.user_templates = config.aws.user_name_templates;
    style.path_templates = config.aws.path_templates;
    if (style.path_templates.empty()) style.path_templates = {"/"};
    po.names.styles = {std::move(style)};
  } else if (!config.aws.path_templates.empty()) {
    for (IamNameStyle& style : po.names.styles) style.path_templates = config.aws.path_templates;
  }
  if (Status names = IamNameGenerator::Create(po.names, *deps.random).status(); !names.ok())
    return InvalidArgument("[aws] user_name_templates / path_templates: " + names.message());
  auto iam = IamProvider::Create(std::move(po));
  if (!iam.ok()) {
    return Status(iam.status().code(), "provider \"aws\": IAM in account " + aws->account_id +
                                           " (" + aws->Describe() + "): " + iam.status().message());
  }
  BuiltProviders out;
  out.providers.push_back(std::make_unique<AwsIamProvider>(aws, std::move(iam).value()));
  out.aws = std::move(aws);
  return out;
}

}  // namespace

Expected<BuiltProviders> BuildProviders(const Config& config, const ProviderDeps& deps) {
  BuiltProviders out;
  if (config.provider == "aws") {
    SC_ASSIGN_OR_RETURN(out, BuildAws(config, deps));
  } else if (config.provider != "decoy") {
    return InvalidArgument("provider: expected \"decoy\" or \"aws\", got \"" + config.provider +
                           "\"");
  }
  // Decoy tokens are always served: with provider = "aws" it keeps the ones
  // issued before the switch working (and `kind: "decoy"` can still mint).
  auto decoy = DecoyProvider::Create({deps.decoy_account_id, deps.decoy_endpoint_url,
                                      config.aws.region, deps.secret_box, deps.random});
  if (!decoy.ok()) return decoy.status();
  out.providers.push_back(std::move(decoy).value());
  return out;
}

Expected<std::vector<std::unique_ptr<Provider>>> MakeProviders(const Config& config,
                                                               const ProviderDeps& deps) {
  SC_ASSIGN_OR_RETURN(BuiltProviders built, BuildProviders(config, deps));
  return std::move(built.providers);
}

}  // namespace spacecrab
