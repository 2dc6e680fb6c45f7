// PushHandlers: the HTTP-agnostic bodies of the push endpoints. The api
// module's route adapter (ingest_routes.h) passes method-checked requests
// here and writes the responses back unchanged.
//
//   POST /api/v1/ingest/eventbridge  EventBridge API destination: one event
//        envelope {"detail-type":"AWS API Call via CloudTrail","detail":{record}}.
//   POST /api/v1/ingest/cloudwatch   CloudWatch Logs subscription payload
//        {"awslogs":{"data":base64(gzip(json))}}, or a Kinesis Data Firehose
//        HTTP endpoint delivery {"requestId","timestamp","records":[{"data"}]}
//        whose records carry such payloads (gzipped or not) or bare records;
//        Firehose requests are answered {"requestId","timestamp"[,"errorMessage"]}
//        as Firehose expects, and authenticated by X-Amz-Firehose-Access-Key.
//   POST /api/v1/ingest/cloudtrail   a {"Records":[...]} document, plain or gzip.
//
// Auth: either the HTTP layer authenticated the request (PushRequest::
// authenticated; routes with a scope), or the handler checks the key itself
// through the PushAuthenticator the api supplies: "Authorization: Bearer KEY"
// when present, else (cloudwatch) X-Amz-Firehose-Access-Key. Bodies may be gzip
// (Content-Encoding: gzip or the gzip magic). Malformed input is rejected
// with 400 and a problem+json reason (counted as quarantined by kind), never
// partly recorded. Detections go through the shared Recorder (so push and
// poll paths collapse on eventID).
//
// Thread-safety: all methods may be called concurrently (a small pool of
// Detectors is kept). Headers are matched case-insensitively (callers pass
// them with lower-case names).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/key_matcher.h"
#include "core/status.h"
#include "ingest/detector.h"
#include "ingest/key_index_sync.h"
#include "ingest/recorder.h"

namespace spacecrab::ingest {

struct PushRequest {
  std::string_view body;
  std::map<std::string, std::string> headers;  // lower-case names
  // The HTTP layer already verified an API key of sufficient scope (the api
  // strips Authorization before handlers see it); skip our own check.
  bool authenticated = false;
};

struct PushResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Verifies a presented secret (API key); the api module implements it.
class PushAuthenticator {
 public:
  virtual ~PushAuthenticator() = default;
  // Ok, or kUnauthenticated / kPermissionDenied.
  virtual Status Authenticate(std::string_view secret) = 0;
};

struct PushHandlersOptions {
  const KeyMatcher* matcher = nullptr;      // required, not owned
  const Clock* clock = nullptr;             // required
  Recorder* recorder = nullptr;             // required, not owned
  IngestMetrics* metrics = nullptr;         // required, not owned
  PushAuthenticator* auth = nullptr;        // required, not owned
  // Optional: brought up to date before each request, so a token used within
  // a second of its creation is still matched.
  KeyIndexSync* index_sync = nullptr;
  IngestLimits limits;                      // max_file_bytes bounds a decoded body
  size_t max_body_bytes = 64u << 20;        // as received (Firehose buffers up to 64 MiB)
};

class PushHandlers {
 public:
  explicit PushHandlers(const PushHandlersOptions& options);
  ~PushHandlers();

  PushResponse EventBridge(const PushRequest& request);
  PushResponse CloudWatch(const PushRequest& request);
  PushResponse CloudTrail(const PushRequest& request);

 private:
  std::unique_ptr<Detector> Acquire();
  void Release(std::unique_ptr<Detector> d);
  Status Authenticate(const PushRequest& request, bool firehose);
  PushResponse Finish(std::string_view what, ScanOutcome& scan);

  PushHandlersOptions o_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Detector>> pool_;
};

// RFC 4648 base64 (padding optional, no whitespace); nullopt if malformed.
std::optional<std::string> DecodeBase64(std::string_view in);

}  // namespace spacecrab::ingest
