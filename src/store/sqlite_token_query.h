// SQL for listing and counting tokens (internal to the SQLite store).
//
// Listing must stay an index walk in id order at 100k+ tokens, so the shape
// of the query depends on the filter:
//  - a tag filter walks token_tags (key[, value], token_id), already in id order;
//  - a location prefix is served by the location index when it matches few
//    rows (sorted afterwards), and by walking ids when it matches many (a
//    cheap bounded probe decides);
//  - everything else is an index on (column, id) or the primary key.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace spacecrab {

// Every tokens column, qualified, in the order ReadToken expects.
extern const char* const kTokenColumns;

struct TokenQuery {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> args;

  void Bind(Statement& s) const;
};

// SELECT kTokenColumns ... ORDER BY id LIMIT limit+1 for `filter`, honouring
// its cursor. May run one bounded probe on `conn`.
Expected<TokenQuery> BuildTokenListQuery(SqliteConnection& conn, const TokenFilter& filter,
                                         int limit);
// SELECT COUNT(*) for `filter` (cursor and limit ignored).
TokenQuery BuildTokenCountQuery(const TokenFilter& filter);

}  // namespace spacecrab
