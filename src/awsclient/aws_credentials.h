// AWS credentials and settings from the standard chain, as the aws CLI finds them.
//
// Order (first that yields a key wins), matching the SDKs:
//  1. an explicit profile (spacecrab.toml `[aws] profile`): that profile only;
//  2. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//  3. the profile named by AWS_PROFILE (or AWS_DEFAULT_PROFILE, else "default"):
//     the shared credentials file ([name] in AWS_SHARED_CREDENTIALS_FILE or
//     ~/.aws/credentials), then the config file ([profile name] / [default] in
//     AWS_CONFIG_FILE or ~/.aws/config).
// Region: explicit, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`,
// else us-east-1. Endpoint (for tests against moto): explicit, then
// AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's `endpoint_url`;
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns the configured ones off.
//
// Not supported (FailedPrecondition naming the profile): role_arn /
// source_profile, credential_process and SSO profiles. Roles are assumed with
// StsClient::AssumeRole / AssumedRoleCredentials (assumed_role_credentials.h)
// on top of credentials found here.
//
// Pure apart from reading the two files; the environment is passed in so tests
// need no process state. Secrets are never logged; ToString-style output must
// use Redacted().
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace spacecrab {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
  std::string source;         // "environment", "shared credentials file (profile x)", ...
  // When temporary credentials stop working (AssumeRole); none for static keys.
  std::optional<Timestamp> expiration = std::nullopt;

  bool complete() const { return !access_key_id.empty() && !secret_access_key.empty(); }
  // "AKIA...WXYZ from environment" — safe for logs and `doctor`.
  std::string Redacted() const;
};

struct AwsSettings {
  AwsCredentials credentials;
  std::string profile;  // the profile used, or empty for the environment
  std::string region = "us-east-1";
  std::string endpoint_url;                              // for every service, or empty
  std::map<std::string, std::string> service_endpoints;  // "iam" -> URL (AWS_ENDPOINT_URL_IAM)

  // The URL to send `service` requests to: an override if configured, else
  // AWS's public endpoint (global for iam/sts, regional otherwise).
  std::string EndpointFor(std::string_view service) const;
};

struct AwsSettingsOptions {
  std::map<std::string, std::string> env;  // the process environment (AWS_*, HOME)
  std::string profile;                     // explicit profile; empty: from the environment
  std::string region;                      // explicit region; empty: from the chain
  std::string endpoint_url;  // explicit endpoint for every service; empty: from the chain
};

// kUnauthenticated when no credentials are found anywhere (the message lists
// where it looked); kNotFound for an explicit profile that does not exist;
// kFailedPrecondition for unsupported profile kinds; kDataLoss for an
// unreadable/malformed file.
Expected<AwsSettings> ResolveAwsSettings(const AwsSettingsOptions& options);

// INI as the AWS files use it: "[section]", "key = value", '#'/';' comments,
// indented continuation lines (nested service blocks) ignored.
// section -> key -> value; keys lower-cased.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
IniSections ParseAwsIni(std::string_view text);

}  // namespace spacecrab
