// AwsIam: the connection to the honey account's IAM that provider = "aws"
// needs, built from Config — shared by `serve` (the provider and its
// maintenance task), `spacecrab reconcile` and `spacecrab doctor`.
//
// Credentials and region come from the standard AWS chain
// (awsclient/aws_credentials.h) with `[aws] profile`, `[aws] region` and
// `[aws] endpoint_url` (moto in tests) taking precedence; the account is the
// one STS GetCallerIdentity names, which must be listed in `[aws] accounts`
// when that is set.
//
// Thread-safety: the clients are safe to share between threads.
// Ownership: the object owns transport and clients; keep it alive as long as
// anything that borrowed `iam` or `sts` (IamProvider, reconcile) is in use.
// Failure: every error names the config key or the AWS setting to fix.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "awsclient/aws_credentials.h"
#include "awsclient/http_transport.h"
#include "awsclient/iam_client.h"
#include "config/config.h"
#include "core/status.h"

namespace spacecrab {

// The inline deny-all policy's name on every token's IAM user. Deliberately
// dull: IAM readers see it.
inline constexpr const char* kIamDenyPolicyName = "baseline-access";

struct AwsIam {
  AwsSettings settings;  // resolved: credentials (never logged), region, endpoint
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<AwsQueryClient> client;
  std::unique_ptr<IamClient> iam;
  std::unique_ptr<StsClient> sts;
  CallerIdentity identity;  // from GetCallerIdentity (empty if not asked)
  std::string account_id;   // the honey account
  std::string policy_name = kIamDenyPolicyName;  // [aws] policy_name

  // "AKIA...WXYZ from environment -> http://127.0.0.1:5000" — safe to log.
  std::string Describe() const;
};

struct AwsIamOptions {
  std::map<std::string, std::string> env;  // the process environment (AWS_*, HOME)
  // Ask STS who the credentials are (and check [aws] accounts). Doctor turns
  // this off to report the identity check itself.
  bool resolve_identity = true;
};

// kInvalidArgument / kUnauthenticated / kNotFound / kUnavailable with a
// message naming `[aws] profile`, `[aws] accounts`, `[aws] endpoint_url` or the
// credential chain, whichever is at fault.
Expected<std::unique_ptr<AwsIam>> ConnectAwsIam(const Config& config, const AwsIamOptions& options);

}  // namespace spacecrab
