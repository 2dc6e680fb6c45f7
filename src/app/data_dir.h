// The data directory: what `serve` keeps beside the database so restarts see
// the same identity (decoy account id) and the CLI finds the server
// (client.json). Small files, written atomically with owner-only modes.
//
// Thread-safety: call from the start-up thread only.
// Failure: kUnavailable naming the path for I/O errors; kDataLoss for a file
// whose contents are not what we wrote.
#pragma once

#include <string>

#include "core/status.h"
#include "crypto/random.h"

namespace spacecrab {

// Creates `dir` (and parents) with mode 0700 if missing.
Status EnsureDataDir(const std::string& dir);

// Writes `contents` to `path` via a temporary file and rename, mode 0600.
Status WriteFileAtomically(const std::string& path, const std::string& contents);

// The decoy account id kept in <data_dir>/decoy_account_id, created once
// (12 random digits) on first use so every later start mints keys that
// decode to the same account.
Expected<std::string> LoadOrCreateDecoyAccountId(const std::string& data_dir, RandomSource& random);

// The client file the CLI reads: {"addr": ..., "api_key": ...} (mode 0600).
std::string ClientFilePath(const std::string& data_dir);
Status WriteClientFile(const std::string& path, const std::string& addr,
                       const std::string& api_key);
// Rewrites only "addr" of an existing client file (a restart may bind another
// port); keeps every other field. Ok (no-op) when the file does not exist.
Status UpdateClientFileAddr(const std::string& path, const std::string& addr);

}  // namespace spacecrab
