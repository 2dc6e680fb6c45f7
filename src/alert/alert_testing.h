// Test doubles for the alert module's unit tests: a scripted HttpClient, a
// recording Sink that can be told to fail, and a sample alert.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "alert/http_client.h"
#include "alert/sink.h"
#include "core/alert.h"

namespace spacecrab::alert::testing {

// Answers each request with the next scripted response (the last one
// repeats); records every request.
class ScriptedHttpClient final : public HttpClient {
 public:
  void Script(std::vector<Expected<HttpResponse>> responses) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.assign(responses.begin(), responses.end());
  }
  Expected<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (script_.empty()) return HttpResponse{202, "{}"};
    Expected<HttpResponse> r = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return r;
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Expected<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
};

// Records delivered messages; `fail` decides per message whether to fail.
class RecordingSink final : public Sink {
 public:
  explicit RecordingSink(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "recording"; }
  Status Send(const AlertMessage& m) override {
    std::function<Status(const AlertMessage&)> f;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++attempts_;
      f = fail_;
    }
    Status st = f ? f(m) : Status::Ok();
    std::lock_guard<std::mutex> lock(mu_);
    if (st.ok()) delivered_.push_back(m);
    cv_.notify_all();
    return st;
  }
  void SetFailure(std::function<Status(const AlertMessage&)> f) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(f);
  }
  std::vector<AlertMessage> delivered() const {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }
  int attempts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }
  // Waits (real time) until `n` messages were delivered.
  bool WaitDelivered(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return delivered_.size() >= n; });
  }

 private:
  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::function<Status(const AlertMessage&)> fail_;
  std::vector<AlertMessage> delivered_;
  int attempts_ = 0;
};

inline Alert SampleAlert(const std::string& incident_id = "inc_01") {
  Alert a;
  a.title = "First use of a key planted at laptop-0042:~/Downloads from 203.0.113.9";
  a.token.id = "tok_01";
  a.token.kind = "aws";
  a.token.status = "active";
  a.token.access_key_id = "AKIAEXAMPLEEXAMPLE01";
  a.token.location = "laptop-0042:~/Downloads";
  a.token.owner = "alice";
  a.event.id = "ev-1";
  a.event.time = ParseRfc3339("2026-11-23T17:50:28Z");
  a.event.event_source = "sts.amazonaws.com";
  a.event.event_name = "GetCallerIdentity";
  a.event.region = "us-east-1";
  a.source.ip = "203.0.113.9";
  a.source.user_agent = "aws-cli/2.13.0";
  a.incident.id = incident_id;
  a.incident.status = "open";
  a.incident.event_count = 1;
  a.incident.actions = {"sts:GetCallerIdentity"};
  a.incident.profile = "single probe";
  a.incident.trigger = "first_use";
  a.incident.severity = "critical";
  a.dashboard_url = "https://sc.example.com/incidents/" + incident_id;
  return a;
}

inline AlertMessage SampleMessage(AlertKind kind = AlertKind::kTrigger,
                                  const std::string& incident_id = "inc_01") {
  return AlertMessage{kind, SampleAlert(incident_id), incident_id, 1, 1};
}

}  // namespace spacecrab::alert::testing
