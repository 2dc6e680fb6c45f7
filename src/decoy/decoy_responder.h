// DecoyResponder: the decoy endpoint without the sockets.
//
// For one HTTP request it works out who signed it (SigV4 header or presigned
// query), whether the key is one of ours and whether the signature verifies
// with its secret, what the caller asked for, answers the way AWS answers a
// principal that may do nothing, and hands a CloudTrail-shaped record of the
// request to the record sink.
//
// Records are delivered for every request that names a known key, or whose
// key could not be looked up; requests naming unknown keys are recorded only
// when `record_unknown_keys` is set, anonymous ones never (they are counted).
//
// Thread-safety: Handle may be called concurrently; the lookup, sink, clock
// and random source must be thread-safe too.
// Ownership: holds non-owning pointers; everything passed in the options
// must outlive the responder.
// Failure: Handle never fails; lookup errors become "unverifiable" records
// and an invalid-key answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "core/clock.h"
#include "crypto/random.h"
#include "decoy/aws_responses.h"
#include "decoy/decoy_key.h"
#include "decoy/decoy_record.h"

namespace spacecrab::decoy {

struct IncomingRequest {
  aws::HttpRequestParts http;       // raw path and query, headers as received
  std::optional<std::string> body;  // nullopt when not read (larger than the limit)
  size_t body_bytes = 0;            // declared (Content-Length) or read size
  std::string source_ip;
  bool tls = false;
  std::string tls_version;
  std::string tls_cipher;
};

struct DecoyResponderOptions {
  DecoyKeyLookup* keys = nullptr;      // REQUIRED, not owned
  DecoyRecordSink* records = nullptr;  // REQUIRED, not owned
  const Clock* clock = nullptr;        // nullptr: system clock
  RandomSource* random = nullptr;      // nullptr: OpenSSL CSPRNG
  // Host names (no port) the endpoint is reached by, so that
  // "<bucket>.<host>" is read as an S3 virtual-hosted bucket.
  std::vector<std::string> endpoint_hosts;
  bool record_unknown_keys = false;
};

struct DecoyResponderStats {
  uint64_t requests = 0;
  uint64_t anonymous = 0;
  uint64_t verified = 0;
  uint64_t key_id_only = 0;
  uint64_t unknown_key = 0;
  uint64_t unverifiable = 0;
  uint64_t records = 0;
};

class DecoyResponder final {
 public:
  explicit DecoyResponder(DecoyResponderOptions options);
  DecoyResponder(const DecoyResponder&) = delete;
  DecoyResponder& operator=(const DecoyResponder&) = delete;

  DecoyResponse Handle(const IncomingRequest& request);
  DecoyResponderStats stats() const;

 private:
  DecoyResponderOptions options_;
  SystemClock system_clock_;
  OpenSslRandom system_random_;
  const Clock* clock_;
  RandomSource* random_;
  std::atomic<uint64_t> requests_{0}, anonymous_{0}, verified_{0}, key_id_only_{0}, unknown_key_{0},
      unverifiable_{0}, records_{0};
};

}  // namespace spacecrab::decoy
