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

#include <vector>

#include "awsclient/assumed_role_credentials.h"
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
  std::string name = "default";  // [accounts.NAME], or "default" for the [aws] credentials
  AwsSettings settings;  // resolved: credentials (never logged), region, endpoint
  std::unique_ptr<HttpTransport> transport;
  // role_arn accounts: the client signing AssumeRole with the [aws] credentials,
  // and the role session every call in the account is signed with.
  std::unique_ptr<AwsQueryClient> base_client;
  std::unique_ptr<AssumedRoleCredentials> role;
  std::unique_ptr<AwsQueryClient> client;
  std::unique_ptr<IamClient> iam;
  std::unique_ptr<StsClient> sts;
  CallerIdentity identity;  // from GetCallerIdentity (empty if not asked)
  std::string account_id;   // the honey account
  std::string policy_name = kIamDenyPolicyName;  // [aws] policy_name
  int64_t max_users = 5000;                       // [accounts.NAME] / [aws] max_users
  int pool_size = 0;                              // [accounts.NAME] / [aws] pool_size

  // "AKIA...WXYZ from environment -> http://127.0.0.1:5000" — safe to log.
  std::string Describe() const;
};

struct AwsIamOptions {
  std::map<std::string, std::string> env;  // the process environment (AWS_*, HOME)
  // Ask STS who the credentials are (and check [aws] accounts). Doctor turns
  // this off to report the identity check itself.
  bool resolve_identity = true;
  // One account of [accounts.NAME]: its profile or role instead of the [aws]
  // credentials, its account id checked. Null: the [aws] credentials' account.
  const AwsAccountConfig* account = nullptr;
};

// kInvalidArgument / kUnauthenticated / kNotFound / kUnavailable with a
// message naming `[aws] profile`, `[aws] accounts`, `[aws] endpoint_url` or the
// credential chain, whichever is at fault.
Expected<std::unique_ptr<AwsIam>> ConnectAwsIam(const Config& config, const AwsIamOptions& options);

// Every account of the config: one per [accounts.NAME] in order, or the
// [aws] credentials' account ("default") when there is none. Each entry is
// the connection or the error naming that account.
struct AwsAccountConnection {
  std::string name;
  Expected<std::unique_ptr<AwsIam>> connection;
};
std::vector<AwsAccountConnection> ConnectAwsAccounts(const Config& config,
                                                     const AwsIamOptions& options);

}  // namespace spacecrab
