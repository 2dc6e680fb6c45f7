#include "ingest/s3_source.h"

#include <spdlog/spdlog.h>

#include "store/store.h"

namespace spacecrab::ingest {
namespace {

// ".../CloudTrail/REGION/..." : at or below an account/region folder.
bool AtRegionLevel(std::string_view prefix) {
  const size_t ct = prefix.rfind("/CloudTrail/");
  const size_t at = ct != std::string_view::npos ? ct + 12 : (prefix.starts_with("CloudTrail/") ? 11 : std::string_view::npos);
  if (at == std::string_view::npos) return false;
  return prefix.find('/', at) != std::string_view::npos;  // a region segment follows
}

std::string_view LastSegment(std::string_view prefix) {
  if (prefix.ends_with('/')) prefix.remove_suffix(1);
  const size_t slash = prefix.rfind('/');
  return slash == std::string_view::npos ? prefix : prefix.substr(slash + 1);
}

}  // namespace

Expected<S3Url> ParseS3Url(std::string_view url) {
  if (!url.starts_with("s3://")) return InvalidArgument("not an s3:// url: " + std::string(url));
  url.remove_prefix(5);
  const size_t slash = url.find('/');
  S3Url u{std::string(url.substr(0, slash)), slash == std::string_view::npos ? "" : std::string(url.substr(slash + 1))};
  if (u.bucket.empty()) return InvalidArgument("s3 url without a bucket");
  return u;
}

S3Source::S3Source(S3SourceOptions options, S3Url url, std::unique_ptr<S3Client> client)
    : o_(std::move(options)), url_(std::move(url)), client_(std::move(client)),
      name_("s3://" + url_.bucket + "/" + url_.prefix) {}

Expected<std::unique_ptr<S3Source>> S3Source::Create(S3SourceOptions options) {
  SC_ASSIGN_OR_RETURN(S3Url url, ParseS3Url(options.url));
  SC_ASSIGN_OR_RETURN(auto client, S3Client::Create(options.client));
  return std::unique_ptr<S3Source>(new S3Source(std::move(options), std::move(url), std::move(client)));
}

Status S3Source::Discover(const std::string& prefix, int depth, std::vector<Leaf>& leaves) {
  if (AtRegionLevel(prefix) || depth > 6) {
    leaves.push_back({prefix, true});
    return Status::Ok();
  }
  // A prefix that is not a folder ("AWSLogs/1234") is listed as is.
  if (!prefix.empty() && !prefix.ends_with('/')) {
    leaves.push_back({prefix, true});
    return Status::Ok();
  }
  S3ListRequest req{url_.bucket, prefix, "/", "", "", 1000};
  bool direct_objects = false;
  std::vector<std::string> children;
  do {
    SC_ASSIGN_OR_RETURN(S3ListPage page, client_->ListObjectsV2(req));
    for (const auto& obj : page.objects)
      if (HasLogFileExtension(obj.key) && !IsNonLogPath(obj.key)) direct_objects = true;
    for (auto& cp : page.common_prefixes) children.push_back(std::move(cp));
    req.continuation_token = page.next_continuation_token;
  } while (!req.continuation_token.empty());
  if (direct_objects) leaves.push_back({prefix, false});
  for (const auto& child : children) {
    const std::string_view seg = LastSegment(child);
    if (seg == "CloudTrail-Digest" || seg == "CloudTrail-Insight") {
      if (o_.pipeline) o_.pipeline->options().metrics->files_skipped.fetch_add(0);
      continue;
    }
    SC_RETURN_IF_ERROR(Discover(child, depth + 1, leaves));
  }
  return Status::Ok();
}

Status S3Source::PollLeaf(const Leaf& leaf, std::stop_token stop) {
  const std::string cp_name = o_.checkpoint_prefix + "s3://" + url_.bucket + "/" + leaf.prefix;
  std::string position;
  if (o_.checkpoint) {
    SC_ASSIGN_OR_RETURN(auto cp, o_.store->GetCheckpoint(cp_name));
    if (cp) position = cp->position;
  }
  SC_ASSIGN_OR_RETURN(DeliveryLedger ledger, DeliveryLedger::Parse(position, o_.lateness_ms));
  IngestMetrics& m = *o_.pipeline->options().metrics;
  S3ListRequest req{url_.bucket, leaf.prefix, leaf.recursive ? "" : "/", ledger.floor_name(), "", 1000};
  do {
    SC_ASSIGN_OR_RETURN(S3ListPage page, client_->ListObjectsV2(req));
    req.continuation_token = page.next_continuation_token;
    req.start_after.clear();  // continuation tokens carry it
    std::vector<std::pair<int64_t, S3Object>> todo;
    uint64_t bytes = 0;
    for (auto& obj : page.objects) {
      if (!HasLogFileExtension(obj.key) || IsNonLogPath(obj.key)) {
        m.files_skipped.fetch_add(1, std::memory_order_relaxed);
        if (o_.progress) o_.progress->OnSkipped(obj.key);
        continue;
      }
      const int64_t t = DeliveryTimeFromName(LastSegment(obj.key)).value_or(0);
      if (ledger.IsDone(t, obj.key)) continue;
      bytes += obj.size;
      todo.emplace_back(t, std::move(obj));
    }
    if (o_.progress) o_.progress->OnPlanned(todo.size(), bytes);
    for (auto& [t, obj] : todo) {
      if (stop.stop_requested()) return Status::Ok();
      FileResult result;
      if (obj.size > o_.max_object_bytes) {
        result.quarantined = true;
        result.reason = "object of " + std::to_string(obj.size) + " bytes exceeds the limit";
        m.CountQuarantined(BadInput::kTooLarge);
        o_.pipeline->options().quarantine->Put(QuarantineItem{name_, obj.key, BadInput::kTooLarge, result.reason, {}});
      } else {
        auto body = client_->GetObject(url_.bucket, obj.key, o_.max_object_bytes);
        if (!body.ok()) {
          m.source_errors.fetch_add(1, std::memory_order_relaxed);
          return Status(body.status().code(), obj.key + ": " + body.status().message());
        }
        MemoryReader reader(*body);
        SC_ASSIGN_OR_RETURN(result, o_.pipeline->ProcessLogFile(reader, InputRef{name_, obj.key, "s3", *body}));
      }
      if (o_.progress) o_.progress->OnFileDone(obj.key, result);
      ledger.MarkDone(t, obj.key);
      if (o_.checkpoint)
        SC_RETURN_IF_ERROR(o_.store->PutCheckpoint(Checkpoint{cp_name, ledger.Serialize(), o_.clock->Now()}));
    }
  } while (!req.continuation_token.empty());
  return Status::Ok();
}

Status S3Source::Poll(std::stop_token stop) {
  std::vector<Leaf> leaves;
  SC_RETURN_IF_ERROR(Discover(url_.prefix, 0, leaves));
  Status first_error;
  for (const Leaf& leaf : leaves) {
    if (stop.stop_requested()) break;
    Status s = PollLeaf(leaf, stop);
    if (!s.ok()) {
      spdlog::error("ingest: {}{}: {}", name_, leaf.prefix, s.ToString());
      if (first_error.ok()) first_error = s;  // other prefixes still flow
    }
  }
  return first_error;
}

}  // namespace spacecrab::ingest
