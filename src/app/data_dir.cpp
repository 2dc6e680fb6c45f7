#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/access_key.h"

namespace spacecrab {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Unavailable(what + " " + path + ": " + std::strerror(errno));
}

// nullopt if the file does not exist.
Expected<std::optional<std::string>> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Errno("cannot read", path);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return std::optional<std::string>(buf.str());
}

}  // namespace

Status EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("cannot create data directory " + dir + ": " + ec.message());
  // It will hold the database, the secret key and the client key file.
  if (created) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (!std::filesystem::is_directory(dir, ec))
    return Unavailable("data directory " + dir + " is not a directory");
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Errno("cannot create", tmp);
  size_t written = 0;
  bool ok = ::fchmod(fd, 0600) == 0;
  while (ok && written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += size_t(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) errno = saved;
    Status s = Errno("cannot write", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return Status::Ok();
}

Expected<std::string> LoadOrCreateDecoyAccountId(const std::string& data_dir,
                                                 RandomSource& random) {
  const std::string path = data_dir + "/decoy_account_id";
  SC_ASSIGN_OR_RETURN(std::optional<std::string> existing, ReadSmallFile(path));
  if (existing) {
    std::string id = *existing;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    if (!IsValidAccountId(id))
      return DataLoss(path + " does not hold a 12-digit account id; fix or remove it");
    return id;
  }
  std::string id;
  do {
    id = RandomChars(random, 12, "0123456789");
  } while (id == "000000000000");
  SC_RETURN_IF_ERROR(WriteFileAtomically(path, id + "\n"));
  return id;
}

std::string ClientFilePath(const std::string& data_dir) { return data_dir + "/client.json"; }

Status WriteClientFile(const std::string& path, const std::string& addr,
                       const std::string& api_key) {
  return WriteFileAtomically(path,
                             nlohmann::json{{"addr", addr}, {"api_key", api_key}}.dump(2) + "\n");
}

Status UpdateClientFileAddr(const std::string& path, const std::string& addr) {
  SC_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadSmallFile(path));
  if (!text) return Status::Ok();
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return DataLoss(path + " is not a JSON object; not updating it");
  if (doc.value("addr", "") == addr) return Status::Ok();
  doc["addr"] = addr;
  return WriteFileAtomically(path, doc.dump(2) + "\n");
}

}  // namespace spacecrab
