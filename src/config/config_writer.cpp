// RenderConfigToml: writes a Config back as spacecrab.toml (used by `init`).
#include <cstdio>
#include <string>

#include "config/config.h"
#include "config/config_fields.h"

namespace spacecrab {
namespace {

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (ch < 0x20 || ch == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", ch);
          out += buf;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out + "\"";
}

// Sink settings are kept as text; write numbers and booleans back unquoted so
// the file reads naturally (the loader turns them back into the same text).
std::string SettingValue(const std::string& v) {
  if (v == "true" || v == "false") return v;
  if (!v.empty() && v.size() < 18 && v.find_first_not_of("0123456789") == std::string::npos &&
      (v.size() == 1 || v[0] != '0'))
    return v;
  return Quote(v);
}

// Sink names are TOML keys: bare when they can be.
std::string KeyName(const std::string& k) {
  if (!k.empty() && k.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                        std::string::npos)
    return k;
  return Quote(k);
}

struct ValueText {
  std::string operator()(const std::string* s) const { return Quote(*s); }
  std::string operator()(const int* v) const { return std::to_string(*v); }
  std::string operator()(const size_t* v) const { return std::to_string(*v); }
  std::string operator()(const bool* b) const { return *b ? "true" : "false"; }
  std::string operator()(const std::vector<std::string>* list) const {
    std::string out = "[";
    for (size_t i = 0; i < list->size(); ++i) out += (i ? ", " : "") + Quote((*list)[i]);
    return out + "]";
  }
};

}  // namespace

std::string RenderConfigToml(const Config& config) {
  Config copy = config;  // ConfigFields hands out mutable pointers; we only read.
  const auto fields = config_internal::ConfigFields(copy);
  std::string out =
      "# spacecrab configuration. Every key can be overridden by an environment\n"
      "# variable SPACECRAB_<SECTION>_<KEY>, e.g. SPACECRAB_SERVER_LISTEN.\n\n";
  out += "provider = " + Quote(config.provider) + "\n";
  std::string_view section;
  for (const auto& f : fields) {
    if (f.section.empty() || f.section == "provider") continue;  // written above
    if (f.section != section) {
      section = f.section;
      out += "\n[" + std::string(section) + "]\n";
    }
    out += std::string(f.key) + " = " + std::visit(ValueText{}, f.target) + "\n";
  }
  for (const auto& sink : config.sinks) {
    out += "\n[sinks." + KeyName(sink.name) + "]\ntype = " + Quote(sink.type) + "\n";
    for (const auto& [k, v] : sink.settings) out += KeyName(k) + " = " + SettingValue(v) + "\n";
  }
  for (const auto& a : config.accounts) {
    out += "\n[accounts." + KeyName(a.name) + "]\n";
    for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"profile", &a.profile},
                               {"role_arn", &a.role_arn},
                               {"external_id", &a.external_id},
                               {"account_id", &a.account_id}})
      if (!v->empty()) out += std::string(k) + " = " + Quote(*v) + "\n";
    if (a.max_users >= 0) out += "max_users = " + std::to_string(a.max_users) + "\n";
    if (a.pool_size >= 0) out += "pool_size = " + std::to_string(a.pool_size) + "\n";
  }
  return out;
}

}  // namespace spacecrab
