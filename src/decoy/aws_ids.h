// Identifiers shaped like the ones AWS hands out, so that responses and
// records look like the real thing: request ids per service family, S3's
// x-amz-id-2, CloudTrail event ids and IAM unique ids (AIDA...).
//
// Thread-safety: AwsIdGenerator is as thread-safe as its RandomSource (the
// OpenSSL and seeded sources both are). IamUserId is a pure function.
#pragma once

#include <string>
#include <string_view>

#include "crypto/random.h"

namespace spacecrab::decoy {

class AwsIdGenerator {
 public:
  // `random` must outlive the generator.
  explicit AwsIdGenerator(RandomSource& random) : random_(random) {}

  // Random (version 4) UUID, lower-case: STS/IAM/EC2 request ids, CloudTrail eventID.
  std::string Uuid();
  // 16 upper-case hex characters (x-amz-request-id).
  std::string S3RequestId();
  // 76 base64 characters (x-amz-id-2 / HostId).
  std::string S3HostId();
  // 52 characters of [A-Z0-9] (DynamoDB's x-amzn-RequestId).
  std::string DynamoDbRequestId();

 private:
  RandomSource& random_;
};

// "AIDA" + 17 characters of [A-Z2-7], derived from account and user name so
// that the same user always shows the same id (as IAM does).
std::string IamUserId(std::string_view account_id, std::string_view user_name);

}  // namespace spacecrab::decoy
