// The one IAM policy a honey user carries: an explicit Deny of every action on
// every resource. An explicit deny beats any Allow the account might grant
// later (a group, a permissions boundary mistake), so a leaked key can do
// nothing — except sts:GetCallerIdentity, which AWS always allows and logs.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace spacecrab {

// {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}
std::string DenyAllPolicyDocument();

// True if `document` (JSON, as GetUserPolicy returns it after URL-decoding)
// denies "*" on "*" unconditionally — whatever its formatting, whether
// Statement/Action/Resource are single values or lists, and whatever else it
// also says. False for malformed JSON.
bool IsDenyAllPolicy(std::string_view document);

}  // namespace spacecrab
