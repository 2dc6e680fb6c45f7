// S3Source: a CloudTrail trail bucket, read through ListObjectsV2/GetObject.
//
// The url "s3://bucket/prefix" may point at the bucket, AWSLogs/, an
// organization or account folder, or one account/region. Each poll
// re-discovers the account/region prefixes below it
// (".../CloudTrail/REGION/", skipping CloudTrail-Digest/ and
// CloudTrail-Insight/) and lists each from its own start-after point,
// following continuation tokens. Progress per prefix is a DeliveryLedger
// (see delivery_ledger.h) stored as checkpoint "<checkpoint_prefix>s3://bucket/<prefix>":
// listing starts after the ledger's floor, which trails the newest delivery
// time by `lateness`, so late files with older names are still read.
// Within a prefix, files are read in key order and the first failure stops
// that prefix until the next poll (the ledger never passes an unread file).
//
// Outside the CloudTrail layout (a copy with other key names) the given prefix
// is listed as is; keys without a delivery time are tracked by name only.
//
// Thread-safety: Poll from one thread at a time (it owns its S3Client).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "ingest/delivery_ledger.h"
#include "ingest/s3_client.h"
#include "ingest/source.h"

namespace spacecrab {
class Store;
}

namespace spacecrab::ingest {

struct S3SourceOptions {
  std::string url;                       // s3://bucket/prefix
  S3ClientOptions client;
  IngestPipeline* pipeline = nullptr;    // required, not owned
  Store* store = nullptr;                // required when checkpoint, not owned
  const Clock* clock = nullptr;          // required
  ProgressObserver* progress = nullptr;  // optional
  bool checkpoint = true;                // false: every Poll reads everything (one-shot)
  std::string checkpoint_prefix;         // "" for serve, "ingest:" for the one-shot command
  int64_t lateness_ms = 6 * 3600 * 1000;
  size_t max_object_bytes = 512u << 20;  // stored (compressed) size limit
};

struct S3Url {
  std::string bucket;
  std::string prefix;
};
Expected<S3Url> ParseS3Url(std::string_view url);

class S3Source final : public Source {
 public:
  static Expected<std::unique_ptr<S3Source>> Create(S3SourceOptions options);
  const std::string& name() const override { return name_; }
  Status Poll(std::stop_token stop) override;

 private:
  struct Leaf {
    std::string prefix;
    bool recursive = true;  // false: only objects directly under prefix
  };
  S3Source(S3SourceOptions options, S3Url url, std::unique_ptr<S3Client> client);
  Status Discover(const std::string& prefix, int depth, std::vector<Leaf>& leaves);
  Status PollLeaf(const Leaf& leaf, std::stop_token stop);

  S3SourceOptions o_;
  S3Url url_;
  std::unique_ptr<S3Client> client_;
  std::string name_;
};

}  // namespace spacecrab::ingest
