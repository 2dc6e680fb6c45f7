#include "store/sqlite_token_query.h"

namespace spacecrab {

const char* const kTokenColumns =
    "tokens.id, tokens.kind, tokens.status, tokens.access_key_id, tokens.account_id, "
    "tokens.user_name, tokens.arn, tokens.location, tokens.owner, tokens.notes, tokens.tags, "
    "tokens.created_at, tokens.issued_at, tokens.planted_at, tokens.expires_at, "
    "tokens.first_used_at, tokens.last_used_at, tokens.event_count, tokens.retired_at, "
    "tokens.rotated_from, tokens.replaced_by, tokens.sealed_secret";

namespace {

// A location prefix matching at least this many rows (after the cursor) is
// "dense": walking ids finds a page after ~limit/density rows, cheaper than
// sorting every match. Below it, sorting the matches is cheaper.
constexpr int64_t kDenseLocationRows = 4000;

struct Where {
  std::string text;
  std::vector<std::variant<int64_t, std::string>> args;

  void Add(const std::string& clause) {
    text += text.empty() ? " WHERE " : " AND ";
    text += clause;
  }
};

std::string LocationUpperBound(const std::string& prefix) {
  return prefix + "\xff";  // 0xFF never occurs in UTF-8, so this bounds every extension
}

// Clauses shared by list and count. `dense_location` hides the location
// index from the planner (unary +) so it walks ids instead.
void AddFilters(const TokenFilter& f, bool dense_location, Where& w) {
  if (!f.tag_key.empty()) {
    w.Add("tt.key = ?");
    w.args.emplace_back(f.tag_key);
    if (!f.tag_value.empty()) {
      w.Add("tt.value = ?");
      w.args.emplace_back(f.tag_value);
    }
  }
  if (f.status) {
    w.Add("tokens.status = ?");
    w.args.emplace_back(std::string(ToString(*f.status)));
  }
  if (f.kind) {
    w.Add("tokens.kind = ?");
    w.args.emplace_back(std::string(ToString(*f.kind)));
  }
  if (!f.owner.empty()) {
    w.Add("tokens.owner = ?");
    w.args.emplace_back(f.owner);
  }
  if (!f.location_prefix.empty()) {
    w.Add(dense_location ? "+tokens.location >= ? AND +tokens.location < ?"
                         : "tokens.location >= ? AND tokens.location < ?");
    w.args.emplace_back(f.location_prefix);
    w.args.emplace_back(LocationUpperBound(f.location_prefix));
  }
  if (!f.access_key_id.empty()) {
    w.Add("tokens.access_key_id = ?");
    w.args.emplace_back(f.access_key_id);
  }
  if (f.expires_before) {
    w.Add("tokens.expires_at IS NOT NULL AND tokens.expires_at < ?");
    w.args.emplace_back(ToUnixMillis(*f.expires_before));
  }
}

// With a tag filter the tag index drives the loop (CROSS JOIN fixes the order).
const char* FromClause(const TokenFilter& f) {
  return f.tag_key.empty() ? " FROM tokens"
                           : " FROM token_tags AS tt CROSS JOIN tokens ON tokens.id = tt.token_id";
}

Expected<bool> LocationIsDense(SqliteConnection& conn, const TokenFilter& f) {
  SC_ASSIGN_OR_RETURN(
      Statement s,
      conn.Prepare("SELECT COUNT(*) FROM (SELECT 1 FROM tokens WHERE location >= ? AND "
                   "location < ? AND id > ? LIMIT ?)"));
  s.BindAll(f.location_prefix, LocationUpperBound(f.location_prefix), f.after_id,
            kDenseLocationRows);
  SC_ASSIGN_OR_RETURN(bool row, s.Step());
  return row && s.Int(0) >= kDenseLocationRows;
}

}  // namespace

void TokenQuery::Bind(Statement& s) const {
  int i = 0;
  for (const auto& a : args) std::visit([&](const auto& v) { s.Bind(++i, v); }, a);
}

Expected<TokenQuery> BuildTokenListQuery(SqliteConnection& conn, const TokenFilter& f, int limit) {
  bool dense_location = false;
  if (!f.location_prefix.empty() && f.tag_key.empty()) {
    SC_ASSIGN_OR_RETURN(dense_location, LocationIsDense(conn, f));
  }
  Where w;
  AddFilters(f, dense_location, w);
  const char* order = f.tag_key.empty() ? "tokens.id" : "tt.token_id";
  if (!f.after_id.empty()) {
    w.Add(std::string(order) + " > ?");
    w.args.emplace_back(f.after_id);
  }
  w.args.emplace_back(int64_t{limit} + 1);  // one extra row tells whether more exist
  return TokenQuery{std::string("SELECT ") + kTokenColumns + FromClause(f) + w.text + " ORDER BY " +
                        order + " LIMIT ?",
                    std::move(w.args)};
}

TokenQuery BuildTokenCountQuery(const TokenFilter& f) {
  Where w;
  AddFilters(f, /*dense_location=*/false, w);
  return TokenQuery{std::string("SELECT COUNT(*)") + FromClause(f) + w.text, std::move(w.args)};
}

}  // namespace spacecrab
