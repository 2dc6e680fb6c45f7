#include "alert/sink_settings.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/time.h"

namespace spacecrab::alert {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Small secret files only (a key, a password).
Expected<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InvalidArgument("cannot open " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[4096];
  while (out.size() <= 64 * 1024) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (out.size() > 64 * 1024) return InvalidArgument(path + ": larger than 64 KiB");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

SinkSettings::SinkSettings(const SinkConfig& config, const std::map<std::string, std::string>& env)
    : config_(config), env_(env) {}

const std::string* SinkSettings::Raw(const std::string& key) {
  used_.insert(key);
  auto it = config_.settings.find(key);
  return it == config_.settings.end() ? nullptr : &it->second;
}

void SinkSettings::Fail(const std::string& key, const std::string& why) {
  if (error_) return;
  error_ =
      InvalidArgument("sink '" + config_.name + "' (" + config_.type + "): " + key + ": " + why);
}

std::string SinkSettings::String(const std::string& key, const std::string& fallback) {
  const std::string* v = Raw(key);
  return v ? *v : fallback;
}

std::string SinkSettings::RequiredString(const std::string& key) {
  const std::string* v = Raw(key);
  if (!v || Trim(*v).empty()) {
    Fail(key, "required");
    return "";
  }
  return *v;
}

std::string SinkSettings::Secret(const std::string& key, bool required) {
  const std::string* direct = Raw(key);
  const std::string* from_env = Raw(key + "_env");
  const std::string* from_file = Raw(key + "_file");
  int given = (direct != nullptr) + (from_env != nullptr) + (from_file != nullptr);
  if (given > 1) {
    Fail(key, "give only one of " + key + ", " + key + "_env, " + key + "_file");
    return "";
  }
  std::string value;
  if (direct) value = *direct;
  if (from_env) {
    auto it = env_.find(*from_env);
    if (it == env_.end()) {
      Fail(key + "_env", "environment variable " + *from_env + " is not set");
      return "";
    }
    value = it->second;
  }
  if (from_file) {
    auto content = ReadSmallFile(*from_file);
    if (!content.ok()) {
      Fail(key + "_file", content.status().message());
      return "";
    }
    value = *content;
  }
  if (required && value.empty()) Fail(key, "required (or " + key + "_env / " + key + "_file)");
  return value;
}

int SinkSettings::Int(const std::string& key, int fallback, int min, int max) {
  const std::string* v = Raw(key);
  if (!v) return fallback;
  std::string t = Trim(*v);
  char* end = nullptr;
  errno = 0;
  long n = std::strtol(t.c_str(), &end, 10);
  if (t.empty() || *end != '\0' || errno != 0 || n < min || n > max) {
    Fail(key, "expected an integer " + std::to_string(min) + ".." + std::to_string(max) +
                  ", got '" + *v + "'");
    return fallback;
  }
  return static_cast<int>(n);
}

bool SinkSettings::Bool(const std::string& key, bool fallback) {
  const std::string* v = Raw(key);
  if (!v) return fallback;
  if (*v == "true") return true;
  if (*v == "false") return false;
  Fail(key, "expected true or false, got '" + *v + "'");
  return fallback;
}

std::chrono::milliseconds SinkSettings::Duration(const std::string& key,
                                                 std::chrono::milliseconds fallback) {
  const std::string* v = Raw(key);
  if (!v) return fallback;
  std::string t = Trim(*v);
  if (!t.empty() && t.find_first_not_of("0123456789") == std::string::npos && t.size() < 10) {
    return std::chrono::seconds(std::stol(t));  // a bare integer is seconds
  }
  if (t.size() > 2 && t.substr(t.size() - 2) == "ms" &&
      t.find_first_not_of("0123456789") == t.size() - 2 && t.size() < 12) {
    return std::chrono::milliseconds(std::stol(t.substr(0, t.size() - 2)));
  }
  auto d = ParseDuration(t);
  if (!d) {
    Fail(key, "expected a duration like \"500ms\", \"30s\", \"5m\", \"1h\", got '" + *v + "'");
    return fallback;
  }
  return *d;
}

std::vector<std::string> SinkSettings::List(const std::string& key) {
  std::vector<std::string> out;
  const std::string* v = Raw(key);
  if (!v) return out;
  size_t start = 0;
  while (start <= v->size()) {
    size_t comma = v->find(',', start);
    if (comma == std::string::npos) comma = v->size();
    std::string item = Trim(v->substr(start, comma - start));
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string SinkSettings::Choice(const std::string& key, const std::string& fallback,
                                 const std::vector<std::string>& allowed) {
  std::string v = String(key, fallback);
  for (const auto& a : allowed)
    if (a == v) return v;
  std::string all;
  for (const auto& a : allowed) all += (all.empty() ? "" : ", ") + a;
  Fail(key, "expected one of " + all + ", got '" + v + "'");
  return fallback;
}

DeliveryPolicy SinkSettings::Policy(DeliveryPolicy d) {
  d.timeout = Duration("timeout", d.timeout);
  d.retry_initial = Duration("retry_initial", d.retry_initial);
  d.retry_max = Duration("retry_max", d.retry_max);
  d.max_age = Duration("max_age", d.max_age);
  d.update_interval = Duration("update_interval", d.update_interval);
  d.workers = Int("workers", d.workers, 1, 32);
  if (d.timeout.count() <= 0) Fail("timeout", "must be positive");
  if (d.retry_initial.count() <= 0) Fail("retry_initial", "must be positive");
  if (d.retry_max < d.retry_initial) Fail("retry_max", "must be at least retry_initial");
  if (const std::string* rate = Raw("rate_limit")) {
    std::string t = Trim(*rate);
    size_t slash = t.find('/');
    std::string num = t.substr(0, slash);
    std::string per = slash == std::string::npos ? "s" : t.substr(slash + 1);
    double div = per == "s" ? 1 : per == "m" ? 60 : per == "h" ? 3600 : 0;
    bool digits =
        !num.empty() && num.find_first_not_of("0123456789") == std::string::npos && num.size() < 9;
    if (!digits || div == 0) {
      Fail("rate_limit", "expected N/s, N/m or N/h (0: unlimited), got '" + *rate + "'");
    } else {
      d.rate_per_second = std::stod(num) / div;
    }
  }
  if (config_.settings.count("send")) {
    d.kinds.clear();
    for (const auto& k : List("send")) {
      auto kind = ParseAlertKind(k);
      if (!kind) {
        Fail("send", "expected trigger, update and/or resolve, got '" + k + "'");
        break;
      }
      d.kinds.insert(*kind);
    }
    if (d.kinds.empty()) Fail("send", "names no message kind");
  }
  return d;
}

Status SinkSettings::Finish() {
  if (error_) return *error_;
  for (const auto& [key, value] : config_.settings) {
    if (!used_.count(key)) {
      Fail(key, "unknown setting for a " + config_.type + " sink");
      return *error_;
    }
  }
  return Status::Ok();
}

}  // namespace spacecrab::alert
