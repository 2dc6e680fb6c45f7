#include "awsclient/aws_query_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <thread>

namespace spacecrab {
namespace {

Status StatusForAwsError(const std::string& code, const std::string& message, long http_status,
                         const std::string& request_id) {
  std::string text = fmt::format("{}: {}", code, message);
  if (!request_id.empty()) text += fmt::format(" (request id {})", request_id);
  if (code == "NoSuchEntity") return NotFound(text);
  if (code == "EntityAlreadyExists") return AlreadyExists(text);
  if (code == "LimitExceeded") return ResourceExhausted(text);
  if (code == "AccessDenied" || code == "AccessDeniedException" ||
      code == "UnauthorizedOperation") {
    return PermissionDenied(text);
  }
  if (code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" ||
      code == "InvalidAccessKeyId" || code == "IncompleteSignature" ||
      code == "MissingAuthenticationToken") {
    return Unauthenticated(text);
  }
  if (code == "DeleteConflict" || code == "ConcurrentModification") return FailedPrecondition(text);
  if (IsRetryableAwsError(code, http_status)) return Unavailable(text);
  return InvalidArgument(text);
}

// pugixml ignores namespaces, so "Error/Code" matches IAM's and STS's documents alike.
std::string ChildText(pugi::xml_node node, const char* name) {
  return node.child(name).text().as_string();
}

}  // namespace

std::string AwsErrorCode(const Status& status) {
  if (status.ok()) return "";
  const std::string& m = status.message();
  const size_t colon = m.find(':');
  if (colon == std::string::npos || colon == 0) return "";
  const std::string code = m.substr(0, colon);
  const bool word = std::all_of(code.begin(), code.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.';
  });
  return word ? code : "";
}

bool IsRetryableAwsError(std::string_view code, long http_status) {
  static constexpr std::array<std::string_view, 11> kRetryable = {"Throttling",
                                                                  "ThrottlingException",
                                                                  "ThrottledException",
                                                                  "RequestThrottled",
                                                                  "RequestThrottledException",
                                                                  "RequestLimitExceeded",
                                                                  "TooManyRequestsException",
                                                                  "ServiceUnavailable",
                                                                  "InternalFailure",
                                                                  "InternalError",
                                                                  "PriorRequestNotComplete"};
  if (http_status == 429 || http_status >= 500) return true;
  return std::find(kRetryable.begin(), kRetryable.end(), code) != kRetryable.end();
}

AwsQueryClient::AwsQueryClient(AwsQueryClientOptions options) : options_(std::move(options)) {
  if (!options_.sleep)
    options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (options_.max_concurrency < 1) options_.max_concurrency = 1;
  if (options_.retry.max_attempts < 1) options_.retry.max_attempts = 1;
  rng_.seed(std::random_device{}());
  clock_ = options_.clock ? options_.clock : &system_clock_;
}

Expected<AwsCredentials> AwsQueryClient::SigningCredentials(std::string_view rejected_key_id) {
  if (!options_.credentials_source) return options_.settings.credentials;
  // Left for a call after a failed refresh: enough to sign and be answered.
  constexpr std::chrono::seconds kMinRemaining{60};
  std::lock_guard lock(creds_mu_);
  const Timestamp now = clock_->Now();
  const auto valid_for_at_least = [&](std::chrono::seconds d) {
    return cached_ && (!cached_->expiration || *cached_->expiration > now + d);
  };
  // AWS rejected the cached key: refresh, unless another caller already has.
  const bool rejected =
      cached_ && !rejected_key_id.empty() && cached_->access_key_id == rejected_key_id;
  if (!rejected && valid_for_at_least(options_.refresh_before)) return *cached_;
  Expected<AwsCredentials> fresh = options_.credentials_source();
  if (fresh.ok() && fresh->complete()) {
    cached_ = *fresh;
    return *cached_;
  }
  if (!rejected && valid_for_at_least(kMinRemaining)) return *cached_;
  const std::string why =
      fresh.ok() ? std::string("the source returned no key") : fresh.status().message();
  return Unavailable(fmt::format("AWS credentials could not be refreshed: {}", why));
}

std::chrono::milliseconds AwsQueryClient::Backoff(int retry_number) {
  const double cap = static_cast<double>(options_.retry.max_backoff.count());
  const double exp = static_cast<double>(options_.retry.base_backoff.count()) *
                     std::pow(2.0, static_cast<double>(std::min(retry_number, 30)));
  double u;
  if (options_.uniform01) {
    u = options_.uniform01();
  } else {
    std::lock_guard lock(rng_mu_);
    u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(u * std::min(cap, exp)));
}

Expected<AwsQueryResponse> AwsQueryClient::Call(std::string_view service, std::string_view action,
                                                std::string_view version,
                                                const AwsQueryParams& params) {
  if (!options_.transport) return Internal("AwsQueryClient has no transport");
  SC_ASSIGN_OR_RETURN(AwsCredentials creds, SigningCredentials(""));
  Expected<AwsQueryResponse> r = CallWith(creds, service, action, version, params);
  // AWS thinks the credentials expired before our clock did: refresh once.
  if (!r.ok() && options_.credentials_source && AwsErrorCode(r.status()) == "ExpiredToken") {
    SC_ASSIGN_OR_RETURN(creds, SigningCredentials(creds.access_key_id));
    r = CallWith(creds, service, action, version, params);
  }
  return r;
}

Expected<AwsQueryResponse> AwsQueryClient::CallWith(const AwsCredentials& creds,
                                                    std::string_view service,
                                                    std::string_view action,
                                                    std::string_view version,
                                                    const AwsQueryParams& params) {
  AwsQueryParams all = params;
  all["Action"] = std::string(action);
  all["Version"] = std::string(version);
  // IAM and global STS sign for us-east-1 whatever the configured region.
  const bool global = service == "iam" || service == "sts";
  const std::string signing_region = global ? "us-east-1" : options_.settings.region;

  HttpRequest request;
  request.method = "POST";
  request.url = options_.settings.EndpointFor(service);
  if (request.url.find('/', request.url.find("://") + 3) == std::string::npos) request.url += "/";
  request.body = FormBody(all);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  if (!creds.session_token.empty())
    request.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  request.sigv4_provider = fmt::format("aws:amz:{}:{}", signing_region, service);
  request.access_key_id = creds.access_key_id;
  request.secret_access_key = creds.secret_access_key;
  request.timeout = options_.timeout;

  Status last;
  for (int attempt = 1; attempt <= options_.retry.max_attempts; ++attempt) {
    Expected<AwsQueryResponse> r = [&] {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return in_flight_ < options_.max_concurrency; });
      ++in_flight_;
      lock.unlock();
      auto out = CallOnce(request, action);
      lock.lock();
      --in_flight_;
      cv_.notify_one();
      return out;
    }();
    if (r.ok()) {
      r->attempts = attempt;
      return r;
    }
    last = r.status();
    if (last.code() != StatusCode::kUnavailable || attempt == options_.retry.max_attempts) break;
    options_.sleep(Backoff(attempt - 1));
  }
  return last;
}

Expected<AwsQueryResponse> AwsQueryClient::CallOnce(const HttpRequest& request,
                                                    std::string_view action) {
  SC_ASSIGN_OR_RETURN(HttpResponse http, options_.transport->Send(request));
  auto doc = std::make_shared<pugi::xml_document>();
  const pugi::xml_parse_result parsed = doc->load_buffer(http.body.data(), http.body.size());
  if (http.status >= 300) {
    // AWS answers <ErrorResponse><Error>; moto nests <Errors><Error>: take the first <Error> with a
    // <Code>.
    pugi::xml_node err = parsed ? doc->select_node("//Error[Code]").node() : pugi::xml_node();
    std::string code = ChildText(err, "Code");
    std::string message = ChildText(err, "Message");
    std::string request_id = parsed ? ChildText(doc->first_child(), "RequestId") : "";
    if (request_id.empty()) request_id = http.Header("x-amzn-RequestId");
    if (code.empty()) {
      code = http.status == 429 ? "Throttling"
                                : (http.status >= 500 ? "ServiceUnavailable" : "HttpError");
      message = fmt::format("HTTP {} from {}", http.status, request.url);
    }
    return StatusForAwsError(code, message, http.status, request_id);
  }
  if (!parsed) {
    return DataLoss(fmt::format("{}: unparseable response from {}: {}", action, request.url,
                                parsed.description()));
  }
  AwsQueryResponse out;
  pugi::xml_node root = doc->first_child();
  out.result = root.child(fmt::format("{}Result", action).c_str());
  out.request_id = ChildText(root.child("ResponseMetadata"), "RequestId");
  out.document = std::move(doc);
  return out;
}

}  // namespace spacecrab
