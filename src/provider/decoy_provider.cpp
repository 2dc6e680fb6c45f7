#include "provider/decoy_provider.h"

#include <array>
#include <memory>

#include "core/access_key.h"

namespace spacecrab {

Expected<std::unique_ptr<DecoyProvider>> DecoyProvider::Create(DecoyProviderOptions options) {
  if (!IsValidAccountId(options.account_id))
    return InvalidArgument("decoy account id must be 12 digits, got '" + options.account_id + "'");
  if (options.secret_box == nullptr || options.random == nullptr)
    return InvalidArgument("decoy provider needs a secret box and a random source");
  SC_ASSIGN_OR_RETURN(IamNameGenerator names,
                      IamNameGenerator::Create(DefaultIamNameGeneratorOptions(), *options.random));
  return std::unique_ptr<DecoyProvider>(new DecoyProvider(std::move(options), std::move(names)));
}

DecoyProvider::DecoyProvider(DecoyProviderOptions options, IamNameGenerator names)
    : options_(std::move(options)), names_(std::move(names)) {}

// Decoy users live at the root path: the decoy endpoint answers with
// "arn:aws:iam::ACCOUNT:user/NAME", so only the name is drawn. Uniqueness is
// not needed (the store keys tokens by access key id).
Expected<std::string> DecoyProvider::NewUserName() const {
  SC_ASSIGN_OR_RETURN(IamIdentityName name, names_.Next(nullptr));
  return name.user_name;
}

Expected<MintedKey> DecoyProvider::MintFor(const std::string& account_id,
                                           const std::string& user_name) {
  std::array<uint8_t, kAccessKeyIdEntropyBytes> id_entropy{};
  std::array<uint8_t, kSecretEntropyBytes> secret_entropy{};
  options_.random->Fill(id_entropy);
  options_.random->Fill(secret_entropy);
  SC_ASSIGN_OR_RETURN(std::string key_id, MakeAccessKeyId(account_id, id_entropy));
  std::string secret = MakeSecretAccessKey(secret_entropy);
  secret_entropy.fill(0);

  MintedKey key;
  key.kind = TokenKind::kDecoy;
  key.access_key_id = key_id;
  key.account_id = account_id;
  key.user_name = user_name;
  key.arn = "arn:aws:iam::" + account_id + ":user/" + user_name;
  key.sealed_secret = options_.secret_box->Seal(secret, key_id);
  key.credentials.access_key_id = key_id;
  key.credentials.secret_access_key = std::move(secret);
  key.credentials.endpoint_url = options_.endpoint_url;
  key.credentials.region = options_.region;
  return key;
}

Expected<MintedKey> DecoyProvider::Mint(const std::string& hint_user_name) {
  if (hint_user_name.empty()) {
    SC_ASSIGN_OR_RETURN(std::string name, NewUserName());
    return MintFor(options_.account_id, name);
  }
  if (!IamNameGenerator::IsValidUserName(hint_user_name))
    return InvalidArgument("user_name must be 1-64 characters of [A-Za-z0-9+=,.@_-]");
  return MintFor(options_.account_id, hint_user_name);
}

Status DecoyProvider::Revoke(const HoneyToken&) { return Status::Ok(); }

Status DecoyProvider::Delete(const HoneyToken&) { return Status::Ok(); }

Expected<MintedKey> DecoyProvider::Rotate(const HoneyToken& token) {
  // Same identity: the token's own account (which survives a change of the
  // configured decoy account) and user name.
  const std::string& account =
      IsValidAccountId(token.account_id) ? token.account_id : options_.account_id;
  if (!token.user_name.empty()) return MintFor(account, token.user_name);
  SC_ASSIGN_OR_RETURN(std::string name, NewUserName());
  return MintFor(account, name);
}

}  // namespace spacecrab
