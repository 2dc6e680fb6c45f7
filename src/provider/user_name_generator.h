// UserNameGenerator: IAM user names that look like a real company's.
//
// Attackers read the user name from error messages and ARNs and flag obvious
// honey credentials (UUIDs, product names, "canary"). Names here follow the two
// shapes real accounts are full of: service accounts ("svc-backup-prod",
// "jenkins-deploy", "terraform-ci") and people ("m.garcia", "jsmith",
// "anna.kowalski"). Names are not unique: callers that need uniqueness (IAM)
// retry on conflict; the store keys tokens by access key id, never by name.
//
// Thread-safety: Next() only reads the immutable word lists and draws from the
// RandomSource, which is itself thread-safe.
#pragma once

#include <string>

#include "crypto/random.h"

namespace spacecrab {

class UserNameGenerator final {
 public:
  // `random` must outlive the generator.
  explicit UserNameGenerator(RandomSource& random) : random_(random) {}

  // A fresh plausible name of at most 64 characters of [a-z0-9.-] (valid in IAM).
  std::string Next();

  // True if `name` is usable as an IAM user name: 1..64 chars of [A-Za-z0-9+=,.@_-].
  static bool IsValidIamUserName(const std::string& name);

 private:
  std::string ServiceAccountName();
  std::string PersonName();
  size_t Pick(size_t n);

  RandomSource& random_;
};

}  // namespace spacecrab
