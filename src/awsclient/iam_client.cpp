#include "awsclient/iam_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace spacecrab {
namespace {

constexpr std::string_view kIamVersion = "2010-05-08";
constexpr std::string_view kStsVersion = "2011-06-15";

std::string Text(pugi::xml_node node, const char* name) {
  return node.child(name).text().as_string();
}

Timestamp Time(pugi::xml_node node, const char* name) {
  auto t = ParseRfc3339(Text(node, name));
  return t ? *t : Timestamp{};
}

IamUser ParseUser(pugi::xml_node n) {
  IamUser u;
  u.user_name = Text(n, "UserName");
  u.user_id = Text(n, "UserId");
  u.arn = Text(n, "Arn");
  u.path = Text(n, "Path");
  if (u.path.empty())
    u.path.push_back('/');  // (assigning "/" trips a GCC 12 -Wrestrict false positive)
  u.create_date = Time(n, "CreateDate");
  return u;
}

IamAccessKey ParseKey(pugi::xml_node n) {
  IamAccessKey k;
  k.access_key_id = Text(n, "AccessKeyId");
  k.user_name = Text(n, "UserName");
  k.status = Text(n, "Status");
  k.create_date = Time(n, "CreateDate");
  k.secret_access_key = Text(n, "SecretAccessKey");
  return k;
}

}  // namespace

Expected<AwsQueryResponse> IamClient::Call(std::string_view action, const AwsQueryParams& params) {
  return client_.Call("iam", action, kIamVersion, params);
}

Expected<IamUser> IamClient::CreateUser(const std::string& user_name, const std::string& path) {
  SC_ASSIGN_OR_RETURN(auto r, Call("CreateUser", {{"UserName", user_name}, {"Path", path}}));
  IamUser u = ParseUser(r.result.child("User"));
  if (u.user_name.empty()) return DataLoss("CreateUser: response without a user");
  return u;
}

Expected<IamUser> IamClient::GetUser(const std::string& user_name) {
  SC_ASSIGN_OR_RETURN(auto r, Call("GetUser", {{"UserName", user_name}}));
  IamUser u = ParseUser(r.result.child("User"));
  if (u.user_name.empty()) return DataLoss("GetUser: response without a user");
  return u;
}

Status IamClient::DeleteUser(const std::string& user_name) {
  return Call("DeleteUser", {{"UserName", user_name}}).status();
}

Expected<std::vector<IamUser>> IamClient::ListUsers(const std::string& path_prefix) {
  std::vector<IamUser> out;
  std::string marker;
  for (int page = 0; page < 10000; ++page) {
    AwsQueryParams p{{"PathPrefix", path_prefix}, {"MaxItems", "1000"}};
    if (!marker.empty()) p["Marker"] = marker;
    SC_ASSIGN_OR_RETURN(auto r, Call("ListUsers", p));
    for (pugi::xml_node m : r.result.child("Users").children("member")) out.push_back(ParseUser(m));
    if (std::string(r.result.child("IsTruncated").text().as_string()) != "true") return out;
    marker = Text(r.result, "Marker");
    if (marker.empty()) return DataLoss("ListUsers: truncated page without a Marker");
  }
  return DataLoss("ListUsers: too many pages");
}

Status IamClient::PutUserPolicy(const std::string& user_name, const std::string& policy_name,
                                const std::string& document) {
  return Call("PutUserPolicy",
              {{"UserName", user_name}, {"PolicyName", policy_name}, {"PolicyDocument", document}})
      .status();
}

Expected<std::string> IamClient::GetUserPolicy(const std::string& user_name,
                                               const std::string& policy_name) {
  SC_ASSIGN_OR_RETURN(
      auto r, Call("GetUserPolicy", {{"UserName", user_name}, {"PolicyName", policy_name}}));
  return UriDecode(Text(r.result, "PolicyDocument"));
}

Expected<std::vector<std::string>> IamClient::ListUserPolicies(const std::string& user_name) {
  std::vector<std::string> out;
  std::string marker;
  for (int page = 0; page < 1000; ++page) {
    AwsQueryParams p{{"UserName", user_name}};
    if (!marker.empty()) p["Marker"] = marker;
    SC_ASSIGN_OR_RETURN(auto r, Call("ListUserPolicies", p));
    for (pugi::xml_node m : r.result.child("PolicyNames").children("member"))
      out.emplace_back(m.text().as_string());
    if (std::string(r.result.child("IsTruncated").text().as_string()) != "true") return out;
    marker = Text(r.result, "Marker");
    if (marker.empty()) return out;
  }
  return out;
}

Status IamClient::DeleteUserPolicy(const std::string& user_name, const std::string& policy_name) {
  return Call("DeleteUserPolicy", {{"UserName", user_name}, {"PolicyName", policy_name}}).status();
}

Expected<IamAccessKey> IamClient::CreateAccessKey(const std::string& user_name) {
  SC_ASSIGN_OR_RETURN(auto r, Call("CreateAccessKey", {{"UserName", user_name}}));
  IamAccessKey k = ParseKey(r.result.child("AccessKey"));
  if (k.access_key_id.empty() || k.secret_access_key.empty()) {
    return DataLoss("CreateAccessKey: response without a key");
  }
  return k;
}

Status IamClient::UpdateAccessKey(const std::string& user_name, const std::string& access_key_id,
                                  bool active) {
  return Call("UpdateAccessKey", {{"UserName", user_name},
                                  {"AccessKeyId", access_key_id},
                                  {"Status", active ? "Active" : "Inactive"}})
      .status();
}

Status IamClient::DeleteAccessKey(const std::string& user_name, const std::string& access_key_id) {
  return Call("DeleteAccessKey", {{"UserName", user_name}, {"AccessKeyId", access_key_id}})
      .status();
}

Expected<std::vector<IamAccessKey>> IamClient::ListAccessKeys(const std::string& user_name) {
  SC_ASSIGN_OR_RETURN(auto r, Call("ListAccessKeys", {{"UserName", user_name}}));
  std::vector<IamAccessKey> out;
  for (pugi::xml_node m : r.result.child("AccessKeyMetadata").children("member")) {
    IamAccessKey k = ParseKey(m);
    if (k.user_name.empty()) k.user_name = user_name;
    out.push_back(std::move(k));
  }
  return out;
}

Expected<IamAccessKeyLastUsed> IamClient::GetAccessKeyLastUsed(const std::string& access_key_id) {
  SC_ASSIGN_OR_RETURN(auto r, Call("GetAccessKeyLastUsed", {{"AccessKeyId", access_key_id}}));
  IamAccessKeyLastUsed out;
  out.user_name = Text(r.result, "UserName");
  pugi::xml_node used = r.result.child("AccessKeyLastUsed");
  if (auto t = ParseRfc3339(Text(used, "LastUsedDate"))) out.last_used_date = *t;
  out.service_name = Text(used, "ServiceName");
  out.region = Text(used, "Region");
  return out;
}

Expected<std::map<std::string, int64_t>> IamClient::GetAccountSummary() {
  SC_ASSIGN_OR_RETURN(auto r, Call("GetAccountSummary", {}));
  std::map<std::string, int64_t> out;
  for (pugi::xml_node e : r.result.child("SummaryMap").children("entry")) {
    out[e.child("key").text().as_string()] = e.child("value").text().as_llong();
  }
  return out;
}

Expected<CallerIdentity> StsClient::GetCallerIdentity() {
  SC_ASSIGN_OR_RETURN(auto r, client_.Call("sts", "GetCallerIdentity", kStsVersion, {}));
  CallerIdentity id{Text(r.result, "Account"), Text(r.result, "Arn"), Text(r.result, "UserId")};
  if (id.account.empty()) return DataLoss("GetCallerIdentity: response without an account");
  return id;
}

Status StsClient::CheckAssumeRoleArgs(const std::string& role_arn, const std::string& session_name,
                                      std::chrono::seconds duration) {
  if (role_arn.rfind("arn:", 0) != 0 || role_arn.find(":role/") == std::string::npos) {
    return InvalidArgument(fmt::format("AssumeRole: '{}' is not a role ARN", role_arn));
  }
  const bool session_ok = session_name.size() >= 2 && session_name.size() <= 64 &&
                          std::all_of(session_name.begin(), session_name.end(), [](char c) {
                            return std::isalnum(static_cast<unsigned char>(c)) ||
                                   std::string_view("_+=,.@-").find(c) != std::string_view::npos;
                          });
  if (!session_ok) {
    return InvalidArgument(fmt::format("AssumeRole: unusable session name '{}'", session_name));
  }
  if (duration < std::chrono::seconds(900) || duration > std::chrono::seconds(43200)) {
    return InvalidArgument(
        fmt::format("AssumeRole: duration {} s is outside 900..43200", duration.count()));
  }
  return Status::Ok();
}

Expected<AwsCredentials> StsClient::AssumeRole(const std::string& role_arn,
                                               const std::string& session_name,
                                               const std::string& external_id,
                                               std::chrono::seconds duration) {
  SC_RETURN_IF_ERROR(CheckAssumeRoleArgs(role_arn, session_name, duration));
  AwsQueryParams p{{"RoleArn", role_arn},
                   {"RoleSessionName", session_name},
                   {"DurationSeconds", std::to_string(duration.count())}};
  if (!external_id.empty()) p["ExternalId"] = external_id;
  SC_ASSIGN_OR_RETURN(auto r, client_.Call("sts", "AssumeRole", kStsVersion, p));
  pugi::xml_node c = r.result.child("Credentials");
  AwsCredentials out;
  out.access_key_id = Text(c, "AccessKeyId");
  out.secret_access_key = Text(c, "SecretAccessKey");
  out.session_token = Text(c, "SessionToken");
  out.source = "assumed role " + role_arn;
  auto expiration = ParseRfc3339(Text(c, "Expiration"));
  if (!out.complete() || out.session_token.empty() || !expiration) {
    return DataLoss(fmt::format("AssumeRole {}: response without complete credentials", role_arn));
  }
  out.expiration = *expiration;
  return out;
}

}  // namespace spacecrab
