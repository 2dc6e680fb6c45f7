#include "cli/client_settings.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace spacecrab::cli {
namespace {

std::string Get(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

// Reads a client file; a missing file is not an error (nothing to fill in).
Status ReadClientFile(const std::string& path, ClientSettings& into) {
  std::ifstream in(path);
  if (!in) return Status::Ok();
  std::stringstream buf;
  buf << in.rdbuf();
  auto doc = nlohmann::json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return InvalidArgument(path + ": not a JSON object");
  for (const auto& [field, target] :
       {std::pair{"addr", &into.addr}, std::pair{"api_key", &into.api_key}}) {
    if (!doc.contains(field)) continue;
    if (!doc[field].is_string()) return InvalidArgument(path + ": " + field + " must be a string");
    if (target->empty()) *target = doc[field].get<std::string>();
  }
  return Status::Ok();
}

}  // namespace

std::string ClientFilePath(const std::string& data_dir) { return data_dir + "/client.json"; }

Expected<ClientSettings> ResolveClientSettings(const std::map<std::string, std::string>& env,
                                               const std::string& config_path) {
  ClientSettings s{Get(env, "SPACECRAB_ADDR"), Get(env, "SPACECRAB_API_KEY")};
  std::string tried;
  if (s.addr.empty() || s.api_key.empty()) {
    std::string file = Get(env, "SPACECRAB_CLIENT_FILE");
    if (file.empty()) {
      auto config = LoadConfig(config_path, env);
      if (!config.ok()) return config.status();
      file = ClientFilePath(config->server.data_dir);
    }
    tried = ", nor in " + file;
    SC_RETURN_IF_ERROR(ReadClientFile(file, s));
  }
  if (s.addr.empty())
    return FailedPrecondition("no server address: SPACECRAB_ADDR is not set" + tried);
  if (s.api_key.empty())
    return FailedPrecondition("no API key: SPACECRAB_API_KEY is not set" + tried);
  if (!IsSaneHttpUrl(s.addr))
    return InvalidArgument("server address must be an http:// or https:// URL, got '" + s.addr + "'");
  return s;
}

Status WriteClientFile(const std::string& path, const ClientSettings& settings) {
  const std::string tmp = path + ".tmp";
  const std::string text =
      nlohmann::json{{"addr", settings.addr}, {"api_key", settings.api_key}}.dump(2) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Unavailable("cannot write " + path + ": " + std::strerror(written ? errno : saved));
  }
  return Status::Ok();
}

}  // namespace spacecrab::cli
