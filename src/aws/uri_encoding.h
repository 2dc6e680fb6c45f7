// Percent-encoding, query strings and path normalisation as AWS Signature
// Version 4 defines them (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay raw).
//
// Used on both sides of SigV4: the signer encodes what it sends, the verifier
// re-encodes what arrived. Inputs may be attacker-controlled: every function
// accepts any bytes (malformed escapes are kept literally, never rejected) and
// runs in time linear in its input. Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spacecrab::aws {

// Percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ as %XX (upper-case
// hex); '/' stays raw when `keep_slash` (paths) and is encoded otherwise.
std::string UriEncode(std::string_view text, bool keep_slash);

// Decodes %XX escapes (either case). A '%' not followed by two hex digits is
// kept as is; '+' is kept as '+' (SigV4 does not treat it as a space).
std::string PercentDecode(std::string_view text);

struct QueryParam {
  std::string name;   // decoded
  std::string value;  // decoded; empty for "name" and "name="
};

// Splits a raw query string (without the '?') on '&', each piece at its first
// '=', and percent-decodes both halves. Empty pieces ("a=1&&b=2") are skipped.
// At most `max_params` pieces are returned (the rest are dropped) so a huge
// query cannot cost more than the caller budgets for.
std::vector<QueryParam> ParseQueryString(std::string_view raw, size_t max_params = 1000);

// The value of the first parameter named `name` (exact, case-sensitive), or
// nullptr.
const QueryParam* FindParam(const std::vector<QueryParam>& params, std::string_view name);

// RFC 3986 section 5.2.4 "remove dot segments", and consecutive slashes
// collapsed to one, as SigV4 requires for every service except S3. An empty
// path becomes "/"; a trailing slash is kept.
std::string NormalizeUriPath(std::string_view path);

}  // namespace spacecrab::aws
