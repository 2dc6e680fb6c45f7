// Test helpers for the store tests: temporary directories and sample rows.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/event.h"
#include "core/honey_token.h"
#include "store/sqlite_store.h"

namespace spacecrab::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A migrated store on a file in `dir` (aborts the test on failure).
std::unique_ptr<SqliteStore> OpenTestStore(const TempDir& dir,
                                           const std::string& name = "db.sqlite");

// Base time for sample rows: 2026-01-01T00:00:00Z.
Timestamp T0();

// Token number n: id "tok_" + 26 digits (sorts by n), a unique access key id,
// active decoy token in account 123456789012, location "site-<n%10>/host-<n>".
HoneyToken MakeToken(int n);
// A unique access key id for n (AKIA + 16 base32 chars).
std::string AccessKeyFor(int n);

// An event for `token` with the given id at T0 + minutes.
Event MakeEvent(const HoneyToken& token, const std::string& id, int minutes);

}  // namespace spacecrab::testing
