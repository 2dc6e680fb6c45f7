#include "decoy/aws_operation.h"

#include <array>

namespace spacecrab::decoy {
namespace {

constexpr size_t kMaxParameters = 32;
constexpr size_t kMaxParameterValueBytes = 512;
constexpr size_t kMaxNameBytes = 128;

std::string Bounded(std::string_view s, size_t limit) {
  return std::string(s.substr(0, std::min(s.size(), limit)));
}

bool IsApiName(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

// Services whose X-Amz-Target prefix does not simply contain the signing name.
struct TargetPrefix {
  std::string_view prefix;
  std::string_view service;
};
constexpr std::array<TargetPrefix, 12> kTargetPrefixes = {{
    {"DynamoDB_", "dynamodb"},
    {"DynamoDBStreams_", "dynamodb"},
    {"TrentService", "kms"},
    {"AmazonSSM", "ssm"},
    {"Logs_", "logs"},
    {"secretsmanager", "secretsmanager"},
    {"AWSCognitoIdentityProviderService", "cognito-idp"},
    {"AWSCognitoIdentityService", "cognito-identity"},
    {"Kinesis_", "kinesis"},
    {"AmazonEC2ContainerServiceV20141113", "ecs"},
    {"AmazonEC2ContainerRegistry_V20150921", "ecr"},
    {"AWSOrganizationsV20161128", "organizations"},
}};

// Query-protocol API versions that identify their service when a request is
// unsigned (no credential scope to read the service from).
struct QueryVersion {
  std::string_view version;
  std::string_view service;
};
constexpr std::array<QueryVersion, 5> kQueryVersions = {{
    {"2011-06-15", "sts"},
    {"2010-05-08", "iam"},
    {"2016-11-15", "ec2"},
    {"2010-03-31", "sns"},
    {"2010-08-01", "monitoring"},
}};

bool StartsWithAny(std::string_view name, std::initializer_list<std::string_view> prefixes) {
  for (auto p : prefixes)
    if (name.starts_with(p)) return true;
  return false;
}

bool IsReadOnlyName(std::string_view name) {
  return StartsWithAny(name, {"Get", "List", "Describe", "Head", "Lookup", "Search", "Scan",
                              "Query", "BatchGet", "Select", "Check", "Decode", "Simulate"});
}

std::string LowerFirst(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] + 32);
  return out;
}

bool IsAuthParameter(std::string_view name) {
  return name == "Action" || name == "Version" || name.starts_with("X-Amz-") ||
         name == "AWSAccessKeyId" || name == "Signature" || name == "SignatureMethod" ||
         name == "SignatureVersion" || name == "Timestamp" || name == "Expires";
}

std::string EventSourceFor(std::string_view service) {
  if (service == "email") return "ses.amazonaws.com";
  return std::string(service) + ".amazonaws.com";
}

std::string GuessService(const OperationInput& in, std::string_view target,
                         const aws::QueryParam* version) {
  if (!in.signing_service.empty()) return in.signing_service;
  if (!target.empty()) {
    for (const auto& t : kTargetPrefixes)
      if (target.starts_with(t.prefix)) return std::string(t.service);
  }
  if (version != nullptr) {
    for (const auto& v : kQueryVersions)
      if (version->value == v.version) return std::string(v.service);
  }
  return "s3";
}

const aws::QueryParam* FindEither(const OperationInput& in, std::string_view name) {
  if (const aws::QueryParam* p = aws::FindParam(*in.form, name)) return p;
  return aws::FindParam(*in.query, name);
}

}  // namespace

std::string_view ToString(ApiProtocol protocol) {
  switch (protocol) {
    case ApiProtocol::kQuery:
      return "query";
    case ApiProtocol::kEc2:
      return "ec2";
    case ApiProtocol::kJson:
      return "json";
    case ApiProtocol::kRestJson:
      return "rest-json";
    case ApiProtocol::kS3:
      return "rest-xml";
  }
  return "rest-xml";
}

std::string AwsOperation::IamAction() const {
  std::string prefix = service;
  if (service == "monitoring") prefix = "cloudwatch";
  if (service == "email") prefix = "ses";
  return prefix + ":" + event_name;
}

AwsOperation IdentifyOperation(const OperationInput& in) {
  AwsOperation op;
  const std::string target =
      aws::HeaderValue(in.http->headers, "x-amz-target").value_or(std::string());
  const aws::QueryParam* action = FindEither(in, "Action");
  const aws::QueryParam* version = FindEither(in, "Version");

  op.service = GuessService(in, target, version);
  op.event_source = EventSourceFor(op.service);
  op.region = in.region.empty() ? "us-east-1" : Bounded(in.region, 64);
  // IAM is global: CloudTrail files its events under us-east-1.
  if (op.service == "iam") op.region = "us-east-1";

  if (!target.empty()) {
    op.protocol = ApiProtocol::kJson;
    const size_t dot = target.rfind('.');
    const std::string_view name = dot == std::string::npos
                                      ? std::string_view(target)
                                      : std::string_view(target).substr(dot + 1);
    op.event_name = IsApiName(name) ? std::string(name) : "InvalidAction";
    op.api_version = Bounded(std::string_view(target).substr(0, dot == std::string::npos ? 0 : dot),
                             kMaxNameBytes);
    const std::string ct =
        aws::HeaderValue(in.http->headers, "content-type").value_or(std::string());
    op.json_content_type = ct.starts_with("application/x-amz-json-1.0")
                               ? "application/x-amz-json-1.0"
                               : "application/x-amz-json-1.1";
    op.read_only = IsReadOnlyName(op.event_name);
    return op;
  }
  if (action != nullptr && op.service != "s3") {
    op.protocol = op.service == "ec2" ? ApiProtocol::kEc2 : ApiProtocol::kQuery;
    op.event_name = IsApiName(action->value) ? action->value : "InvalidAction";
    if (version != nullptr) op.api_version = Bounded(version->value, 32);
    op.read_only = IsReadOnlyName(op.event_name);
    for (const auto* list : {in.query, in.form}) {
      for (const auto& p : *list) {
        if (IsAuthParameter(p.name) || op.request_parameters.size() >= kMaxParameters) continue;
        op.request_parameters.emplace_back(LowerFirst(Bounded(p.name, kMaxNameBytes)),
                                           Bounded(p.value, kMaxParameterValueBytes));
      }
    }
    return op;
  }
  if (op.service == "s3" || op.service.starts_with("s3-") || op.service == "s3express") {
    op.protocol = ApiProtocol::kS3;
    IdentifyS3Operation(in, op);
    return op;
  }
  // A REST service we have no model for: name the call by method and path.
  op.protocol = ApiProtocol::kRestJson;
  op.event_name = Bounded(in.http->method + " " + aws::PercentDecode(in.http->path), 256);
  op.read_only = in.http->method == "GET" || in.http->method == "HEAD";
  return op;
}

}  // namespace spacecrab::decoy
