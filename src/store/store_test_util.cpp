#include "store/store_test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

namespace spacecrab::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("sc_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<SqliteStore> OpenTestStore(const TempDir& dir, const std::string& name) {
  SqliteStoreOptions options;
  options.path = dir.File(name);
  auto store = SqliteStore::Open(options);
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    std::abort();
  }
  Status st = (*store)->Migrate();
  if (!st.ok()) {
    ADD_FAILURE() << st.ToString();
    std::abort();
  }
  return std::move(store).value();
}

Timestamp T0() { return FromUnixMillis(1767225600000); }

std::string AccessKeyFor(int n) {
  static constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string key = "AKIA";
  uint64_t v = static_cast<uint64_t>(n);
  for (int i = 0; i < 16; ++i) {
    key.push_back(kB32[v % 32]);
    v /= 32;
  }
  return key;
}

HoneyToken MakeToken(int n) {
  char id[40];
  std::snprintf(id, sizeof id, "tok_%026d", n);
  HoneyToken t;
  t.id = id;
  t.kind = TokenKind::kDecoy;
  t.status = TokenStatus::kActive;
  t.access_key_id = AccessKeyFor(n);
  t.account_id = "123456789012";
  t.user_name = "svc-" + std::to_string(n);
  t.arn = "arn:aws:iam::123456789012:user/svc-" + std::to_string(n);
  t.location = "site-" + std::to_string(n % 10) + "/host-" + std::to_string(n);
  t.owner = "team-" + std::to_string(n % 3);
  t.notes = "";
  t.created_at = T0() + std::chrono::seconds(n);
  t.issued_at = t.created_at;
  t.sealed_secret = "v1.sealed-" + std::to_string(n);
  return t;
}

Event MakeEvent(const HoneyToken& token, const std::string& id, int minutes) {
  Event e;
  e.id = id;
  e.token_id = token.id;
  e.access_key_id = token.access_key_id;
  e.event_time = T0() + std::chrono::minutes(minutes);
  e.event_source = "sts.amazonaws.com";
  e.event_name = "GetCallerIdentity";
  e.aws_region = "us-east-1";
  e.source_ip = "203.0.113.7";
  e.user_agent = "aws-cli/2.15.0";
  e.origin = "file";
  e.received_at = T0() + std::chrono::hours(24);
  return e;
}

}  // namespace spacecrab::testing
