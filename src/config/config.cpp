// LoadConfig: spacecrab.toml, then SPACECRAB_* environment overrides, then
// derived defaults, then validation. toml++ throws; its exceptions stay here.
#include "config/config.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "config/config_fields.h"
#include "config/config_load.h"

extern char** environ;

namespace spacecrab {
namespace {

using config_internal::Field;
using config_internal::KeyLabel;
using config_internal::Origins;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

const Field* FindField(const std::vector<Field>& fields, std::string_view section,
                       std::string_view key) {
  for (const auto& f : fields)
    if (f.section == section && f.key == key) return &f;
  return nullptr;
}

std::string KeysOf(const std::vector<Field>& fields, std::string_view section) {
  std::string out;
  for (const auto& f : fields) {
    if (f.section != section) continue;
    if (!out.empty()) out += ", ";
    out += f.key;
  }
  return out;
}

std::string Where(const std::string& file, const toml::node& node) {
  const auto line = node.source().begin.line;
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

// A TOML scalar as text: sink settings keep every value as a string.
std::optional<std::string> ScalarText(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  if (auto d = node.as_floating_point()) {
    std::ostringstream os;
    os << d->get();
    return os.str();
  }
  return std::nullopt;
}

// Sets a typed field from a TOML node, insisting on the TOML type.
std::string SetFromNode(const Field& field, const toml::node& node) {
  struct Visitor {
    const Field& field;
    const toml::node& node;
    std::string operator()(std::string*) const {
      if (!node.is_string()) return "expected a string";
      return config_internal::SetFromText(field, node.as_string()->get());
    }
    std::string operator()(int* v) const {
      if (auto i = node.as_integer()) {
        if (i->get() < std::numeric_limits<int>::min() || i->get() > std::numeric_limits<int>::max())
          return "integer out of range";
        *v = static_cast<int>(i->get());
        return "";
      }
      if (field.duration && node.is_string())
        return config_internal::SetFromText(field, node.as_string()->get());
      return field.duration ? "expected a duration string like \"1h\" or an integer of seconds"
                            : "expected an integer";
    }
    std::string operator()(size_t* v) const {
      auto i = node.as_integer();
      if (!i || i->get() < 0) return "expected a non-negative integer";
      *v = static_cast<size_t>(i->get());
      return "";
    }
    std::string operator()(bool* b) const {
      if (!node.is_boolean()) return "expected true or false";
      *b = node.as_boolean()->get();
      return "";
    }
    std::string operator()(std::vector<std::string>* list) const {
      auto arr = node.as_array();
      if (!arr) return "expected an array of strings, e.g. [\"a\", \"b\"]";
      list->clear();
      for (const auto& el : *arr) {
        if (!el.is_string()) return "expected an array of strings, e.g. [\"a\", \"b\"]";
        list->push_back(el.as_string()->get());
      }
      return "";
    }
  };
  return std::visit(Visitor{field, node}, field.target);
}

Status LoadSinks(Config& c, const toml::table& sinks, const std::string& file, Origins& origins) {
  for (const auto& [name_key, node] : sinks) {
    const std::string name(name_key.str());
    const std::string section = "sinks." + name;
    auto table = node.as_table();
    if (!table)
      return InvalidArgument(Where(file, node) + ": [sinks] " + name +
                             ": expected a table [sinks." + name + "] with a type");
    SinkConfig sink;
    sink.name = name;
    for (const auto& [k, v] : *table) {
      const std::string key(k.str());
      auto text = ScalarText(v);
      if (!text && v.is_array()) {
        // Lists (e.g. smtp recipients) are kept comma separated, as from the environment.
        std::string joined;
        for (const auto& el : *v.as_array()) {
          auto item = ScalarText(el);
          if (!item)
            return InvalidArgument(Where(file, v) + ": " + KeyLabel(section, key) +
                                   ": expected a list of plain values");
          if (!joined.empty()) joined += ",";
          joined += *item;
        }
        text = joined;
      }
      if (!text)
        return InvalidArgument(Where(file, v) + ": " + KeyLabel(section, key) +
                               ": expected a string, number or boolean");
      origins.by_label[KeyLabel(section, key)] = Where(file, v);
      if (key == "type") {
        sink.type = *text;
      } else {
        sink.settings[key] = *text;
      }
    }
    // A missing type is reported at the table's own line.
    origins.by_label.emplace(KeyLabel(section, "type"), Where(file, node));
    c.sinks.push_back(std::move(sink));
  }
  return Status::Ok();
}

// The keys of one [accounts.NAME] table.
std::vector<Field> AccountFields(AwsAccountConfig& a) {
  return {{"", "profile", &a.profile},         {"", "role_arn", &a.role_arn},
          {"", "external_id", &a.external_id}, {"", "account_id", &a.account_id},
          {"", "max_users", &a.max_users},     {"", "pool_size", &a.pool_size}};
}

std::string SetAccountKey(AwsAccountConfig& a, const std::string& key, std::string_view text) {
  auto fields = AccountFields(a);
  for (const Field& f : fields)
    if (f.key == key) return config_internal::SetFromText(f, text);
  return "unknown key (known: profile, role_arn, external_id, account_id, max_users, pool_size)";
}

AwsAccountConfig& AccountNamed(Config& c, const std::string& name) {
  for (auto& a : c.accounts)
    if (a.name == name) return a;
  c.accounts.push_back(AwsAccountConfig{});
  c.accounts.back().name = name;
  return c.accounts.back();
}

Status LoadAccounts(Config& c, const toml::table& accounts, const std::string& file,
                    Origins& origins) {
  for (const auto& [name_key, node] : accounts) {
    const std::string name(name_key.str());
    const std::string section = "accounts." + name;
    auto table = node.as_table();
    if (!table)
      return InvalidArgument(Where(file, node) + ": [accounts] " + name +
                             ": expected a table [accounts." + name + "]");
    AwsAccountConfig& account = AccountNamed(c, name);
    origins.by_label["[" + section + "]"] = Where(file, node);
    for (const auto& [k, v] : *table) {
      const std::string key(k.str());
      auto text = ScalarText(v);
      if (!text)
        return InvalidArgument(Where(file, v) + ": " + KeyLabel(section, key) +
                               ": expected a string or number");
      if (auto err = SetAccountKey(account, key, *text); !err.empty())
        return InvalidArgument(Where(file, v) + ": " + KeyLabel(section, key) + ": " + err);
      origins.by_label[KeyLabel(section, key)] = Where(file, v);
    }
  }
  return Status::Ok();
}

Status LoadFile(Config& c, const std::string& file, Origins& origins) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound(file + ": cannot read config file: " + std::strerror(errno));
  std::stringstream buf;
  buf << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(buf.str(), file);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(file + ":" + std::to_string(e.source().begin.line) + ": invalid TOML: " +
                           std::string(e.description()));
  }
  const auto fields = config_internal::ConfigFields(c);
  for (const auto& [k, node] : root) {
    const std::string name(k.str());
    if (auto table = node.as_table()) {
      if (name == config_internal::kSinksSection) {
        SC_RETURN_IF_ERROR(LoadSinks(c, *table, file, origins));
        continue;
      }
      if (name == config_internal::kAccountsSection) {
        SC_RETURN_IF_ERROR(LoadAccounts(c, *table, file, origins));
        continue;
      }
      if (!config_internal::IsKnownSection(name))
        return InvalidArgument(Where(file, node) + ": [" + name +
                               "]: unknown section (known: server, store, secrets, provider, aws, "
                               "decoy, ingest, enrich, sinks.NAME, accounts.NAME, incidents)");
      for (const auto& [kk, value] : *table) {
        const std::string key(kk.str());
        const Field* field = FindField(fields, name, key);
        if (!field)
          return InvalidArgument(Where(file, value) + ": " + KeyLabel(name, key) +
                                 ": unknown key (known in [" + name + "]: " + KeysOf(fields, name) + ")");
        if (auto err = SetFromNode(*field, value); !err.empty())
          return InvalidArgument(Where(file, value) + ": " + KeyLabel(name, key) + ": " + err);
        origins.by_label[KeyLabel(name, key)] = Where(file, value);
      }
      continue;
    }
    const Field* field = FindField(fields, "", name);
    if (!field)
      return InvalidArgument(Where(file, node) + ": " + name +
                             ": unknown top-level key (keys belong in sections like [server])");
    if (auto err = SetFromNode(*field, node); !err.empty())
      return InvalidArgument(Where(file, node) + ": " + name + ": " + err);
    origins.by_label[name] = Where(file, node);
  }
  return Status::Ok();
}

// SPACECRAB_<SECTION>_<KEY>. Variables whose section is not a config section
// (SPACECRAB_ADDR, SPACECRAB_API_KEY for the client) are not config and are
// ignored; a known section with an unknown key is a typo and an error.
Status ApplyEnvironment(Config& c, const std::map<std::string, std::string>& env, Origins& origins) {
  static constexpr std::string_view kPrefix = "SPACECRAB_";
  const auto fields = config_internal::ConfigFields(c);
  for (const auto& [var, value] : env) {
    if (var.rfind(kPrefix, 0) != 0) continue;
    const std::string rest = var.substr(kPrefix.size());
    const std::string where = "environment variable " + var;
    if (rest == "PROVIDER") {
      if (auto err = config_internal::SetFromText(*FindField(fields, "", "provider"), value); !err.empty())
        return InvalidArgument(where + ": provider: " + err);
      origins.by_label["provider"] = where;
      continue;
    }
    const auto us = rest.find('_');
    if (us == std::string::npos) continue;
    const std::string section = Lower(rest.substr(0, us));
    const std::string key = Lower(rest.substr(us + 1));
    if (!config_internal::IsKnownSection(section)) continue;
    if (section == config_internal::kSinksSection) {
      // SPACECRAB_SINKS_<NAME>_<KEY>: an existing sink's name wins (it may contain
      // underscores); otherwise NAME ends at the next underscore.
      const std::string upper_key = Upper(key);
      SinkConfig* sink = nullptr;
      std::string setting;
      for (auto& s : c.sinks) {
        const std::string prefix = Upper(s.name) + "_";
        if (upper_key.rfind(prefix, 0) == 0 && upper_key.size() > prefix.size()) {
          sink = &s;
          setting = key.substr(prefix.size());
        }
      }
      if (!sink) {
        const auto us2 = key.find('_');
        if (us2 == std::string::npos || us2 == 0 || us2 + 1 == key.size())
          return InvalidArgument(where + ": expected SPACECRAB_SINKS_<NAME>_<KEY>");
        c.sinks.push_back(SinkConfig{key.substr(0, us2), "", {}});
        sink = &c.sinks.back();
        setting = key.substr(us2 + 1);
      }
      if (setting == "type") {
        sink->type = value;
      } else {
        sink->settings[setting] = value;
      }
      origins.by_label[KeyLabel("sinks." + sink->name, setting)] = where;
      continue;
    }
    if (section == config_internal::kAccountsSection) {
      // SPACECRAB_ACCOUNTS_<NAME>_<KEY>: an existing account's name wins (it
      // may contain underscores); otherwise NAME ends at the next underscore.
      std::string name, setting;
      for (const auto& a : c.accounts) {
        const std::string prefix = Lower(a.name) + "_";
        if (key.rfind(prefix, 0) == 0 && key.size() > prefix.size()) {
          name = a.name;
          setting = key.substr(prefix.size());
        }
      }
      if (name.empty()) {
        const auto us2 = key.find('_');
        if (us2 == std::string::npos || us2 == 0 || us2 + 1 == key.size())
          return InvalidArgument(where + ": expected SPACECRAB_ACCOUNTS_<NAME>_<KEY>");
        name = key.substr(0, us2);
        setting = key.substr(us2 + 1);
      }
      const std::string label = KeyLabel("accounts." + name, setting);
      if (auto err = SetAccountKey(AccountNamed(c, name), setting, value); !err.empty())
        return InvalidArgument(where + ": " + label + ": " + err);
      origins.by_label[label] = where;
      continue;
    }
    const Field* field = FindField(fields, section, key);
    if (!field)
      return InvalidArgument(where + ": " + KeyLabel(section, key) + ": unknown key (known in [" +
                             section + "]: " + KeysOf(fields, section) + ")");
    if (auto err = config_internal::SetFromText(*field, value); !err.empty())
      return InvalidArgument(where + ": " + KeyLabel(section, key) + ": " + err);
    origins.by_label[KeyLabel(section, key)] = where;
  }
  return Status::Ok();
}

}  // namespace

namespace config_internal {
std::string Origins::Of(const std::string& label) const {
  if (auto it = by_label.find(label); it != by_label.end()) return it->second;
  return file.empty() ? "built-in defaults" : file;
}
}  // namespace config_internal

Expected<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env) {
  Config c;
  Origins origins;
  std::string file = path;
  if (file.empty()) {
    std::error_code ec;
    if (std::filesystem::exists("spacecrab.toml", ec)) file = "spacecrab.toml";
  }
  if (!file.empty()) {
    c.source_path = file;
    origins.file = file;
    SC_RETURN_IF_ERROR(LoadFile(c, file, origins));
  }
  SC_RETURN_IF_ERROR(ApplyEnvironment(c, env, origins));
  if (c.store.url.empty()) c.store.url = "sqlite:" + c.server.data_dir + "/spacecrab.db";
  // The embedded default pages to the console and keeps an alert history
  // that survives restarts (DESIGN: "console + JSON-lines alerts").
  if (c.sinks.empty()) {
    c.sinks.push_back(SinkConfig{"console", "console", {}});
    c.sinks.push_back(
        SinkConfig{"history", "jsonl", {{"path", c.server.data_dir + "/alerts.jsonl"}}});
  }
  SC_RETURN_IF_ERROR(config_internal::Validate(c, origins));
  return c;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace spacecrab
