// AwsQueryClient: signed calls to AWS Query-protocol APIs (IAM, STS).
//
// A call is an HTTPS POST of "Action=...&Version=...&..." (percent-encoded,
// sorted, spaces as '+' — see form_encoding.h) to the service's endpoint, signed with SigV4
// for (region, service) by the transport. The XML answer is parsed with
// pugixml; an <ErrorResponse> becomes a Status whose message starts with the
// AWS error code ("NoSuchEntity: The user with name x cannot be found.").
//
// Retries: throttling (Throttling, RequestLimitExceeded, HTTP 429 ...), 5xx
// and transport failures are retried up to max_attempts with exponential
// backoff and full jitter (sleep U(0, min(max_backoff, base * 2^n))). Every
// other error is returned at once. Note a retried mutating call may have
// succeeded the first time (e.g. CreateUser then EntityAlreadyExists): the
// IAM provider handles that.
//
// Credentials: static (settings.credentials) unless a credentials_source is
// given; then the client caches what the source returns and asks it again
// when the cached credentials are within refresh_before of their expiration
// (one caller refreshes, concurrent callers wait for it). A refresh that
// fails while the cached credentials are still valid for at least a minute
// is not fatal (the call uses them, the next call asks again, as the AWS SDKs
// do); otherwise the call fails with kUnavailable carrying the source's
// message (AssumedRoleCredentials names the role, never a secret). An
// ExpiredToken answer (clock skew) forces one refresh and one more attempt.
//
// Concurrency: at most max_concurrency requests are in flight at once across
// all threads (IAM has no published rate limit but throttles bursts); further
// callers wait. Thread-safe.
//
// Ownership: the transport is borrowed and must outlive the client.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pugixml.hpp>
#include <random>
#include <string>
#include <string_view>

#include "awsclient/aws_credentials.h"
#include "awsclient/form_encoding.h"
#include "awsclient/http_transport.h"
#include "core/clock.h"
#include "core/status.h"

namespace spacecrab {

struct AwsRetryPolicy {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds base_backoff{200};
  std::chrono::milliseconds max_backoff{10000};
};

struct AwsQueryClientOptions {
  HttpTransport* transport = nullptr;  // REQUIRED, borrowed
  AwsSettings settings;                // credentials, region, endpoint overrides
  AwsRetryPolicy retry;
  int max_concurrency = 4;
  std::chrono::milliseconds timeout{30000};
  // Injected for tests; defaults: std::this_thread::sleep_for and a
  // random_device-seeded generator.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> uniform01;
  // Expiring credentials (see the file comment); unset: settings.credentials
  // forever. REQUIRES: the source does not call back into this client.
  std::function<Expected<AwsCredentials>()> credentials_source;
  std::chrono::seconds refresh_before{300};
  const Clock* clock = nullptr;  // for expirations; default: the system clock, borrowed
};

// A parsed successful response. `result` is the <ActionResult> element (may
// be empty for actions without one, e.g. DeleteUser).
struct AwsQueryResponse {
  std::shared_ptr<pugi::xml_document> document;
  pugi::xml_node result;
  std::string request_id;
  int attempts = 1;
};

// The AWS error code a Status from this client carries ("NoSuchEntity"), or "".
std::string AwsErrorCode(const Status& status);
// Whether an AWS error (code, HTTP status) is worth retrying.
bool IsRetryableAwsError(std::string_view code, long http_status);

class AwsQueryClient final {
 public:
  explicit AwsQueryClient(AwsQueryClientOptions options);
  AwsQueryClient(const AwsQueryClient&) = delete;
  AwsQueryClient& operator=(const AwsQueryClient&) = delete;

  // Calls `action` on `service` ("iam", "sts") with API `version`.
  // Error codes: kNotFound (NoSuchEntity), kAlreadyExists (EntityAlreadyExists),
  // kResourceExhausted (LimitExceeded), kPermissionDenied (AccessDenied),
  // kUnauthenticated (bad key/signature), kUnavailable (throttled or 5xx after
  // all retries, transport), kInvalidArgument (validation), kDataLoss
  // (unparseable response).
  Expected<AwsQueryResponse> Call(std::string_view service, std::string_view action,
                                  std::string_view version, const AwsQueryParams& params);

  // Region and endpoints. With a credentials_source, settings().credentials
  // is whatever was configured (maybe nothing): use CurrentCredentials().
  const AwsSettings& settings() const { return options_.settings; }

  // The credentials the next call signs with, refreshed if due (the
  // refresh rules above). For doctor: Redacted() only, never log the secret.
  Expected<AwsCredentials> CurrentCredentials() { return SigningCredentials(""); }

 private:
  // The cached credentials, refreshed if due or if they are the ones AWS just
  // rejected (`rejected_key_id`; empty: none was).
  Expected<AwsCredentials> SigningCredentials(std::string_view rejected_key_id);
  Expected<AwsQueryResponse> CallWith(const AwsCredentials& creds, std::string_view service,
                                      std::string_view action, std::string_view version,
                                      const AwsQueryParams& params);
  Expected<AwsQueryResponse> CallOnce(const HttpRequest& request, std::string_view action);
  std::chrono::milliseconds Backoff(int retry_number);

  AwsQueryClientOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  SystemClock system_clock_;
  const Clock* clock_ = nullptr;
  std::mutex creds_mu_;  // held across a refresh: one refresh at a time
  std::optional<AwsCredentials> cached_;
};

}  // namespace spacecrab
