// S3 REST naming: which CloudTrail eventName a method + bucket + key +
// sub-resource combination is.
#include <algorithm>
#include <array>
#include <span>

#include "decoy/aws_operation.h"

namespace spacecrab::decoy {
namespace {

constexpr size_t kMaxBucketBytes = 255;
constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kMaxParameters = 16;

// Bucket sub-resources whose Get/Put/Delete names follow "<Verb>Bucket<Suffix>".
struct SubResource {
  std::string_view param;
  std::string_view suffix;
};
constexpr std::array<SubResource, 20> kBucketSubResources = {{
    {"acl", "Acl"},
    {"policy", "Policy"},
    {"location", "Location"},
    {"versioning", "Versioning"},
    {"tagging", "Tagging"},
    {"encryption", "Encryption"},
    {"cors", "Cors"},
    {"lifecycle", "Lifecycle"},
    {"logging", "Logging"},
    {"website", "Website"},
    {"notification", "Notification"},
    {"replication", "Replication"},
    {"publicAccessBlock", "PublicAccessBlock"},
    {"ownershipControls", "OwnershipControls"},
    {"policyStatus", "PolicyStatus"},
    {"requestPayment", "RequestPayment"},
    {"accelerate", "AccelerateConfiguration"},
    {"analytics", "AnalyticsConfiguration"},
    {"inventory", "InventoryConfiguration"},
    {"intelligent-tiering", "IntelligentTieringConfiguration"},
}};

constexpr std::array<SubResource, 6> kObjectSubResources = {{
    {"acl", "Acl"},
    {"tagging", "Tagging"},
    {"retention", "Retention"},
    {"legal-hold", "LegalHold"},
    {"attributes", "Attributes"},
    {"torrent", "Torrent"},
}};

std::string_view HostWithoutPort(std::string_view host) {
  if (host.starts_with('[')) {  // [v6]:port
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

// "<bucket>.s3.amazonaws.com", "<bucket>.s3.<region>.amazonaws.com",
// "<bucket>.s3-<region>.amazonaws.com" or "<bucket>.<endpoint host>".
std::string VirtualHostedBucket(std::string_view host_header,
                                const std::vector<std::string>* endpoint_hosts) {
  const std::string host = ToLowerAscii(HostWithoutPort(host_header));
  const size_t s3 = host.find(".s3.");
  const size_t s3dash = host.find(".s3-");
  if (host.ends_with(".amazonaws.com")) {
    const size_t cut = std::min(s3, s3dash);
    if (cut != std::string::npos && cut > 0) return host.substr(0, cut);
    return "";
  }
  if (endpoint_hosts != nullptr) {
    for (const auto& base : *endpoint_hosts) {
      const std::string b = ToLowerAscii(base);
      if (!b.empty() && host.size() > b.size() + 1 && host.ends_with("." + b))
        return host.substr(0, host.size() - b.size() - 1);
    }
  }
  return "";
}

const SubResource* FindSubResource(const std::vector<aws::QueryParam>& query,
                                   std::span<const SubResource> table) {
  for (const auto& s : table)
    if (aws::FindParam(query, s.param) != nullptr) return &s;
  return nullptr;
}

std::string BucketOperation(std::string_view method, const std::vector<aws::QueryParam>& query) {
  if (method == "HEAD") return "HeadBucket";
  if (method == "POST") return aws::FindParam(query, "delete") ? "DeleteObjects" : "PostObject";
  if (method == "GET") {
    if (aws::FindParam(query, "uploads")) return "ListMultipartUploads";
    if (aws::FindParam(query, "versions")) return "ListObjectVersions";
    if (aws::FindParam(query, "object-lock")) return "GetObjectLockConfiguration";
  }
  if (method == "PUT" && aws::FindParam(query, "object-lock")) return "PutObjectLockConfiguration";
  if (const SubResource* sub = FindSubResource(query, kBucketSubResources)) {
    const std::string verb = method == "GET" ? "Get" : method == "PUT" ? "Put" : "Delete";
    return verb + "Bucket" + std::string(sub->suffix);
  }
  if (method == "GET") return "ListObjects";  // CloudTrail names v1 and v2 listings alike
  if (method == "PUT") return "CreateBucket";
  if (method == "DELETE") return "DeleteBucket";
  return "UnknownBucketOperation";
}

std::string ObjectOperation(std::string_view method, const std::vector<aws::QueryParam>& query,
                            const aws::HeaderList& headers) {
  const bool upload_id = aws::FindParam(query, "uploadId") != nullptr;
  const bool copy = aws::HeaderValue(headers, "x-amz-copy-source").has_value();
  if (method == "HEAD") return "HeadObject";
  if (method == "POST") {
    if (aws::FindParam(query, "uploads")) return "CreateMultipartUpload";
    if (upload_id) return "CompleteMultipartUpload";
    if (aws::FindParam(query, "restore")) return "RestoreObject";
    if (aws::FindParam(query, "select")) return "SelectObjectContent";
    return "PostObject";
  }
  if (upload_id) {
    if (method == "GET") return "ListParts";
    if (method == "PUT") return copy ? "UploadPartCopy" : "UploadPart";
    if (method == "DELETE") return "AbortMultipartUpload";
  }
  if (const SubResource* sub = FindSubResource(query, kObjectSubResources)) {
    const std::string verb = method == "GET" ? "Get" : method == "PUT" ? "Put" : "Delete";
    return verb + "Object" + std::string(sub->suffix);
  }
  if (method == "GET") return "GetObject";
  if (method == "PUT") return copy ? "CopyObject" : "PutObject";
  if (method == "DELETE") return "DeleteObject";
  return "UnknownObjectOperation";
}

}  // namespace

void IdentifyS3Operation(const OperationInput& in, AwsOperation& op) {
  const aws::HttpRequestParts& http = *in.http;
  const std::string host = aws::HeaderValue(http.headers, "host").value_or(std::string());
  std::string path = aws::PercentDecode(http.path);
  if (path.starts_with('/')) path.erase(0, 1);

  op.bucket = VirtualHostedBucket(host, in.endpoint_hosts);
  op.virtual_hosted = !op.bucket.empty();
  if (op.bucket.empty()) {
    const size_t slash = path.find('/');
    op.bucket = path.substr(0, slash);
    op.key = slash == std::string::npos ? "" : path.substr(slash + 1);
  } else {
    op.key = path;
  }
  op.bucket.resize(std::min(op.bucket.size(), kMaxBucketBytes));
  op.key.resize(std::min(op.key.size(), kMaxKeyBytes));

  if (op.bucket.empty()) {
    op.event_name = "ListBuckets";
    op.management_event = true;
  } else if (op.key.empty()) {
    op.event_name = BucketOperation(http.method, *in.query);
    op.management_event = op.event_name != "ListObjects" && op.event_name != "ListObjectVersions" &&
                          op.event_name != "ListMultipartUploads" &&
                          op.event_name != "DeleteObjects" && op.event_name != "PostObject";
  } else {
    op.event_name = ObjectOperation(http.method, *in.query, http.headers);
    op.management_event = false;
  }
  op.read_only = http.method == "GET" || http.method == "HEAD";

  if (!op.bucket.empty()) op.request_parameters.emplace_back("bucketName", op.bucket);
  op.request_parameters.emplace_back("Host", host.substr(0, std::min<size_t>(host.size(), 256)));
  if (!op.key.empty()) op.request_parameters.emplace_back("key", op.key);
  for (const auto& p : *in.query) {
    if (op.request_parameters.size() >= kMaxParameters) break;
    if (p.name.starts_with("X-Amz-") || p.name == "AWSAccessKeyId" || p.name == "Signature")
      continue;
    op.request_parameters.emplace_back(p.name.substr(0, 128), p.value.substr(0, 512));
  }
}

}  // namespace spacecrab::decoy
