// Metrics in the Prometheus text format (version 0.0.4).
//
// HttpMetrics counts what the API server sees: requests by method, route
// pattern and status, latency histograms by method and route, authentication
// failures by reason, and client input errors. Routes are labelled by their
// pattern ("/api/v1/tokens/{id}"), never the raw path, so label cardinality
// stays bounded whatever clients send.
//
// MetricsRegistry renders HttpMetrics plus collectors other parts register
// (token counts from the store, later ingest and alert counters); RunServe
// wires them, explicitly.
//
// Thread-safety: every method is safe to call concurrently.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace spacecrab {

class HttpMetrics {
 public:
  // Histogram bucket upper bounds, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  void ObserveRequest(const std::string& method, const std::string& route, int status,
                      std::chrono::nanoseconds latency);
  // reason: "missing" | "invalid" | "forbidden"
  void CountAuthFailure(const std::string& reason);
  void Render(std::string& out) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::map<std::string, uint64_t> auth_failures_;
  uint64_t bad_requests_ = 0;
};

class MetricsRegistry {
 public:
  // Appends its metric families (with # HELP / # TYPE lines) to the text.
  using Collector = std::function<void(std::string& out)>;

  HttpMetrics& http() { return http_; }
  void AddCollector(Collector collector);
  std::string Render() const;

 private:
  HttpMetrics http_;
  mutable std::mutex mu_;
  std::vector<Collector> collectors_;
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string PrometheusLabel(const std::string& value);

}  // namespace spacecrab
