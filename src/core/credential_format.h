// Credential formats: renders the credentials of a new token as the file or
// snippet a deployer plants (`--format` on the CLI, `format` in the API).
//
// The output must look exactly like what the real tools write (the AWS CLI's
// INI files, the console's accessKeys.csv, ...): an attacker who finds it
// should see nothing unusual, so nothing here names the product.
//
// Pure functions over their inputs; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/honey_token.h"
#include "core/status.h"

namespace spacecrab {

enum class CredentialFormat {
  kJson,            // {"Version": 1, "AccessKeyId", "SecretAccessKey", ...} (credential_process shape)
  kAwsCredentials,  // ~/.aws/credentials: [default] or [NAME] with the two keys
  kAwsConfig,       // ~/.aws/config: [default] / [profile NAME] with keys, region, endpoint_url
  kCsv,             // the console's accessKeys.csv: "Access key ID,Secret access key"
  kEnv,             // export AWS_ACCESS_KEY_ID=... lines for sh
  kPowerShell,      // $Env:AWS_ACCESS_KEY_ID = "..." lines
  kDockerfile,      // ENV AWS_ACCESS_KEY_ID=... lines
  kK8sSecret,       // a Kubernetes v1 Secret (YAML) with base64 data
};

// Every format name, in the order above: "json", "aws-credentials", ...
const std::vector<std::string_view>& CredentialFormatNames();
std::string_view ToString(CredentialFormat f);
std::optional<CredentialFormat> ParseCredentialFormat(std::string_view name);

struct CredentialFormatOptions {
  // INI profile name for aws-credentials / aws-config, and the Secret's name
  // for k8s-secret ("default" -> "aws-credentials"). [A-Za-z0-9_.-], 1..64.
  std::string profile = "default";
};

// Renders `credentials` (region defaults to us-east-1 when empty; an empty
// endpoint_url leaves endpoint lines out). Output ends with a newline.
// InvalidArgument for an unknown format (the message lists the valid ones),
// a malformed profile name, or credentials that are not plain key material.
Expected<std::string> FormatCredentials(const Credentials& credentials, std::string_view format,
                                        const CredentialFormatOptions& options = {});
Expected<std::string> FormatCredentials(const Credentials& credentials, CredentialFormat format,
                                        const CredentialFormatOptions& options = {});

}  // namespace spacecrab
