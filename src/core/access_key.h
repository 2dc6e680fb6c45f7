// AWS access key id and secret formats.
//
// Real key ids are "AKIA" + 16 base32 (RFC 4648, A-Z2-7) characters; the first
// 6 decoded bytes carry the owning account id:
//   account = (be48(base32decode(id[4:])[0:6]) & 0x7fffffffff80) >> 7
// Minted ids must decode to the token's account so that an attacker who runs
// that decoding (e.g. `aws sts get-access-key-info`, or offline) sees the
// account the key claims to belong to.
//
// Pure functions: randomness is passed in, so the core stays free of I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace spacecrab {

inline constexpr size_t kAccessKeyIdEntropyBytes = 10;
inline constexpr size_t kSecretEntropyBytes = 30;

// True for a 12-digit account id.
bool IsValidAccountId(std::string_view account_id);

// "AKIA" + 16 chars of [A-Z2-7] (also accepts the "ASIA" prefix of temporary keys).
bool LooksLikeAccessKeyId(std::string_view key_id);

// REQUIRES: entropy.size() >= kAccessKeyIdEntropyBytes.
// InvalidArgument if account_id is not 12 digits.
Expected<std::string> MakeAccessKeyId(std::string_view account_id,
                                      std::span<const uint8_t> entropy);

// The 12-digit (zero-padded) account id a key id encodes, or nullopt if the
// key id is malformed.
std::optional<std::string> AccountIdFromAccessKeyId(std::string_view key_id);

// 40 characters of [A-Za-z0-9+/], the shape of a real secret access key.
// REQUIRES: entropy.size() >= kSecretEntropyBytes.
std::string MakeSecretAccessKey(std::span<const uint8_t> entropy);

}  // namespace spacecrab
