// Where client commands (token, apikey, ...) find the server and their key.
//
// Lookup order, first hit wins, per value:
//   1. SPACECRAB_ADDR and SPACECRAB_API_KEY in the environment;
//   2. the client file named by SPACECRAB_CLIENT_FILE;
//   3. the client file `init` wrote: <data_dir>/client.json, where data_dir
//      comes from --config PATH, else ./spacecrab.toml, else ./data (with
//      SPACECRAB_SERVER_DATA_DIR applied as for the server).
// The client file is JSON {"addr": "...", "api_key": "..."}, mode 0600.
#pragma once

#include <map>
#include <string>

#include "core/status.h"

namespace spacecrab::cli {

struct ClientSettings {
  std::string addr;     // "http://127.0.0.1:8080"
  std::string api_key;  // "sck_..."
};

// FailedPrecondition naming the variables and the file tried when either
// value is missing; InvalidArgument for a malformed client file.
Expected<ClientSettings> ResolveClientSettings(const std::map<std::string, std::string>& env,
                                               const std::string& config_path);

// Writes the client file atomically with mode 0600 (the key is a secret).
Status WriteClientFile(const std::string& path, const ClientSettings& settings);

// The client file location for a data directory.
std::string ClientFilePath(const std::string& data_dir);

}  // namespace spacecrab::cli
