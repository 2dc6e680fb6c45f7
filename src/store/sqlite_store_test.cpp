#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "store/store_test_util.h"

namespace spacecrab {
namespace {

using std::chrono::minutes;
using testing::MakeToken;
using testing::T0;
using testing::TempDir;

ApiKey MakeApiKey(const std::string& id, const std::string& hash) {
  ApiKey k;
  k.id = id;
  k.name = "deployer " + id;
  k.scope = ApiScope::kDeploy;
  k.prefix = "sck_Ab12";
  k.secret_hash = hash;
  k.created_at = T0();
  return k;
}

TEST(ApiKeyStore, FindByHashThenRevokeAndTouch) {
  TempDir dir;
  auto store = testing::OpenTestStore(dir);
  EXPECT_EQ(store->CountApiKeys().value(), 0);
  ASSERT_TRUE(store->InsertApiKey(MakeApiKey("key_1", std::string(64, 'a'))).ok());
  ASSERT_TRUE(store->InsertApiKey(MakeApiKey("key_2", std::string(64, 'b'))).ok());
  EXPECT_EQ(store->CountApiKeys().value(), 2);

  auto found = store->FindApiKeyByHash(std::string(64, 'b'));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, "key_2");
  EXPECT_EQ(found->scope, ApiScope::kDeploy);
  EXPECT_EQ(found->prefix, "sck_Ab12");
  EXPECT_FALSE(found->revoked_at.has_value());
  EXPECT_EQ(store->FindApiKeyByHash(std::string(64, 'c')).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(store->TouchApiKey("key_2", T0() + minutes(5)).ok());
  ASSERT_TRUE(store->TouchApiKey("key_2", T0() + minutes(3)).ok());  // late, out of order
  EXPECT_EQ(store->FindApiKeyByHash(std::string(64, 'b'))->last_used_at, T0() + minutes(5));

  ASSERT_TRUE(store->RevokeApiKey("key_2", T0() + minutes(10)).ok());
  ASSERT_TRUE(store->RevokeApiKey("key_2", T0() + minutes(20)).ok());
  auto revoked = store->FindApiKeyByHash(std::string(64, 'b'));
  ASSERT_TRUE(revoked.ok());  // still found: the caller decides a revoked key is refused
  EXPECT_EQ(revoked->revoked_at, T0() + minutes(10));

  EXPECT_EQ(store->RevokeApiKey("key_x", T0()).code(), StatusCode::kNotFound);
  EXPECT_EQ(store->TouchApiKey("key_x", T0()).code(), StatusCode::kNotFound);
  auto all = store->ListApiKeys().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "key_1");
  EXPECT_FALSE(all[0].revoked_at.has_value());
  EXPECT_TRUE(all[1].revoked_at.has_value());
}

TEST(ApiKeyStore, DuplicateIdOrHashIsAlreadyExistsWithoutEchoingTheHash) {
  TempDir dir;
  auto store = testing::OpenTestStore(dir);
  const std::string hash(64, 'd');
  ASSERT_TRUE(store->InsertApiKey(MakeApiKey("key_1", hash)).ok());
  Status st = store->InsertApiKey(MakeApiKey("key_2", hash));
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message().find(hash), std::string::npos);
  EXPECT_EQ(store->InsertApiKey(MakeApiKey("key_1", std::string(64, 'e'))).code(),
            StatusCode::kAlreadyExists);
}

TEST(AuditLog, AppendsAndListsNewestFirstWithPaging) {
  TempDir dir;
  auto store = testing::OpenTestStore(dir);
  for (int i = 0; i < 7; ++i) {
    AuditEntry e;
    e.at = T0() + minutes(i);
    e.actor = "apikey:key_1";
    e.action = "token.create";
    e.object_id = "tok_" + std::to_string(i);
    e.source_ip = "127.0.0.1";
    e.detail_json = R"({"count":1})";
    ASSERT_TRUE(store->AppendAudit(e).ok());
  }
  auto first = store->ListAudit(3, 0).value();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].object_id, "tok_6");
  EXPECT_EQ(first[2].object_id, "tok_4");
  EXPECT_EQ(first[0].at, T0() + minutes(6));
  EXPECT_EQ(first[0].actor, "apikey:key_1");
  EXPECT_EQ(first[0].action, "token.create");
  EXPECT_EQ(first[0].source_ip, "127.0.0.1");
  EXPECT_EQ(first[0].detail_json, R"({"count":1})");
  EXPECT_GT(first[0].id, first[1].id);
  auto rest = store->ListAudit(100, first.back().id).value();
  ASSERT_EQ(rest.size(), 4u);
  EXPECT_EQ(rest[0].object_id, "tok_3");
  EXPECT_EQ(rest[3].object_id, "tok_0");
}

TEST(SqliteStore, ReopenedFileKeepsEverything) {
  TempDir dir;
  {
    auto store = testing::OpenTestStore(dir);
    ASSERT_TRUE(store->InsertTokens(std::vector<HoneyToken>{MakeToken(1), MakeToken(2)}).ok());
    ASSERT_TRUE(store->InsertApiKey(MakeApiKey("key_1", std::string(64, 'a'))).ok());
    ASSERT_TRUE(
        store->RecordEvents(std::vector<Event>{testing::MakeEvent(MakeToken(1), "e", 1)}).ok());
    ASSERT_TRUE(store->PutCheckpoint({"src", "pos", T0()}).ok());
  }
  auto store = testing::OpenTestStore(dir);
  EXPECT_EQ(store->CountTokens({}).value(), 2);
  EXPECT_EQ(store->GetToken(MakeToken(1).id)->event_count, 1);
  EXPECT_TRUE(store->FindApiKeyByHash(std::string(64, 'a')).ok());
  EXPECT_TRUE(store->GetEvent("e").ok());
  EXPECT_EQ(store->GetCheckpoint("src").value()->position, "pos");
  EXPECT_TRUE(store->Ping().ok());
}

TEST(SqliteStore, UsesWalAndEnforcesForeignKeys) {
  TempDir dir;
  auto store = testing::OpenTestStore(dir);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("db.sqlite").c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  // foreign_keys=ON on the store's own connection: an event needs its token.
  EXPECT_FALSE(
      store->RecordEvents(std::vector<Event>{testing::MakeEvent(MakeToken(9), "x", 1)}).ok());
}

TEST(SqliteStore, FileThatIsNotADatabaseIsDataLoss) {
  TempDir dir;
  std::ofstream(dir.File("junk.db")) << std::string(4096, 'x');
  SqliteStoreOptions options;
  options.path = dir.File("junk.db");
  auto store = SqliteStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
}

TEST(SqliteStore, InMemoryStoreWorks) {
  SqliteStoreOptions options;
  options.path = ":memory:";
  auto store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate().ok());
  ASSERT_TRUE((*store)->InsertTokens(std::vector<HoneyToken>{MakeToken(1)}).ok());
  EXPECT_EQ((*store)->GetToken(MakeToken(1).id)->location, MakeToken(1).location);
  int keys = 0;
  ASSERT_TRUE((*store)->ForEachTokenKey([&](const TokenKeyRef&) { ++keys; }).ok());
  EXPECT_EQ(keys, 1);
}

// Writers and readers on several threads, and a second store (as another
// process would) on the same file: nobody may see an error.
TEST(SqliteStore, ConcurrentWritersAndReadersSeeNoErrors) {
  TempDir dir;
  auto store = testing::OpenTestStore(dir);
  auto other = testing::OpenTestStore(dir);
  constexpr int kWriters = 4;
  constexpr int kBatches = 25;
  constexpr int kBatchSize = 20;
  std::atomic<int> errors{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    Store* target = w % 2 ? other.get() : store.get();
    threads.emplace_back([&, w, target] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<HoneyToken> batch;
        for (int i = 0; i < kBatchSize; ++i) {
          batch.push_back(MakeToken((w * kBatches + b) * kBatchSize + i));
        }
        Status st = target->InsertTokens(batch);
        if (!st.ok()) {
          ADD_FAILURE() << st.ToString();
          ++errors;
        }
        auto fresh = target->RecordEvents(
            std::vector<Event>{testing::MakeEvent(batch[0], "ev-" + batch[0].id, b)});
        if (!fresh.ok()) {
          ADD_FAILURE() << fresh.status().ToString();
          ++errors;
        }
        HoneyToken t = batch[1];
        t.status = TokenStatus::kRevoked;
        if (!target->UpdateToken(t).ok()) ++errors;
        if (!target->AppendAudit({0, T0(), "test", "token.create", t.id, "", "{}"}).ok()) ++errors;
      }
    });
  }
  for (int r = 0; r < 4; ++r) {
    Store* target = r % 2 ? other.get() : store.get();
    threads.emplace_back([&, target] {
      while (writing) {
        TokenFilter f;
        f.limit = 50;
        auto page = target->ListTokens(f);
        if (!page.ok()) {
          ADD_FAILURE() << page.status().ToString();
          ++errors;
        }
        f.status = TokenStatus::kRevoked;
        if (!target->CountTokens(f).ok()) ++errors;
        int64_t seen = 0;
        if (!target->TokenKeysChangedSince(0, [&](const TokenKeyRef&) { ++seen; }).ok()) ++errors;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writing = false;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();

  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(store->CountTokens({}).value(), kWriters * kBatches * kBatchSize);
  TokenFilter revoked;
  revoked.status = TokenStatus::kRevoked;
  EXPECT_EQ(other->CountTokens(revoked).value(), kWriters * kBatches);
  EventFilter all;
  all.limit = 1000;
  EXPECT_EQ(store->ListEvents(all)->items.size(), static_cast<size_t>(kWriters * kBatches));
  // Change sequence numbers stay unique across both writers.
  std::set<std::string> ids;
  auto version =
      store->TokenKeysChangedSince(0, [&](const TokenKeyRef& r) { ids.insert(r.token_id); });
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kWriters * kBatches * kBatchSize));
}

}  // namespace
}  // namespace spacecrab
