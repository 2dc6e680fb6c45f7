#include "app/provider_factory.h"

#include "provider/decoy_provider.h"

namespace spacecrab {

Expected<std::vector<std::unique_ptr<Provider>>> MakeProviders(const Config& config,
                                                               const ProviderDeps& deps) {
  auto decoy = DecoyProvider::Create({deps.decoy_account_id, deps.decoy_endpoint_url,
                                      config.aws.region, deps.secret_box, deps.random});
  if (!decoy.ok()) return decoy.status();
  std::vector<std::unique_ptr<Provider>> providers;
  if (config.provider == "decoy") {
    providers.push_back(std::move(decoy).value());
    return providers;
  }
  if (config.provider == "aws")
    return InvalidArgument(
        "provider: \"aws\" is not available in this build yet; use provider = \"decoy\"");
  return InvalidArgument("provider: expected \"decoy\" or \"aws\", got \"" + config.provider +
                         "\"");
}

}  // namespace spacecrab
