#include "store/sqlite_iam_intent_log.h"

#include "store/sqlite_db.h"

namespace spacecrab {
namespace {

constexpr const char* kIntentColumns =
    "id, kind, state, account_id, user_name, path, access_key_id, other_access_key_id, "
    "started_at, updated_at, note";

// The stored words, pinned by the table's CHECK constraints (migration 3).
// They equal provider/iam's ToString words, but are spelled here so sc_store
// needs only that module's header; without a default case, a new enum value
// fails to compile until it is added here and to the constraint.
std::string_view KindWord(IamIntentKind k) {
  switch (k) {
    case IamIntentKind::kMint:
      return "mint";
    case IamIntentKind::kRotate:
      return "rotate";
    case IamIntentKind::kDelete:
      return "delete";
  }
  return "mint";
}

std::string_view StateWord(IamIntentState s) {
  switch (s) {
    case IamIntentState::kPending:
      return "pending";
    case IamIntentState::kKeyCreated:
      return "key_created";
    case IamIntentState::kDone:
      return "done";
    case IamIntentState::kRolledBack:
      return "rolled_back";
  }
  return "pending";
}

Expected<IamIntent> ReadIntent(const Statement& s) {
  IamIntent i;
  i.id = s.Text(0);
  const std::string kind = s.Text(1);
  bool kind_known = false;
  for (auto k : {IamIntentKind::kMint, IamIntentKind::kRotate, IamIntentKind::kDelete}) {
    if (KindWord(k) == kind) {
      i.kind = k;
      kind_known = true;
    }
  }
  if (!kind_known) return DataLoss("iam intent " + i.id + ": unknown kind '" + kind + "'");
  const std::string state = s.Text(2);
  bool state_known = false;
  for (auto st : {IamIntentState::kPending, IamIntentState::kKeyCreated, IamIntentState::kDone,
                  IamIntentState::kRolledBack}) {
    if (StateWord(st) == state) {
      i.state = st;
      state_known = true;
    }
  }
  if (!state_known) return DataLoss("iam intent " + i.id + ": unknown state '" + state + "'");
  i.account_id = s.Text(3);
  i.user_name = s.Text(4);
  i.path = s.Text(5);
  i.access_key_id = s.Text(6);
  i.other_access_key_id = s.Text(7);
  i.started_at = s.Time(8);
  i.updated_at = s.Time(9);
  i.note = s.Text(10);
  return i;
}

}  // namespace

SqliteIamIntentLog::SqliteIamIntentLog(std::shared_ptr<SqliteStore> db) : db_(std::move(db)) {}

SqliteIamIntentLog::~SqliteIamIntentLog() = default;

Status SqliteIamIntentLog::Begin(const IamIntent& intent) {
  if (intent.id.empty()) return InvalidArgument("an iam intent needs an id");
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(Statement s, conn.Prepare(std::string("INSERT INTO iam_intents (") +
                                                  kIntentColumns +
                                                  ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    s.BindAll(intent.id, KindWord(intent.kind), StateWord(intent.state), intent.account_id,
              intent.user_name, intent.path, intent.access_key_id, intent.other_access_key_id,
              intent.started_at, intent.updated_at, intent.note);
    const Status st = s.Run();
    if (st.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("iam intent " + intent.id + " exists");
    }
    return st;
  });
}

Status SqliteIamIntentLog::Update(const IamIntent& intent) {
  return db_->WithWriteTransaction([&](SqliteConnection& conn) -> Status {
    SC_ASSIGN_OR_RETURN(
        Statement s,
        conn.Prepare("UPDATE iam_intents SET kind = ?, state = ?, account_id = ?, user_name = ?, "
                     "path = ?, access_key_id = ?, other_access_key_id = ?, started_at = ?, "
                     "updated_at = ?, note = ? WHERE id = ?"));
    s.BindAll(KindWord(intent.kind), StateWord(intent.state), intent.account_id,
              intent.user_name, intent.path, intent.access_key_id, intent.other_access_key_id,
              intent.started_at, intent.updated_at, intent.note, intent.id);
    SC_RETURN_IF_ERROR(s.Run());
    if (conn.Changes() == 0) return NotFound("iam intent " + intent.id + " does not exist");
    return Status::Ok();
  });
}

Expected<std::vector<IamIntent>> SqliteIamIntentLog::ListOpen() {
  std::vector<IamIntent> open;
  const Status done = db_->WithReader([&](SqliteConnection& conn) -> Status {
    // The WHERE repeats the partial index's condition word for word so the
    // planner can use it; rowid breaks ties in insertion (Begin) order.
    SC_ASSIGN_OR_RETURN(Statement s,
                        conn.Prepare(std::string("SELECT ") + kIntentColumns +
                                     " FROM iam_intents WHERE state IN ('pending', 'key_created')"
                                     " ORDER BY started_at, rowid"));
    while (true) {
      SC_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Ok();
      SC_ASSIGN_OR_RETURN(IamIntent i, ReadIntent(s));
      open.push_back(std::move(i));
    }
  });
  if (!done.ok()) return done;
  return open;
}

}  // namespace spacecrab
