// CloudTrailClient: the two CloudTrail calls `spacecrab doctor` needs to say
// whether the honey account's trail can see every use of a key.
//
// CloudTrail speaks the JSON 1.1 protocol (POST "/", X-Amz-Target
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Action>"), signed
// with SigV4 for (region, "cloudtrail") by the transport. One attempt per
// call: doctor reports failures rather than waiting them out.
//
// Thread-safety: safe (stateless apart from the borrowed transport).
// Failure: kPermissionDenied (AccessDenied*), kUnauthenticated (bad key or
// signature), kNotFound (TrailNotFoundException), kUnavailable (transport,
// 5xx, throttling), kDataLoss (unparseable answer), kInvalidArgument otherwise;
// the message starts with the AWS error name.
#pragma once

#include <string>
#include <vector>

#include "awsclient/aws_credentials.h"
#include "awsclient/http_transport.h"
#include "core/status.h"

namespace spacecrab {

struct CloudTrailTrail {
  std::string name;
  std::string arn;
  std::string s3_bucket;
  std::string s3_key_prefix;
  std::string home_region;
  bool multi_region = false;
  bool include_global_service_events = false;
  bool organization_trail = false;
};

class CloudTrailClient final {
 public:
  // Both borrowed; `settings` supplies credentials, region and endpoint.
  CloudTrailClient(HttpTransport& transport, const AwsSettings& settings)
      : transport_(transport), settings_(settings) {}

  // Every trail that applies to the settings' region (shadow trails included).
  Expected<std::vector<CloudTrailTrail>> DescribeTrails();
  // Whether the trail named by `name_or_arn` is delivering events now.
  Expected<bool> IsLogging(const std::string& name_or_arn);

 private:
  Expected<std::string> Call(const std::string& action, const std::string& json_body);

  HttpTransport& transport_;
  const AwsSettings& settings_;
};

}  // namespace spacecrab
