// Test helpers: keys, signed requests as the AWS SDKs build them, and a sink
// that keeps records for inspection.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "decoy/decoy_key.h"
#include "decoy/decoy_record.h"
#include "decoy/decoy_responder.h"

namespace spacecrab::decoy::testing {

inline constexpr char kAccount[] = "123456789012";
inline constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr char kUser[] = "svc-backup-prod";

// A decoy key for kAccount/kUser whose id decodes to kAccount (seeded by n).
DecoyKey MakeKey(int n = 1, TokenStatus status = TokenStatus::kActive);

// "20240105T101112Z"
Timestamp TestTime();

// POST / with a form body, signed for `service` (Query protocol, like botocore).
IncomingRequest SignedQuery(const DecoyKey& key, std::string_view secret, std::string service,
                            std::string body, std::string region = "us-east-1");
// POST / with X-Amz-Target and a JSON body (JSON protocol).
IncomingRequest SignedJson(const DecoyKey& key, std::string_view secret, std::string service,
                           std::string target, std::string body);
// An S3 request with x-amz-content-sha256 (UNSIGNED-PAYLOAD unless a body is given).
IncomingRequest SignedS3(const DecoyKey& key, std::string_view secret, std::string method,
                         std::string path, std::string query = "", std::string body = "",
                         aws::HeaderList extra_headers = {});
// A presigned S3 GET URL's request.
IncomingRequest PresignedS3(const DecoyKey& key, std::string_view secret, std::string path,
                            std::chrono::seconds expires, Timestamp signed_at);

class CapturingSink final : public DecoyRecordSink {
 public:
  void Deliver(DecoyRecord record) override {
    std::lock_guard lock(mu_);
    records_.push_back(std::move(record));
  }
  std::vector<DecoyRecord> records() {
    std::lock_guard lock(mu_);
    return records_;
  }

 private:
  std::mutex mu_;
  std::vector<DecoyRecord> records_;
};

// True if `text` names the product or hints at a trap. AWS's own phrases
// containing "token" (security token, InvalidClientTokenId, ...) are allowed.
bool MentionsProduct(std::string_view text);

}  // namespace spacecrab::decoy::testing
