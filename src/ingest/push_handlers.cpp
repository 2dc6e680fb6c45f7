#include "ingest/push_handlers.h"

#include <nlohmann/json.hpp>

#include "ingest/gzip_decoder.h"

namespace spacecrab::ingest {
namespace {

using Json = nlohmann::json;

std::string Header(const PushRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

PushResponse Problem(int status, std::string_view title, std::string_view detail) {
  Json j = {{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  return {status, "application/problem+json", j.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

int HttpStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
    default: return 400;
  }
}

// Decodes a body: gunzip when gzipped (by header or magic), into `out`.
Status DecodeBody(std::string_view body, bool gzip_header, size_t max_bytes, PaddedBuffer& out) {
  out.Clear();
  if (gzip_header || LooksGzipped(body)) return Gunzip(body, max_bytes, out);
  if (body.size() > max_bytes) return ResourceExhausted("body exceeds the limit");
  out.Append(body);
  return Status::Ok();
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buf = (buf << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((buf >> bits) & 0xff));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character
  return out;
}

PushHandlers::PushHandlers(const PushHandlersOptions& options) : o_(options) {}
PushHandlers::~PushHandlers() = default;

std::unique_ptr<Detector> PushHandlers::Acquire() {
  if (o_.index_sync != nullptr) {
    if (auto r = o_.index_sync->Refresh(); !r.ok()) o_.metrics->source_errors.fetch_add(1, std::memory_order_relaxed);
  }
  {
    std::lock_guard lock(mu_);
    if (!pool_.empty()) {
      auto d = std::move(pool_.back());
      pool_.pop_back();
      return d;
    }
  }
  DetectorOptions d;
  d.matcher = o_.matcher;
  d.clock = o_.clock;
  d.limits = o_.limits;
  return std::make_unique<Detector>(d);
}

void PushHandlers::Release(std::unique_ptr<Detector> d) {
  std::lock_guard lock(mu_);
  if (pool_.size() < 8) pool_.push_back(std::move(d));
}

Status PushHandlers::Authenticate(const PushRequest& r, bool firehose) {
  if (r.authenticated) return Status::Ok();
  std::string secret;
  const std::string auth = Header(r, "authorization");
  if (auth.size() > 7 && (auth.starts_with("Bearer ") || auth.starts_with("bearer "))) secret = auth.substr(7);
  if (secret.empty() && firehose) secret = Header(r, "x-amz-firehose-access-key");
  if (secret.empty()) return Unauthenticated("missing API key (Authorization: Bearer, or the Firehose access key)");
  return o_.auth->Authenticate(secret);
}

PushResponse PushHandlers::Finish(std::string_view what, ScanOutcome& scan) {
  auto fresh = o_.recorder->Record(scan.detections);
  if (!fresh.ok()) return Problem(503, "storage unavailable", fresh.status().message());
  Json j = {{"records", scan.counts.records}, {"detections", scan.detections.size()}, {"new_detections", *fresh},
            {"source", what}};
  o_.metrics->records_seen.fetch_add(scan.counts.records, std::memory_order_relaxed);
  return {200, "application/json", j.dump()};
}

PushResponse PushHandlers::EventBridge(const PushRequest& r) {
  o_.metrics->push_requests.fetch_add(1, std::memory_order_relaxed);
  auto reject = [&](const Status& s, BadInput kind) {
    o_.metrics->push_rejected.fetch_add(1, std::memory_order_relaxed);
    if (s.code() != StatusCode::kUnauthenticated && s.code() != StatusCode::kPermissionDenied)
      o_.metrics->CountQuarantined(kind);
    return Problem(HttpStatus(s), "event rejected", s.message());
  };
  if (Status s = Authenticate(r, false); !s.ok()) return reject(s, BadInput::kMalformedJson);
  if (r.body.size() > o_.max_body_bytes) return reject(ResourceExhausted("body too large"), BadInput::kTooLarge);
  PaddedBuffer body;
  if (Status s = DecodeBody(r.body, Header(r, "content-encoding") == "gzip", o_.limits.max_file_bytes, body); !s.ok())
    return reject(s, BadInput::kCorruptGzip);
  std::unique_ptr<Detector> d = Acquire();
  ScanOutcome scan;
  auto detail = d->parser().MemberText(body, "detail");
  Status s = detail.ok() ? d->MatchRecordText(*detail, "eventbridge", scan) : detail.status();
  Release(std::move(d));
  if (!s.ok())
    return reject(s, s.code() == StatusCode::kResourceExhausted ? BadInput::kRecordTooLarge : BadInput::kMalformedJson);
  return Finish("eventbridge", scan);
}

PushResponse PushHandlers::CloudTrail(const PushRequest& r) {
  o_.metrics->push_requests.fetch_add(1, std::memory_order_relaxed);
  auto reject = [&](const Status& s, std::optional<BadInput> kind) {
    o_.metrics->push_rejected.fetch_add(1, std::memory_order_relaxed);
    if (kind) o_.metrics->CountQuarantined(*kind);
    return Problem(HttpStatus(s), "log file rejected", s.message());
  };
  if (Status s = Authenticate(r, false); !s.ok()) return reject(s, std::nullopt);
  if (r.body.size() > o_.max_body_bytes) return reject(ResourceExhausted("body too large"), BadInput::kTooLarge);
  std::unique_ptr<Detector> d = Acquire();
  MemoryReader in(r.body);
  ScanOutcome scan = d->ScanLogFile(in, "cloudtrail-push");
  Release(std::move(d));
  // All or nothing for a request: the sender keeps it and can retry or fix it.
  if (!scan.status.ok()) return reject(scan.status, scan.bad);
  return Finish("cloudtrail", scan);
}

PushResponse PushHandlers::CloudWatch(const PushRequest& r) {
  o_.metrics->push_requests.fetch_add(1, std::memory_order_relaxed);
  const bool firehose_header = !Header(r, "x-amz-firehose-request-id").empty() ||
                               !Header(r, "x-amz-firehose-access-key").empty();
  std::string request_id = Header(r, "x-amz-firehose-request-id");
  const int64_t now = ToUnixMillis(o_.clock->Now());
  bool firehose = firehose_header;
  auto reply = [&](int status, const std::string& error) -> PushResponse {
    if (status != 200) o_.metrics->push_rejected.fetch_add(1, std::memory_order_relaxed);
    if (!firehose) return status == 200 ? PushResponse{200, "application/json", "{}"} : Problem(status, "payload rejected", error);
    Json j = {{"requestId", request_id}, {"timestamp", now}};
    if (status != 200) j["errorMessage"] = error;
    return {status, "application/json", j.dump(-1, ' ', false, Json::error_handler_t::replace)};
  };
  if (Status s = Authenticate(r, true); !s.ok()) return reply(HttpStatus(s), s.message());
  if (r.body.size() > o_.max_body_bytes) {
    o_.metrics->CountQuarantined(BadInput::kTooLarge);
    return reply(413, "body too large");
  }
  PaddedBuffer body;
  if (Status s = DecodeBody(r.body, Header(r, "content-encoding") == "gzip", o_.limits.max_file_bytes, body); !s.ok()) {
    o_.metrics->CountQuarantined(BadInput::kCorruptGzip);
    return reply(HttpStatus(s), s.message());
  }
  Json envelope;
  try {
    envelope = Json::parse(body.view());
  } catch (const std::exception& e) {
    o_.metrics->CountQuarantined(BadInput::kMalformedJson);
    return reply(400, std::string("malformed JSON: ") + e.what());
  }
  // Each payload: base64 text -> (gunzip) -> JSON: a CW Logs message batch, a
  // record, or a Records document.
  std::vector<std::string> payloads;  // decoded JSON texts
  auto add_b64 = [&](const Json& data) -> Status {
    if (!data.is_string()) return InvalidArgument("\"data\" is not a string");
    auto raw = DecodeBase64(data.get_ref<const std::string&>());
    if (!raw) return InvalidArgument("\"data\" is not base64");
    PaddedBuffer decoded;
    SC_RETURN_IF_ERROR(DecodeBody(*raw, false, o_.limits.max_file_bytes, decoded));
    payloads.emplace_back(decoded.view());
    return Status::Ok();
  };
  Status parsed;
  if (envelope.is_object() && envelope.contains("records") && envelope["records"].is_array()) {
    firehose = true;
    if (request_id.empty() && envelope.contains("requestId") && envelope["requestId"].is_string())
      request_id = envelope["requestId"].get<std::string>();
    for (const auto& rec : envelope["records"]) {
      parsed = rec.is_object() && rec.contains("data") ? add_b64(rec["data"]) : InvalidArgument("record without \"data\"");
      if (!parsed.ok()) break;
    }
  } else if (envelope.is_object() && envelope.contains("awslogs") && envelope["awslogs"].is_object() &&
             envelope["awslogs"].contains("data")) {
    parsed = add_b64(envelope["awslogs"]["data"]);
  } else {
    parsed = InvalidArgument("neither a CloudWatch Logs subscription payload nor a Firehose delivery");
  }
  if (!parsed.ok()) {
    o_.metrics->CountQuarantined(parsed.code() == StatusCode::kDataLoss ? BadInput::kCorruptGzip : BadInput::kMalformedJson);
    return reply(HttpStatus(parsed), parsed.message());
  }
  // Collect record texts, then match them all; any malformed record rejects
  // the whole request (Firehose retries it; nothing is half-recorded).
  std::vector<std::string> records;
  Status s;
  for (const std::string& p : payloads) {
    Json j;
    try {
      j = Json::parse(p);
    } catch (const std::exception& e) {
      s = InvalidArgument(std::string("payload is not JSON: ") + e.what());
      break;
    }
    if (j.is_object() && j.contains("logEvents")) {
      if (j.value("messageType", "DATA_MESSAGE") != "DATA_MESSAGE") continue;  // CONTROL_MESSAGE
      for (const auto& ev : j["logEvents"]) {
        if (!ev.is_object() || !ev.contains("message") || !ev["message"].is_string()) {
          s = InvalidArgument("logEvents entry without a message");
          break;
        }
        records.push_back(ev["message"].get<std::string>());
      }
    } else if (j.is_object() && j.contains("Records") && j["Records"].is_array()) {
      for (const auto& rec : j["Records"]) records.push_back(rec.dump());
    } else if (j.is_object() && j.contains("detail") && j["detail"].is_object()) {
      records.push_back(j["detail"].dump());  // an EventBridge event routed through Firehose
    } else if (j.is_object() && j.contains("eventID")) {
      records.push_back(p);
    } else {
      s = InvalidArgument("payload holds no CloudTrail records");
    }
    if (!s.ok()) break;
  }
  if (!s.ok()) {
    o_.metrics->CountQuarantined(BadInput::kMalformedJson);
    return reply(400, s.message());
  }
  std::unique_ptr<Detector> d = Acquire();
  ScanOutcome scan;
  PaddedBuffer text;
  for (const std::string& rec : records) {
    text.Clear();
    text.Append(rec);
    s = d->MatchRecordText(text.view(), "cloudwatch", scan);
    if (!s.ok()) break;
  }
  Release(std::move(d));
  if (!s.ok()) {
    o_.metrics->CountQuarantined(s.code() == StatusCode::kResourceExhausted ? BadInput::kRecordTooLarge : BadInput::kMalformedJson);
    return reply(HttpStatus(s), s.message());
  }
  auto fresh = o_.recorder->Record(scan.detections);
  if (!fresh.ok()) return reply(503, "storage unavailable: " + fresh.status().message());
  o_.metrics->records_seen.fetch_add(scan.counts.records, std::memory_order_relaxed);
  if (firehose) return reply(200, "");
  Json j = {{"records", scan.counts.records}, {"detections", scan.detections.size()}, {"new_detections", *fresh},
            {"source", "cloudwatch"}};
  return {200, "application/json", j.dump()};
}

}  // namespace spacecrab::ingest
