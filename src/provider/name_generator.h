// IamNameGenerator: IAM user names and paths an attacker cannot tell from a
// real company's.
//
// An attacker holding a key learns its ARN from any error message
// ("User: arn:aws:iam::123456789012:user/ci/jenkins-deploy is not authorized
// ...") and tools such as Pacu's iam__detect_honeytokens flag tell-tales: a
// product name in the path ("/SpaceCrab/"), "canarytokens", UUID user names.
// So names follow the shapes real accounts are full of — service accounts
// ("svc-backup-prod", "jenkins-deploy", "terraform-ci", "gitlab-runner-03")
// and people ("m.garcia", "jsmith", "priya.n") — under plausible paths ("/",
// "/service-accounts/", "/ci/", "/users/engineering/").
//
// Shapes are data: each style has weighted user-name templates and path
// templates whose `{list}` placeholders draw from named word lists, so an
// operator can make names match their own company's conventions. Special
// placeholders: `{nn}` (two digits 01..24), `{f}`/`{l}` (the initial of the
// `{first}`/`{last}` drawn for the same name, so "{f}{last}" reads "jsmith").
// A list is drawn once per name: "{first}.{last}" and "{f}{last}" agree.
//
// Guarantees for every name returned: 1..64 chars of [A-Za-z0-9+=,.@_-]
// (IAM's rule), path "/" or "/x/.../" of [a-z0-9_-] segments, no forbidden
// word (case-insensitive substring of name or path), no UUID or long hex run,
// and not taken according to the caller's predicate.
//
// Pure: no I/O; randomness comes from the RandomSource passed in, so a
// SeededRandom makes sequences reproducible in tests.
// Thread-safety: Next() is const and draws from the RandomSource (itself
// thread-safe); one generator may be shared by threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/random.h"

namespace spacecrab {

struct IamNameStyle {
  std::string name;                         // "service", "tool", "person" ...
  int weight = 1;                           // relative frequency, >= 1
  std::vector<std::string> user_templates;  // e.g. "svc-{purpose}-{env}"
  std::vector<std::string> path_templates;  // e.g. "/", "/service-accounts/", "/users/{team}/"
};

struct IamNameGeneratorOptions {
  std::vector<IamNameStyle> styles;
  std::map<std::string, std::vector<std::string>> words;  // list name -> words
  // Never emitted, in any case, anywhere in a name or path.
  std::vector<std::string> forbidden_words;
  // Draws before giving up when every candidate is taken. After half of them a
  // numeric suffix is added ("jsmith2", "terraform-ci-07"), as people do.
  int max_attempts = 64;
};

// The defaults: three styles (service account, tool/CI account, person) over
// word lists of a few hundred entries; forbidden words cover the product
// ("spacecrab") and every lure word (honey, canary, decoy, trap, token, bait,
// fake, tripwire, alarm, ...).
IamNameGeneratorOptions DefaultIamNameGeneratorOptions();

struct IamIdentityName {
  std::string path;       // "/" or "/service-accounts/"
  std::string user_name;  // "svc-backup-prod"
  std::string style;      // which IamNameStyle produced it
};

class IamNameGenerator final {
 public:
  // Validates the options: every placeholder names a list, no word or
  // template contains a forbidden word, templates can only produce valid
  // names. InvalidArgument naming the offending entry otherwise.
  // `random` must outlive the generator.
  static Expected<IamNameGenerator> Create(IamNameGeneratorOptions options, RandomSource& random);

  // A fresh name. `is_taken(user_name)` says whether the account already has
  // that user (IAM user names are unique case-insensitively: the predicate
  // should compare that way). ResourceExhausted after max_attempts.
  Expected<IamIdentityName> Next(const std::function<bool(std::string_view)>& is_taken) const;

  // True if `name` is a valid IAM user name (1..64 of [A-Za-z0-9+=,.@_-]).
  static bool IsValidUserName(std::string_view name);
  // True if `path` is "/" or "/seg/.../" with segments of [a-z0-9_-], <= 512 chars.
  static bool IsPlausiblePath(std::string_view path);
  // True if `text` contains a UUID-like or long hexadecimal run — the
  // signature of generated-by-a-program names.
  static bool LooksMachineGenerated(std::string_view text);
  // True if `text` contains any of `words`, case-insensitively.
  static bool ContainsForbiddenWord(std::string_view text, const std::vector<std::string>& words);

 private:
  IamNameGenerator(IamNameGeneratorOptions options, RandomSource& random);

  size_t Pick(size_t n) const;
  std::string Expand(const std::string& tmpl, std::map<std::string, std::string>& drawn) const;
  bool Acceptable(const IamIdentityName& name) const;

  IamNameGeneratorOptions options_;
  RandomSource* random_;
  int total_weight_ = 0;
};

}  // namespace spacecrab
