#include "enrich/tor_exit_list.h"

#include <algorithm>

namespace spacecrab::enrich {
namespace {

bool StartsWithWord(std::string_view line, std::string_view word) {
  return line.size() > word.size() && line.substr(0, word.size()) == word &&
         (line[word.size()] == ' ' || line[word.size()] == '\t');
}

// First whitespace-separated field of `s`.
std::string_view FirstField(std::string_view s) {
  s = TrimSpace(s);
  const size_t end = s.find_first_of(" \t");
  return end == std::string_view::npos ? s : s.substr(0, end);
}

}  // namespace

bool TorExitSet::Contains(const IpAddress& ip) const {
  if (ip.is_v4) return std::binary_search(v4.begin(), v4.end(), ip.v4);
  return std::binary_search(v6.begin(), v6.end(), ip.v6);
}

Expected<TorExitSet> ParseTorExitList(std::string_view text, std::string_view file_name) {
  TorExitSet set;
  LineCursor cursor(text);
  std::string_view line;
  while (cursor.Next(line)) {
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#') continue;
    std::string_view address = line;
    if (StartsWithWord(line, "ExitAddress")) {
      address = FirstField(line.substr(std::string_view("ExitAddress").size()));
    } else if (StartsWithWord(line, "ExitNode") || StartsWithWord(line, "Published") ||
               StartsWithWord(line, "LastStatus")) {
      continue;
    }
    auto ip = ParseIp(address);
    if (!ip) {
      return DataLoss("tor exit list " + std::string(file_name) + ":" + std::to_string(cursor.line_number()) +
                      ": expected an IP address or an ExitAddress line, got " + QuoteForError(line));
    }
    if (ip->is_v4) {
      set.v4.push_back(ip->v4);
    } else {
      set.v6.push_back(ip->v6);
    }
  }
  std::sort(set.v4.begin(), set.v4.end());
  set.v4.erase(std::unique(set.v4.begin(), set.v4.end()), set.v4.end());
  std::sort(set.v6.begin(), set.v6.end());
  set.v6.erase(std::unique(set.v6.begin(), set.v6.end()), set.v6.end());
  // An exit list with no exits is a broken download, not a quiet Tor network.
  if (set.size() == 0) return DataLoss("tor exit list " + std::string(file_name) + ": no addresses in file");
  return set;
}

Expected<std::unique_ptr<TorExitList>> TorExitList::Open(std::string path) {
  auto list = std::make_unique<TorExitList>(std::move(path));
  SC_RETURN_IF_ERROR(list->Reload());
  return list;
}

Status TorExitList::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  files_.MarkAttempt();
  SC_ASSIGN_OR_RETURN(std::string text, ReadDataFile(path_, "tor exit list"));
  SC_ASSIGN_OR_RETURN(TorExitSet set, ParseTorExitList(text, path_));
  set_.Set(std::make_shared<const TorExitSet>(std::move(set)));
  return Status::Ok();
}

bool TorExitList::Contains(const IpAddress& ip) const {
  auto set = set_.Get();
  return set && set->Contains(ip);
}

size_t TorExitList::size() const {
  auto set = set_.Get();
  return set ? set->size() : 0;
}

}  // namespace spacecrab::enrich
