// Query-protocol encoding for AWS requests signed by libcurl.
//
// libcurl 7.88's CURLOPT_AWS_SIGV4 hashes the body and the query string as
// given: it does not canonicalise them. So we produce the canonical forms
// ourselves — RFC 3986 percent-encoding (only A-Za-z0-9-_.~ left raw, space
// as %20, never '+') and parameters sorted by name — and then what curl signs
// is exactly what AWS (and moto with signature checks) recomputes.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace spacecrab {

// Ordered by name, as SigV4's canonical query requires.
using AwsQueryParams = std::map<std::string, std::string>;

// RFC 3986 percent-encoding: every byte outside A-Za-z0-9-_.~ becomes %XX (upper hex).
std::string UriEncode(std::string_view s);
// Inverse of UriEncode; also accepts '+' as a space (form encoding) when plus_is_space.
std::string UriDecode(std::string_view s, bool plus_is_space = false);
// "A=1&B=x%20y": names and values UriEncode'd, sorted by encoded name then value.
std::string CanonicalQueryString(const AwsQueryParams& params);
// The same for a POST body, except a space is '+' ("B=x+y"), as form
// encoding and every AWS SDK write it. AWS hashes the body bytes as sent, so
// either spelling verifies there; moto re-encodes the parsed form the way
// Python's urlencode does ('+') before checking the signature, so only this
// spelling verifies against moto.
std::string FormBody(const AwsQueryParams& params);

}  // namespace spacecrab
