#include "enrich/cloud_ranges.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace spacecrab::enrich {
namespace {

using nlohmann::json;

// Services that name a whole provider rather than one of its products.
bool IsCatchAllService(std::string_view service) {
  return service == "AMAZON" || service == "AzureCloud";
}

// 1-based line of the first occurrence of `needle` in `text`, or 0.
int LineOf(std::string_view text, std::string_view needle) {
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

Status EntryError(std::string_view file_name, std::string_view text, std::string_view bad_value,
                  const std::string& json_path, std::string_view what) {
  std::string where = "cloud ranges " + std::string(file_name);
  const int line = bad_value.empty() ? 0 : LineOf(text, "\"" + std::string(bad_value) + "\"");
  if (line > 0) where += ":" + std::to_string(line);
  return DataLoss(where + ": " + json_path + ": " + std::string(what));
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// The document, or a DataLoss naming file and line of the syntax error. The
// parser's exception stays inside this function.
Expected<json> ParseJson(std::string_view text, std::string_view file_name) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const size_t at = std::min(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    return DataLoss("cloud ranges " + std::string(file_name) + ":" + std::to_string(line) + ": not valid JSON");
  }
}

}  // namespace

uint32_t CloudRangeTable::Intern(std::string_view s) {
  auto it = string_index_.find(s);
  if (it != string_index_.end()) return it->second;
  strings_.emplace_back(s);
  const auto index = static_cast<uint32_t>(strings_.size() - 1);
  string_index_.emplace(std::string(s), index);
  return index;
}

void CloudRangeTable::AddPrefix(const IpPrefix& prefix, std::string_view provider, std::string_view service,
                                std::string_view region) {
  const auto key = std::make_tuple(Intern(provider), Intern(service), Intern(region));
  auto [it, inserted] = network_index_.emplace(key, static_cast<uint32_t>(networks_.size()));
  if (inserted) networks_.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key)});
  pending_.push_back({prefix, it->second});
}

Status CloudRangeTable::AddFile(std::string_view text, std::string_view file_name) {
  SC_ASSIGN_OR_RETURN(json doc, ParseJson(text, file_name));
  if (!doc.is_object()) return DataLoss("cloud ranges " + std::string(file_name) + ": not a JSON object");
  const size_t before = pending_.size();

  auto add = [&](const std::string& path, const std::string& prefix_text,
                 std::string_view provider, const std::string& service, const std::string& region) -> Status {
    auto prefix = ParsePrefix(prefix_text);
    if (!prefix) {
      return EntryError(file_name, text, prefix_text, path, "expected a CIDR prefix, got " + QuoteForError(prefix_text));
    }
    AddPrefix(*prefix, provider, service, region);
    return Status::Ok();
  };

  if (doc.contains("values") && doc["values"].is_array()) {  // Azure service tags
    const json& values = doc["values"];
    for (size_t i = 0; i < values.size(); ++i) {
      const json& v = values[i];
      const std::string path = "values[" + std::to_string(i) + "]";
      if (!v.is_object() || !v.contains("properties") || !v["properties"].is_object()) {
        return EntryError(file_name, text, {}, path, "expected an object with properties");
      }
      const json& props = v["properties"];
      std::string service = StringField(props, "systemService");
      const std::string name = StringField(v, "name");
      if (service.empty()) service = name.substr(0, name.find('.'));
      const std::string region = StringField(props, "region");
      auto it = props.find("addressPrefixes");
      if (it == props.end() || !it->is_array()) {
        return EntryError(file_name, text, name, path + ".properties.addressPrefixes", "expected an array");
      }
      for (size_t j = 0; j < it->size(); ++j) {
        const json& p = (*it)[j];
        const std::string ppath = path + ".properties.addressPrefixes[" + std::to_string(j) + "]";
        if (!p.is_string()) return EntryError(file_name, text, {}, ppath, "expected a string");
        SC_RETURN_IF_ERROR(add(ppath, p.get<std::string>(), "azure", service, region.empty() ? "global" : region));
      }
    }
  } else if (doc.contains("prefixes") && doc["prefixes"].is_array()) {  // AWS or Google Cloud
    const bool aws = doc.contains("ipv6_prefixes") || doc.contains("createDate");
    for (const char* list : {"prefixes", "ipv6_prefixes"}) {
      if (!doc.contains(list)) continue;
      const json& entries = doc[list];
      if (!entries.is_array()) return EntryError(file_name, text, {}, list, "expected an array");
      for (size_t i = 0; i < entries.size(); ++i) {
        const json& e = entries[i];
        const std::string path = std::string(list) + "[" + std::to_string(i) + "]";
        if (!e.is_object()) return EntryError(file_name, text, {}, path, "expected an object");
        std::string prefix_text;
        std::string key;
        for (const char* k : {"ip_prefix", "ipv6_prefix", "ipv4Prefix", "ipv6Prefix"}) {
          if (e.contains(k)) {
            prefix_text = StringField(e, k);
            key = k;
            break;
          }
        }
        if (key.empty()) return EntryError(file_name, text, {}, path, "no ip_prefix/ipv6_prefix/ipv4Prefix/ipv6Prefix");
        const bool entry_is_aws = aws || key == "ip_prefix" || key == "ipv6_prefix";
        const std::string region = StringField(e, entry_is_aws ? "region" : "scope");
        SC_RETURN_IF_ERROR(add(path + "." + key, prefix_text, entry_is_aws ? "aws" : "gcp",
                               StringField(e, "service"), region));
      }
    }
  } else {
    return DataLoss("cloud ranges " + std::string(file_name) +
                    ": not an AWS ip-ranges.json, Google cloud.json or Azure ServiceTags document");
  }
  if (pending_.size() == before) return DataLoss("cloud ranges " + std::string(file_name) + ": no prefixes in file");
  return Status::Ok();
}

void CloudRangeTable::Finish() {
  // Merge prefixes listed more than once; the specific service wins, then the
  // first listed.
  std::stable_sort(pending_.begin(), pending_.end(), [](const PendingPrefix& a, const PendingPrefix& b) {
    if (a.prefix.first.is_v4 != b.prefix.first.is_v4) return a.prefix.first.is_v4;
    if (a.prefix.first.is_v4 && a.prefix.first.v4 != b.prefix.first.v4) return a.prefix.first.v4 < b.prefix.first.v4;
    if (!a.prefix.first.is_v4 && a.prefix.first.v6 != b.prefix.first.v6) return a.prefix.first.v6 < b.prefix.first.v6;
    return a.prefix.length < b.prefix.length;
  });
  std::vector<PrefixTable<uint32_t, uint32_t>::Prefix> v4;
  std::vector<PrefixTable<Ip128, uint32_t>::Prefix> v6;
  for (size_t i = 0; i < pending_.size();) {
    size_t j = i;
    uint32_t chosen = pending_[i].network;
    while (j < pending_.size() && pending_[j].prefix.first == pending_[i].prefix.first &&
           pending_[j].prefix.length == pending_[i].prefix.length) {
      const bool chosen_generic = IsCatchAllService(strings_[networks_[chosen].service]);
      if (chosen_generic && !IsCatchAllService(strings_[networks_[pending_[j].network].service])) {
        chosen = pending_[j].network;
      }
      ++j;
    }
    const IpPrefix& p = pending_[i].prefix;
    if (p.first.is_v4) {
      v4.push_back({p.first.v4, LastOfPrefix(p.first.v4, p.length), p.length, chosen});
    } else {
      v6.push_back({p.first.v6, LastOfPrefix(p.first.v6, p.length), p.length, chosen});
    }
    i = j;
  }
  pending_ = {};
  string_index_.clear();
  network_index_.clear();
  v4_ = PrefixTable<uint32_t, uint32_t>(std::move(v4));
  v6_ = PrefixTable<Ip128, uint32_t>(std::move(v6));
}

std::optional<CloudMatch> CloudRangeTable::Find(const IpAddress& ip) const {
  uint32_t network = 0;
  IpPrefix prefix;
  if (ip.is_v4) {
    const auto* p = v4_.Find(ip.v4);
    if (p == nullptr) return std::nullopt;
    network = p->value;
    prefix.first.is_v4 = true;
    prefix.first.v4 = p->first;
    prefix.length = p->length;
  } else {
    const auto* p = v6_.Find(ip.v6);
    if (p == nullptr) return std::nullopt;
    network = p->value;
    prefix.first.is_v4 = false;
    prefix.first.v6 = p->first;
    prefix.length = p->length;
  }
  const Network& n = networks_[network];
  return CloudMatch{strings_[n.provider], strings_[n.service], strings_[n.region], FormatPrefix(prefix)};
}

Expected<std::unique_ptr<CloudRanges>> CloudRanges::Open(std::vector<std::string> paths) {
  if (paths.empty()) return InvalidArgument("cloud ranges: no file configured");
  auto ranges = std::make_unique<CloudRanges>(std::move(paths));
  SC_RETURN_IF_ERROR(ranges->Reload());
  return ranges;
}

Status CloudRanges::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  files_.MarkAttempt();
  auto table = std::make_shared<CloudRangeTable>();
  for (const std::string& path : files_.paths()) {
    SC_ASSIGN_OR_RETURN(std::string text, ReadDataFile(path, "cloud ranges"));
    SC_RETURN_IF_ERROR(table->AddFile(text, path));
  }
  table->Finish();
  table_.Set(std::move(table));
  return Status::Ok();
}

std::optional<CloudMatch> CloudRanges::Find(const IpAddress& ip) const {
  auto table = table_.Get();
  if (!table) return std::nullopt;
  return table->Find(ip);
}

size_t CloudRanges::size() const {
  auto table = table_.Get();
  return table ? table->size() : 0;
}

}  // namespace spacecrab::enrich
