#include "cli/client_command.h"

#include <unistd.h>

#include <cstdio>
#include <map>

#include <CLI/CLI.hpp>

#include "cli/client_settings.h"
#include "cli/command.h"
#include "config/config.h"

namespace spacecrab::cli {

void AddClientFlags(CLI::App* command, ClientFlags& flags) {
  command->add_flag("--json", flags.json, "Print exactly what the API returned (JSON)");
  command->add_option("-c,--config", flags.config_path,
                      "Config whose data_dir holds client.json (when SPACECRAB_ADDR / "
                      "SPACECRAB_API_KEY are not set)");
}

Expected<std::unique_ptr<ApiClient>> Connect(const ClientFlags& flags) {
  SC_ASSIGN_OR_RETURN(auto settings, ResolveClientSettings(ProcessEnvironment(), flags.config_path));
  return std::make_unique<ApiClient>(ApiClientOptions{settings.addr, settings.api_key});
}

int Fail(const Status& status) {
  std::fprintf(stderr, "spacecrab: %s\n", status.message().c_str());
  return kExitFailure;
}

void PrintRaw(const std::string& body) {
  std::fwrite(body.data(), 1, body.size(), stdout);
  if (body.empty() || body.back() != '\n') std::fputc('\n', stdout);
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  if (!::isatty(STDOUT_FILENO)) {
    auto line = [](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size(); ++i)
        std::printf("%s%s", i ? "\t" : "", cells[i].c_str());
      std::printf("\n");
    };
    line(header);
    for (const auto& r : rows) line(r);
    return;
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&width](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    std::printf("%s\n", out.c_str());
  };
  line(header);
  for (const auto& r : rows) line(r);
  if (rows.empty()) std::printf("(none)\n");
}

std::string Cell(const nlohmann::json& object, const char* field) {
  if (!object.is_object() || !object.contains(field) || object[field].is_null()) return "-";
  const auto& v = object[field];
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  return v.dump();
}

Expected<std::map<std::string, std::string>> ParseTags(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> tags;
  for (const auto& p : pairs) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument("--tag expects KEY=VALUE, got '" + p + "'");
    tags[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return tags;
}

}  // namespace spacecrab::cli
