// DecoyProvider: keys minted locally for the configured decoy account.
//
// Nothing is created in AWS. The key id encodes the decoy account (so offline
// decoding and `sts get-access-key-info` agree with the ARN), the secret is 40
// CSPRNG characters, and the decoy endpoint (src/decoy) answers for the key.
// Because that endpoint must verify SigV4 signatures, the secret is kept —
// sealed with the SecretBox, associated data = the access key id, so a sealed
// secret copied onto another key's row fails to open:
//   box.Open(token.sealed_secret, token.access_key_id)
//
// Revoke and Delete change nothing outside the store, so they succeed without
// doing anything; the token's status (kept by TokenService) is what the decoy
// endpoint consults.
//
// Thread-safety: safe to call concurrently (state is immutable after
// construction; RandomSource and SecretBox are thread-safe).
// Ownership: the SecretBox and RandomSource in the options must outlive the provider.
#pragma once

#include <memory>
#include <string>

#include "crypto/random.h"
#include "crypto/secret_box.h"
#include "provider/name_generator.h"
#include "provider/provider.h"

namespace spacecrab {

struct DecoyProviderOptions {
  std::string account_id;    // 12 digits (REQUIRES: valid; Create checks)
  std::string endpoint_url;  // handed out with every credential; may be empty
  std::string region = "us-east-1";
  const SecretBox* secret_box = nullptr;  // required
  RandomSource* random = nullptr;         // required; a CSPRNG in production
};

class DecoyProvider final : public Provider {
 public:
  // InvalidArgument if the account id is not 12 digits or a dependency is missing.
  static Expected<std::unique_ptr<DecoyProvider>> Create(DecoyProviderOptions options);

  TokenKind kind() const override { return TokenKind::kDecoy; }
  // `hint_user_name` must be a valid IAM user name if given; empty: a generated one.
  Expected<MintedKey> Mint(const std::string& hint_user_name) override;
  Status Revoke(const HoneyToken& token) override;
  Status Delete(const HoneyToken& token) override;
  // A new key for the same user name (and account) as `token`.
  Expected<MintedKey> Rotate(const HoneyToken& token) override;

 private:
  DecoyProvider(DecoyProviderOptions options, IamNameGenerator names);
  Expected<MintedKey> MintFor(const std::string& account_id, const std::string& user_name);
  Expected<std::string> NewUserName() const;

  DecoyProviderOptions options_;
  IamNameGenerator names_;  // the same shapes real IAM tokens get
};

}  // namespace spacecrab
