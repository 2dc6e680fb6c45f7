// LoadOrCreateKeyFile (declared in secret_box.h): the at-rest encryption key
// in a file of its own, created on first start.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "crypto/secret_box.h"

namespace spacecrab {
namespace {

// Owns one file descriptor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now so the caller sees close() errors (they matter after writes).
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// errno -> Status, naming the file involved.
Status ErrnoStatus(const char* what, const std::filesystem::path& path, int err) {
  std::string msg = std::string(what) + " " + path.string() + ": " + std::strerror(err);
  if (err == EACCES || err == EPERM) return PermissionDenied(std::move(msg));
  if (err == ENOENT) return NotFound(std::move(msg));
  return Unavailable(std::move(msg));
}

constexpr size_t kMaxKeyFileSize = 4096;

// Reads the whole file; nullopt-like NotFound when absent.
Expected<std::string> ReadSmallFile(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("cannot open key file", path, errno);
  std::string data;
  char buf[512];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot read key file", path, errno);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxKeyFileSize) {
      return InvalidArgument("key file " + path.string() + " is too large to be a key");
    }
  }
  return data;
}

Expected<SecretBox> ParseKeyFile(const std::filesystem::path& path) {
  SC_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  auto box = SecretBox::FromKeyMaterial(text);
  std::fill(text.begin(), text.end(), '\0');
  if (!box.ok()) {
    return InvalidArgument("key file " + path.string() + ": " + box.status().message());
  }
  return box;
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write key file", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Writes a new key to a private temp file, then link()s it into place: the
// key file either appears complete or not at all, and link() fails with
// EEXIST instead of overwriting a key another process created meanwhile.
// Returns true if this call created the file, false if it already existed.
Expected<bool> CreateKeyFile(const std::filesystem::path& path, RandomSource& random) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return Unavailable("cannot create directory for key file " + path.string() + ": " +
                         ec.message());
    }
  }
  std::string tmpl = path.string() + ".tmp.XXXXXX";
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));  // mode 0600
  if (fd.get() < 0) return ErrnoStatus("cannot create key file", path, errno);
  const std::filesystem::path tmp = tmpl;
  struct TmpCleanup {
    const std::filesystem::path& p;
    ~TmpCleanup() { ::unlink(p.c_str()); }
  } cleanup{tmp};

  if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) {
    return ErrnoStatus("cannot chmod key file", path, errno);
  }
  std::string material = SecretBox::Generate(random).KeyMaterialHex() + "\n";
  Status written = WriteAll(fd.get(), material, path);
  std::fill(material.begin(), material.end(), '\0');
  SC_RETURN_IF_ERROR(written);
  if (::fsync(fd.get()) != 0) return ErrnoStatus("cannot sync key file", path, errno);
  if (fd.Close() != 0) return ErrnoStatus("cannot close key file", path, errno);
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return false;
    return ErrnoStatus("cannot create key file", path, errno);
  }
  return true;
}

}  // namespace

Expected<SecretBox> LoadOrCreateKeyFile(const std::filesystem::path& path, RandomSource& random) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoStatus("cannot stat key file", path, errno);
    SC_ASSIGN_OR_RETURN(bool created, CreateKeyFile(path, random));
    (void)created;  // either way the file now holds the key to use
  }
  return ParseKeyFile(path);
}

Expected<SecretBox> LoadOrCreateKeyFile(const std::filesystem::path& path) {
  OpenSslRandom random;
  return LoadOrCreateKeyFile(path, random);
}

}  // namespace spacecrab
