// The IamIntentLog contract (provider/iam/iam_intent_log.h), run against the
// reference InMemoryIamIntentLog and SqliteIamIntentLog; then what only the
// SQLite log promises (it survives the crash it exists for).
#include "store/sqlite_iam_intent_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/store_factory.h"
#include "store/store_test_util.h"

namespace spacecrab {
namespace {

IamIntent Intent(const std::string& id, int64_t started_ms,
                 IamIntentState state = IamIntentState::kPending) {
  IamIntent i;
  i.id = id;
  i.state = state;
  i.account_id = "123456789012";
  i.user_name = "svc-backup-" + id;
  i.started_at = i.updated_at = FromUnixMillis(started_ms);
  return i;
}

class IamIntentLogContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      log_ = std::make_unique<InMemoryIamIntentLog>();
      return;
    }
    auto opened = OpenStoreBundle("sqlite:" + dir_.File("iam.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    log_ = std::move(opened->iam_intents);
  }
  IamIntentLog& log() { return *log_; }
  std::vector<std::string> OpenIds() {
    auto open = log_->ListOpen();
    EXPECT_TRUE(open.ok()) << open.status().ToString();
    std::vector<std::string> ids;
    if (open.ok()) {
      for (const auto& i : *open) ids.push_back(i.id);
    }
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<IamIntentLog> log_;
};

// The iam module's own case (iam_reconciler_test.cpp), unchanged in substance.
TEST_P(IamIntentLogContract, ListsOnlyOpenIntentsOldestFirst) {
  IamIntent a = Intent("iin_a", 2000);
  IamIntent b = Intent("iin_b", 1000, IamIntentState::kKeyCreated);
  IamIntent c = Intent("iin_c", 0, IamIntentState::kDone);
  ASSERT_TRUE(log().Begin(a).ok() && log().Begin(b).ok() && log().Begin(c).ok());
  EXPECT_EQ(log().Begin(a).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(OpenIds(), (std::vector<std::string>{"iin_b", "iin_a"}));
  a.state = IamIntentState::kRolledBack;
  ASSERT_TRUE(log().Update(a).ok());
  EXPECT_EQ(OpenIds(), std::vector<std::string>{"iin_b"});
  EXPECT_EQ(log().Update(Intent("iin_x", 0)).code(), StatusCode::kNotFound);
}

TEST_P(IamIntentLogContract, UpdateReplacesEveryField) {
  IamIntent i = Intent("iin_1", 1000);
  i.kind = IamIntentKind::kRotate;
  i.path = "/service/";
  i.other_access_key_id = "AKIAOLDOLDOLDOLDOLD1";
  ASSERT_TRUE(log().Begin(i).ok());
  auto open = log().ListOpen();
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].kind, IamIntentKind::kRotate);
  EXPECT_EQ((*open)[0].path, "/service/");
  EXPECT_EQ((*open)[0].user_name, "svc-backup-iin_1");
  EXPECT_EQ((*open)[0].other_access_key_id, "AKIAOLDOLDOLDOLDOLD1");
  EXPECT_EQ((*open)[0].access_key_id, "");
  i.kind = IamIntentKind::kDelete;
  i.state = IamIntentState::kKeyCreated;
  i.account_id = "210987654321";
  i.user_name = "jenkins-deploy";
  i.path = "/";
  i.access_key_id = "AKIANEWNEWNEWNEWNEW2";
  i.other_access_key_id = "";
  i.started_at = FromUnixMillis(1500);
  i.updated_at = FromUnixMillis(9000);
  i.note = "CreateAccessKey ok";
  ASSERT_TRUE(log().Update(i).ok());
  open = log().ListOpen();
  ASSERT_EQ(open->size(), 1u);
  const IamIntent& got = (*open)[0];
  EXPECT_EQ(got.id, "iin_1");
  EXPECT_EQ(got.kind, IamIntentKind::kDelete);
  EXPECT_EQ(got.state, IamIntentState::kKeyCreated);
  EXPECT_EQ(got.account_id, "210987654321");
  EXPECT_EQ(got.user_name, "jenkins-deploy");
  EXPECT_EQ(got.path, "/");
  EXPECT_EQ(got.access_key_id, "AKIANEWNEWNEWNEWNEW2");
  EXPECT_EQ(got.other_access_key_id, "");
  EXPECT_EQ(got.started_at, FromUnixMillis(1500));
  EXPECT_EQ(got.updated_at, FromUnixMillis(9000));
  EXPECT_EQ(got.note, "CreateAccessKey ok");
  i.state = IamIntentState::kDone;
  ASSERT_TRUE(log().Update(i).ok());
  EXPECT_TRUE(OpenIds().empty());
}

TEST_P(IamIntentLogContract, SameStartTimeKeepsBeginOrder) {
  // Ids deliberately not in Begin order: ties are broken by when Begin ran.
  for (const char* id : {"iin_z", "iin_a", "iin_m"}) ASSERT_TRUE(log().Begin(Intent(id, 7)).ok());
  ASSERT_TRUE(log().Begin(Intent("iin_early", 6, IamIntentState::kKeyCreated)).ok());
  EXPECT_EQ(OpenIds(), (std::vector<std::string>{"iin_early", "iin_z", "iin_a", "iin_m"}));
}

TEST_P(IamIntentLogContract, ATakenIdIsRefusedAndTheFirstKept) {
  ASSERT_TRUE(log().Begin(Intent("iin_1", 1)).ok());
  IamIntent again = Intent("iin_1", 2, IamIntentState::kDone);
  again.note = "should not land";
  EXPECT_EQ(log().Begin(again).code(), StatusCode::kAlreadyExists);
  auto open = log().ListOpen();
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].note, "");
  EXPECT_EQ((*open)[0].started_at, FromUnixMillis(1));
}

INSTANTIATE_TEST_SUITE_P(Backends, IamIntentLogContract, ::testing::Values("memory", "sqlite"),
                         [](const auto& param_info) { return param_info.param; });

// ---- SQLite only --------------------------------------------------------------

TEST(SqliteIamIntentLog, OpenIntentsSurviveReopen) {
  testing::TempDir dir;
  const std::string url = "sqlite:" + dir.File("iam.db");
  {
    auto b = OpenStoreBundle(url);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    ASSERT_TRUE(b->iam_intents->Begin(Intent("iin_1", 100)).ok());
    IamIntent made = Intent("iin_2", 200, IamIntentState::kKeyCreated);
    made.access_key_id = "AKIAMADEMADEMADEMADE";
    ASSERT_TRUE(b->iam_intents->Begin(made).ok());
    ASSERT_TRUE(b->iam_intents->Begin(Intent("iin_3", 300, IamIntentState::kRolledBack)).ok());
  }
  auto b = OpenStoreBundle(url);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto open = b->iam_intents->ListOpen();
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[1].access_key_id, "AKIAMADEMADEMADEMADE");
  EXPECT_EQ((*open)[1].state, IamIntentState::kKeyCreated);
}

TEST(SqliteIamIntentLog, ListOpenWalksThePartialIndexInOrder) {
  testing::TempDir dir;
  const std::string path = dir.File("iam.db");
  ASSERT_TRUE(OpenStoreBundle("sqlite:" + path).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "EXPLAIN QUERY PLAN SELECT id FROM iam_intents WHERE state IN "
                               "('pending', 'key_created') ORDER BY started_at, rowid",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += "\n";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_NE(plan.find("iam_intents_open"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST(SqliteIamIntentLog, StoredWordsAreTheIamModulesWords) {
  // The store spells kinds and states itself (no link to sc_iam); they must
  // stay the words provider/iam's ToString gives, which users see in logs.
  testing::TempDir dir;
  const std::string path = dir.File("iam.db");
  auto b = OpenStoreBundle("sqlite:" + path);
  ASSERT_TRUE(b.ok());
  int n = 0;
  for (auto kind : {IamIntentKind::kMint, IamIntentKind::kRotate, IamIntentKind::kDelete}) {
    for (auto state : {IamIntentState::kPending, IamIntentState::kKeyCreated,
                       IamIntentState::kDone, IamIntentState::kRolledBack}) {
      IamIntent i = Intent("iin_" + std::to_string(n), n);
      ++n;
      i.kind = kind;
      i.state = state;
      ASSERT_TRUE(b->iam_intents->Begin(i).ok()) << ToString(kind) << "/" << ToString(state);
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT kind, state FROM iam_intents ORDER BY rowid", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  n = 0;
  for (auto kind : {IamIntentKind::kMint, IamIntentKind::kRotate, IamIntentKind::kDelete}) {
    for (auto state : {IamIntentState::kPending, IamIntentState::kKeyCreated,
                       IamIntentState::kDone, IamIntentState::kRolledBack}) {
      ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
      EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), ToString(kind));
      EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)), ToString(state));
      ++n;
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(n, 12);
}

}  // namespace
}  // namespace spacecrab
