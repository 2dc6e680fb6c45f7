#include "api/metrics.h"

#include <fmt/format.h>

namespace spacecrab {

std::string PrometheusLabel(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void HttpMetrics::ObserveRequest(const std::string& method, const std::string& route, int status,
                                 std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
  // Client input errors: malformed, too large, wrong media type.
  if (status == 400 || status == 413 || status == 415 || status == 422) ++bad_requests_;
}

void HttpMetrics::CountAuthFailure(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++auth_failures_[reason];
}

void HttpMetrics::Render(std::string& out) const {
  std::lock_guard lock(mu_);
  out += "# HELP spacecrab_http_requests_total API requests by method, route pattern and status.\n";
  out += "# TYPE spacecrab_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format(
        "spacecrab_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method,
        PrometheusLabel(route), status, n);
  }
  out +=
      "# HELP spacecrab_http_request_duration_seconds API request latency, from routing to "
      "response.\n";
  out += "# TYPE spacecrab_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const std::string labels =
        fmt::format("method=\"{}\",route=\"{}\"", key.first, PrometheusLabel(key.second));
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out += fmt::format("spacecrab_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels, kBuckets[i], h.buckets[i]);
    out += fmt::format("spacecrab_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       labels, h.count);
    out += fmt::format("spacecrab_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("spacecrab_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  out +=
      "# HELP spacecrab_http_auth_failures_total Requests refused for a missing or invalid key "
      "(401) or scope (403).\n";
  out += "# TYPE spacecrab_http_auth_failures_total counter\n";
  for (const char* reason : {"missing", "invalid", "forbidden"}) {
    auto it = auth_failures_.find(reason);
    out += fmt::format("spacecrab_http_auth_failures_total{{reason=\"{}\"}} {}\n", reason,
                       it == auth_failures_.end() ? 0 : it->second);
  }
  out +=
      "# HELP spacecrab_http_bad_requests_total Requests refused as malformed, too large or of the "
      "wrong media type.\n";
  out += "# TYPE spacecrab_http_bad_requests_total counter\n";
  out += fmt::format("spacecrab_http_bad_requests_total {}\n", bad_requests_);
}

void MetricsRegistry::AddCollector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::Render() const {
  std::string out;
  http_.Render(out);
  std::lock_guard lock(mu_);
  for (const Collector& c : collectors_) c(out);
  return out;
}

}  // namespace spacecrab
