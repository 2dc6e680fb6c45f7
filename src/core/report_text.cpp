// Report rendering as aligned text tables for a terminal. Every cell that can
// hold attacker-chosen text goes through TerminalSafe.
#include <algorithm>
#include <cstdio>

#include "core/report.h"
#include "core/report_render_util.h"

namespace spacecrab {
namespace {

using std::chrono::milliseconds;
using report_internal::Joined;
using report_internal::Percent;
using report_internal::Utf8SequenceLength;

// What a terminal may show of attacker-chosen text: control characters
// (escape sequences) replaced, invalid UTF-8 replaced, long values cut.
std::string TerminalSafe(std::string_view s, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size();) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      out += '?';
      ++i;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else {
      const size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += '?';
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
    }
    ++chars;
  }
  return out;
}

size_t DisplayWidth(std::string_view s) {
  size_t w = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++w;
  }
  return w;
}

class TextTable {
 public:
  // Columns whose header starts with '>' are right-aligned (numbers).
  explicit TextTable(std::vector<std::string> headers) {
    for (std::string& h : headers) {
      const bool right = !h.empty() && h[0] == '>';
      if (right) h.erase(0, 1);
      right_.push_back(right);
      header_.push_back(std::move(h));
    }
  }
  void Add(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  std::string Render() const {
    std::vector<size_t> width(header_.size(), 0);
    auto measure = [&](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size() && i < width.size(); ++i) width[i] = std::max(width[i], DisplayWidth(cells[i]));
    };
    measure(header_);
    for (const auto& r : rows_) measure(r);
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
      std::string l;
      for (size_t i = 0; i < header_.size(); ++i) {
        const std::string cell = i < cells.size() ? cells[i] : "";
        const std::string pad(width[i] - DisplayWidth(cell), ' ');
        if (i > 0) l += "  ";
        l += right_[i] ? pad + cell : cell + pad;
      }
      while (!l.empty() && l.back() == ' ') l.pop_back();
      out += l + "\n";
    };
    line(header_);
    for (const auto& r : rows_) line(r);
    return out;
  }

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string TextDelay(const std::optional<DelayStats>& d, milliseconds DelayStats::*field) {
  return d ? FormatDelay((*d).*field) : "-";
}

std::vector<std::string> PlacementCells(const PlacementRow& p) {
  return {TerminalSafe(p.placement, 40), std::to_string(p.planted), std::to_string(p.used), Percent(p.share_used),
          TextDelay(p.time_to_first_use, &DelayStats::min), TextDelay(p.time_to_first_use, &DelayStats::p50),
          TextDelay(p.time_to_first_use, &DelayStats::p90), TextDelay(p.time_to_first_use, &DelayStats::max),
          std::to_string(p.events), std::to_string(p.source_ips)};
}

std::string TextTop(std::string_view title, const std::vector<TopRow>& rows, bool with_detail, size_t key_width) {
  if (rows.empty()) return {};
  std::vector<std::string> headers = {std::string(title), ">EVENTS", ">TOKENS", "LAST SEEN"};
  if (with_detail) headers.push_back("DETAIL");
  TextTable table(headers);
  for (const TopRow& r : rows) {
    std::vector<std::string> cells = {TerminalSafe(r.key, key_width), std::to_string(r.events),
                                      std::to_string(r.tokens), FormatRfc3339(r.last_seen)};
    if (with_detail) cells.push_back(TerminalSafe(r.detail, 60));
    table.Add(std::move(cells));
  }
  return "\n" + table.Render();
}

}  // namespace

std::string RenderReportText(const Report& r) {
  std::string out = "Report";
  out += r.from ? "  from " + FormatRfc3339(*r.from) : "  from the beginning";
  out += r.to ? "  to " + FormatRfc3339(*r.to) : "  to now";
  out += "  (placements by " + TerminalSafe(r.group_by, 40) + ")\n";
  out += "Tokens " + std::to_string(r.tokens) + ", used " + std::to_string(r.tokens_used) + " (" +
         Percent(r.total.share_used) + "); " + std::to_string(r.events) + " events from " +
         std::to_string(r.source_ips) + " source IPs; via Tor: " + std::to_string(r.tor.events) + " events (" +
         Percent(r.tor.share) + ") from " + std::to_string(r.tor.source_ips) + " IPs on " +
         std::to_string(r.tor.tokens) + " tokens\n";

  TextTable placements({"PLACEMENT", ">PLANTED", ">USED", ">SHARE", ">TTFU MIN", ">TTFU P50", ">TTFU P90",
                        ">TTFU MAX", ">EVENTS", ">IPS"});
  for (const PlacementRow& p : r.placements) placements.Add(PlacementCells(p));
  placements.Add(PlacementCells(r.total));
  out += "\n" + placements.Render();
  out += "(TTFU: time from planting to first use)\n";

  out += TextTop("SOURCE IP", r.top_source_ips, true, 45);
  out += TextTop("COUNTRY", r.top_countries, false, 20);
  out += TextTop("NETWORK", r.top_networks, false, 50);
  out += TextTop("TOOL", r.top_tools, false, 40);
  out += TextTop("USER AGENT", r.top_user_agents, false, 90);
  out += TextTop("API CALL", r.top_api_calls, false, 60);
  out += TextTop("ERROR", r.top_error_codes, false, 40);

  if (!r.history.empty()) {
    TextTable tokens({"TOKEN", "PLACEMENT", "FIRST USE", ">TTFU", ">EVENTS", ">IPS", "PROFILE", "TOR", "TOOLS"});
    for (const TokenHistory& h : r.history) {
      tokens.Add({TerminalSafe(h.token_id, 40), TerminalSafe(h.placement, 30), FormatRfc3339(h.first_use),
                  FormatDelay(h.time_to_first_use), std::to_string(h.events), std::to_string(h.source_ips.size()),
                  h.profile, h.via_tor ? "yes" : "", TerminalSafe(Joined(h.tools), 60)});
    }
    out += "\n" + tokens.Render();
  }
  return out;
}

}  // namespace spacecrab
