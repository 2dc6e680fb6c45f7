#include "ingest/delivery_ledger.h"

#include <nlohmann/json.hpp>

#include <chrono>

namespace spacecrab::ingest {

Expected<DeliveryLedger> DeliveryLedger::Parse(std::string_view json, int64_t lateness_ms) {
  DeliveryLedger l(lateness_ms);
  if (json.empty()) return l;
  try {
    auto j = nlohmann::json::parse(json);
    l.max_time_ = j.at("max_time").get<int64_t>();
    l.floor_ = {j.at("floor_time").get<int64_t>(), j.at("floor").get<std::string>()};
    for (const auto& d : j.at("done")) l.done_.emplace(d.at(0).get<int64_t>(), d.at(1).get<std::string>());
  } catch (const std::exception& e) {
    return DataLoss(std::string("unreadable ingest checkpoint: ") + e.what());
  }
  return l;
}

std::string DeliveryLedger::Serialize() const {
  nlohmann::json done = nlohmann::json::array();
  for (const auto& [t, n] : done_) done.push_back({t, n});
  return nlohmann::json{{"max_time", max_time_}, {"floor_time", floor_.first}, {"floor", floor_.second}, {"done", done}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool DeliveryLedger::IsDone(int64_t t, std::string_view name) const {
  if (std::pair<int64_t, std::string_view>(t, name) <= std::pair<int64_t, std::string_view>(floor_.first, floor_.second))
    return true;
  return done_.count({t, std::string(name)}) > 0;
}

void DeliveryLedger::MarkDone(int64_t t, std::string name) {
  if (IsDone(t, name)) return;
  max_time_ = std::max(max_time_, t);
  done_.emplace(t, std::move(name));
  Compact();
}

void DeliveryLedger::Compact() {
  // Raise the floor over done files older than the lateness window, as long as
  // they are contiguous from the floor (nothing between them can be pending,
  // since everything listed so far at those times is done).
  const int64_t cutoff = max_time_ - lateness_ms_;
  while (!done_.empty() && done_.begin()->first < cutoff) {
    floor_ = *done_.begin();
    done_.erase(done_.begin());
  }
}

std::optional<int64_t> DeliveryTimeFromName(std::string_view name) {
  // Find "_YYYYMMDDTHHMMZ_".
  for (size_t i = name.find('_'); i != std::string_view::npos && i + 16 < name.size(); i = name.find('_', i + 1)) {
    std::string_view s = name.substr(i + 1, 14);
    if (s[8] != 'T' || s[13] != 'Z' || name[i + 15] != '_') continue;
    auto num = [&](size_t pos, size_t len, int& out) {
      out = 0;
      for (size_t k = pos; k < pos + len; ++k) {
        if (s[k] < '0' || s[k] > '9') return false;
        out = out * 10 + (s[k] - '0');
      }
      return true;
    };
    int y, mo, d, h, mi;
    if (!num(0, 4, y) || !num(4, 2, mo) || !num(6, 2, d) || !num(9, 2, h) || !num(11, 2, mi)) continue;
    using namespace std::chrono;
    const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
    if (!ymd.ok() || h > 23 || mi > 59) continue;
    const auto tp = sys_days{ymd} + hours{h} + minutes{mi};
    return duration_cast<milliseconds>(tp.time_since_epoch()).count();
  }
  return std::nullopt;
}

}  // namespace spacecrab::ingest
