#include "provider/name_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace spacecrab {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsUserNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '=' || c == ',' ||
         c == '.' || c == '@' || c == '_' || c == '-';
}

// Placeholders in a template, in order: "{a}-{b}" -> {"a", "b"}.
Expected<std::vector<std::string>> Placeholders(const std::string& tmpl) {
  std::vector<std::string> out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '}') return InvalidArgument(fmt::format("template '{}': stray '}}'", tmpl));
    if (tmpl[i] != '{') continue;
    const size_t end = tmpl.find('}', i);
    if (end == std::string::npos)
      return InvalidArgument(fmt::format("template '{}': unclosed '{{'", tmpl));
    out.push_back(tmpl.substr(i + 1, end - i - 1));
    i = end;
  }
  return out;
}

}  // namespace

bool IamNameGenerator::IsValidUserName(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), IsUserNameChar);
}

bool IamNameGenerator::IsPlausiblePath(std::string_view path) {
  if (path.empty() || path.size() > 512 || path.front() != '/' || path.back() != '/') return false;
  char prev = 0;
  for (char c : path) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/';
    if (!ok || (c == '/' && prev == '/')) return false;
    prev = c;
  }
  return true;
}

bool IamNameGenerator::LooksMachineGenerated(std::string_view text) {
  // A run of 8+ hex digits with at least two decimal digits in it: UUIDs,
  // hashes, hex ids. Words like "facade" or "deadbeef" are not flagged.
  size_t run = 0, digits = 0;
  for (char c : text) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f')) {
      ++run;
      if (l <= '9') ++digits;
      if (run >= 8 && digits >= 2) return true;
    } else {
      run = digits = 0;
    }
  }
  return false;
}

bool IamNameGenerator::ContainsForbiddenWord(std::string_view text,
                                             const std::vector<std::string>& words) {
  const std::string lower = Lower(text);
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return !w.empty() && lower.find(Lower(w)) != std::string::npos;
  });
}

Expected<IamNameGenerator> IamNameGenerator::Create(IamNameGeneratorOptions options,
                                                    RandomSource& random) {
  if (options.styles.empty()) return InvalidArgument("name generator: no styles");
  if (options.max_attempts < 2) return InvalidArgument("name generator: max_attempts must be >= 2");
  for (const auto& [list, words] : options.words) {
    if (words.empty()) return InvalidArgument(fmt::format("word list '{}' is empty", list));
    for (const auto& w : words) {
      if (w.empty() || !IsValidUserName(w) || w.size() > 32) {
        return InvalidArgument(
            fmt::format("word list '{}': '{}' is not a usable name part", list, w));
      }
      if (ContainsForbiddenWord(w, options.forbidden_words) || LooksMachineGenerated(w)) {
        return InvalidArgument(
            fmt::format("word list '{}': '{}' would give the game away", list, w));
      }
    }
  }
  auto check_template = [&](const std::string& t, bool is_path) -> Status {
    if (ContainsForbiddenWord(t, options.forbidden_words)) {
      return InvalidArgument(fmt::format("template '{}' contains a forbidden word", t));
    }
    if (is_path && (t.empty() || t.front() != '/' || t.back() != '/')) {
      return InvalidArgument(fmt::format("path template '{}' must start and end with '/'", t));
    }
    SC_ASSIGN_OR_RETURN(auto names, Placeholders(t));
    for (const auto& p : names) {
      if (p == "nn" || p == "f" || p == "l") continue;
      if (!options.words.count(p)) {
        return InvalidArgument(fmt::format("template '{}': no word list '{}'", t, p));
      }
    }
    if ((std::find(names.begin(), names.end(), "f") != names.end() &&
         !options.words.count("first")) ||
        (std::find(names.begin(), names.end(), "l") != names.end() &&
         !options.words.count("last"))) {
      return InvalidArgument(
          fmt::format("template '{}': {{f}}/{{l}} need lists 'first'/'last'", t));
    }
    return Status::Ok();
  };
  int total = 0;
  for (const auto& style : options.styles) {
    if (style.weight < 1)
      return InvalidArgument(fmt::format("style '{}': weight must be >= 1", style.name));
    if (style.user_templates.empty() || style.path_templates.empty()) {
      return InvalidArgument(fmt::format("style '{}' needs user and path templates", style.name));
    }
    for (const auto& t : style.user_templates) SC_RETURN_IF_ERROR(check_template(t, false));
    for (const auto& t : style.path_templates) SC_RETURN_IF_ERROR(check_template(t, true));
    total += style.weight;
  }
  IamNameGenerator gen(std::move(options), random);
  gen.total_weight_ = total;
  return gen;
}

IamNameGenerator::IamNameGenerator(IamNameGeneratorOptions options, RandomSource& random)
    : options_(std::move(options)), random_(&random) {}

size_t IamNameGenerator::Pick(size_t n) const {
  // Rejection sampling keeps the choice unbiased.
  const uint64_t limit = (uint64_t{1} << 32) / n * n;
  for (;;) {
    uint8_t b[4];
    random_->Fill(b);
    const uint64_t v =
        (uint64_t(b[0]) << 24) | (uint64_t(b[1]) << 16) | (uint64_t(b[2]) << 8) | b[3];
    if (v < limit) return static_cast<size_t>(v % n);
  }
}

std::string IamNameGenerator::Expand(const std::string& tmpl,
                                     std::map<std::string, std::string>& drawn) const {
  auto draw = [&](const std::string& list) -> const std::string& {
    auto it = drawn.find(list);
    if (it != drawn.end()) return it->second;
    const auto& words = options_.words.at(list);
    return drawn.emplace(list, words[Pick(words.size())]).first->second;
  };
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out.push_back(tmpl[i]);
      continue;
    }
    const size_t end = tmpl.find('}', i);  // Create() checked every brace closes
    const std::string p = tmpl.substr(i + 1, end - i - 1);
    i = end;
    if (p == "nn") {
      out += fmt::format("{:02}", 1 + Pick(24));
    } else if (p == "f") {
      out.push_back(draw("first").front());
    } else if (p == "l") {
      out.push_back(draw("last").front());
    } else {
      out += draw(p);
    }
  }
  return out;
}

bool IamNameGenerator::Acceptable(const IamIdentityName& n) const {
  return IsValidUserName(n.user_name) && IsPlausiblePath(n.path) &&
         !ContainsForbiddenWord(n.user_name, options_.forbidden_words) &&
         !ContainsForbiddenWord(n.path, options_.forbidden_words) &&
         !LooksMachineGenerated(n.user_name) && !LooksMachineGenerated(n.path);
}

Expected<IamIdentityName> IamNameGenerator::Next(
    const std::function<bool(std::string_view)>& is_taken) const {
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    size_t w = Pick(static_cast<size_t>(total_weight_));
    const IamNameStyle* style = &options_.styles.front();
    for (const auto& s : options_.styles) {
      if (w < static_cast<size_t>(s.weight)) {
        style = &s;
        break;
      }
      w -= static_cast<size_t>(s.weight);
    }
    std::map<std::string, std::string> drawn;  // one draw per list, shared by name and path
    IamIdentityName name;
    name.style = style->name;
    name.user_name = Expand(style->user_templates[Pick(style->user_templates.size())], drawn);
    name.path = Expand(style->path_templates[Pick(style->path_templates.size())], drawn);
    if (attempt >= options_.max_attempts / 2) {
      // The obvious names are taken: do what people do and number them.
      const bool person_like = name.user_name.find('-') == std::string::npos;
      name.user_name +=
          person_like ? std::to_string(2 + Pick(98)) : fmt::format("-{:02}", 2 + Pick(98));
    }
    if (!Acceptable(name)) continue;
    if (is_taken && is_taken(name.user_name)) continue;
    return name;
  }
  return ResourceExhausted(
      fmt::format("no free IAM user name after {} attempts", options_.max_attempts));
}

}  // namespace spacecrab
