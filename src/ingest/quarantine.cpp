#include "ingest/quarantine.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace spacecrab::ingest {
namespace {

std::string SafeName(std::string_view name) {
  std::string out;
  for (char c : name.substr(name.size() > 120 ? name.size() - 120 : 0))
    out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_');
  return out.empty() ? "input" : out;
}

void LogItem(const QuarantineItem& item) {
  spdlog::warn("ingest: quarantined {} {} ({}): {}", item.source, item.name,
               BadInputLabel(item.kind), item.reason);
}

}  // namespace

void LogOnlyQuarantine::Put(const QuarantineItem& item) { LogItem(item); }

void DirectoryQuarantine::Put(const QuarantineItem& item) {
  LogItem(item);
  std::lock_guard lock(mu_);
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o_.dir, ec);
  const std::string stamp = FormatRfc3339(o_.clock->Now());
  const std::string base = fmt::format("{}/{}-{}-{}", o_.dir, ToUnixMillis(o_.clock->Now()), ++seq_,
                                       SafeName(item.name));
  nlohmann::json j = {{"source", item.source},     {"name", item.name},
                      {"kind", BadInputLabel(item.kind)}, {"reason", item.reason},
                      {"bytes", item.bytes.size()}, {"time", stamp}};
  std::ofstream reason(base + ".reason.json");
  reason << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  if (!reason) spdlog::error("ingest: cannot write quarantine note {}.reason.json", base);
  if (!item.bytes.empty() && item.bytes.size() <= o_.max_copy_bytes) {
    std::ofstream copy(base + ".bin", std::ios::binary);
    copy.write(item.bytes.data(), std::streamsize(item.bytes.size()));
    if (!copy) spdlog::error("ingest: cannot write quarantine copy {}.bin", base);
  }
}

}  // namespace spacecrab::ingest
