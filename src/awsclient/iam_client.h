// IamClient / StsClient: the IAM and STS calls spacecrab makes, typed.
//
// Thin: one method per API action over AwsQueryClient, returning structs and
// the Status codes documented there (NoSuchEntity -> kNotFound, ...). No
// retries or policy of its own. Secrets appear only in CreateAccessKey's
// result and are never logged.
//
// Thread-safety: as AwsQueryClient (safe). Ownership: borrows the client.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "awsclient/aws_query_client.h"
#include "core/time.h"

namespace spacecrab {

struct IamUser {
  std::string user_name;
  std::string user_id;
  std::string arn;
  std::string path = "/";
  Timestamp create_date{};
};

struct IamAccessKey {
  std::string access_key_id;
  std::string user_name;
  std::string status;  // "Active" | "Inactive"
  Timestamp create_date{};
  std::string secret_access_key;  // CreateAccessKey only
};

struct IamAccessKeyLastUsed {
  std::string user_name;
  std::optional<Timestamp> last_used_date;
  std::string service_name;  // "N/A" when never used
  std::string region;
};

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

class IamClient final {
 public:
  explicit IamClient(AwsQueryClient& client) : client_(client) {}

  Expected<IamUser> CreateUser(const std::string& user_name, const std::string& path);
  Expected<IamUser> GetUser(const std::string& user_name);
  Status DeleteUser(const std::string& user_name);
  // Every user under `path_prefix` ("/" for all), following Marker paging.
  Expected<std::vector<IamUser>> ListUsers(const std::string& path_prefix = "/");

  Status PutUserPolicy(const std::string& user_name, const std::string& policy_name,
                       const std::string& document);
  // The policy document, URL-decoded (IAM returns it percent-encoded).
  Expected<std::string> GetUserPolicy(const std::string& user_name, const std::string& policy_name);
  Expected<std::vector<std::string>> ListUserPolicies(const std::string& user_name);
  Status DeleteUserPolicy(const std::string& user_name, const std::string& policy_name);

  Expected<IamAccessKey> CreateAccessKey(const std::string& user_name);
  Status UpdateAccessKey(const std::string& user_name, const std::string& access_key_id,
                         bool active);
  Status DeleteAccessKey(const std::string& user_name, const std::string& access_key_id);
  Expected<std::vector<IamAccessKey>> ListAccessKeys(const std::string& user_name);
  Expected<IamAccessKeyLastUsed> GetAccessKeyLastUsed(const std::string& access_key_id);
  // Account-wide counters and quotas ("Users", "UsersQuota", "AccessKeysPerUserQuota" ...).
  Expected<std::map<std::string, int64_t>> GetAccountSummary();

 private:
  Expected<AwsQueryResponse> Call(std::string_view action, const AwsQueryParams& params);
  AwsQueryClient& client_;
};

class StsClient final {
 public:
  explicit StsClient(AwsQueryClient& client) : client_(client) {}
  Expected<CallerIdentity> GetCallerIdentity();

  // Temporary credentials for `role_arn` (access key, secret, session token
  // and expiration; source "assumed role <arn>"), signed with the client's
  // own credentials. `external_id` is sent only when non-empty; `duration`
  // must be 900..43200 s and `session_name` 2..64 of [A-Za-z0-9_+=,.@-]
  // (kInvalidArgument otherwise, before any call). AWS errors as documented
  // on AwsQueryClient (AccessDenied -> kPermissionDenied ...).
  Expected<AwsCredentials> AssumeRole(const std::string& role_arn, const std::string& session_name,
                                      const std::string& external_id,
                                      std::chrono::seconds duration);
  // The local checks AssumeRole makes (kInvalidArgument naming the problem).
  static Status CheckAssumeRoleArgs(const std::string& role_arn, const std::string& session_name,
                                    std::chrono::seconds duration);

 private:
  AwsQueryClient& client_;
};

}  // namespace spacecrab
