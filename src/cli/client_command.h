// What every client command (token, apikey, ...) shares: the --json and
// --config flags, connecting to the server, and printing results and errors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "core/status.h"

namespace CLI {
class App;
}

namespace spacecrab::cli {

struct ClientFlags {
  bool json = false;        // print exactly what the API returned
  std::string config_path;  // where to look for the client file (see client_settings.h)
};

// Adds --json and --config to a client verb.
void AddClientFlags(CLI::App* command, ClientFlags& flags);

// An ApiClient for the resolved address and key, or why there is none.
Expected<std::unique_ptr<ApiClient>> Connect(const ClientFlags& flags);

// Prints "spacecrab: <message>" on stderr and returns kExitFailure.
int Fail(const Status& status);

// Prints the raw API body (newline-terminated) on stdout.
void PrintRaw(const std::string& body);

// A table: aligned columns with a header on a terminal, tab-separated
// (header included) when stdout is a pipe, so `cut -f` works.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// A JSON value as one table cell: strings as is, null as "-", others dumped.
std::string Cell(const nlohmann::json& object, const char* field);

// Parses "k=v" pairs (repeated --tag flags). InvalidArgument naming the bad one.
Expected<std::map<std::string, std::string>> ParseTags(const std::vector<std::string>& pairs);

}  // namespace spacecrab::cli
