#include "cli/token_output.h"

#include <cstdio>

#include "cli/client_command.h"
#include "core/credential_format.h"

namespace spacecrab::cli {
namespace {

std::string Str(const nlohmann::json& o, const char* field) {
  if (o.is_object() && o.contains(field) && o[field].is_string()) return o[field].get<std::string>();
  return "";
}

std::string TagsText(const nlohmann::json& token) {
  if (!token.contains("tags") || !token["tags"].is_object()) return "-";
  std::string out;
  for (const auto& [k, v] : token["tags"].items())
    out += (out.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  return out.empty() ? "-" : out;
}

}  // namespace

nlohmann::json IssuedItems(const nlohmann::json& response) {
  if (response.is_object() && response.contains("items") && response["items"].is_array())
    return response["items"];
  if (response.is_object() && response.contains("credentials"))
    return nlohmann::json::array({response});
  return nlohmann::json::array();
}

Expected<std::string> RenderIssued(const nlohmann::json& items, const std::string& format,
                                   const std::string& profile) {
  const auto f = ParseCredentialFormat(format);
  if (!f) return FormatCredentials(Credentials{}, format).status();
  std::string out;
  int n = 0;
  const bool json_array = *f == CredentialFormat::kJson && items.size() > 1;
  for (const auto& item : items) {
    const auto& c = item.contains("credentials") ? item["credentials"] : nlohmann::json::object();
    const Credentials creds{Str(c, "access_key_id"), Str(c, "secret_access_key"),
                            Str(c, "endpoint_url"), Str(c, "region")};
    ++n;
    // The default Secret name is "aws-credentials"; number from that, not from "default".
    const std::string base =
        *f == CredentialFormat::kK8sSecret && profile == "default" ? "aws-credentials" : profile;
    const std::string name = n == 1 ? base : base + "-" + std::to_string(n);
    SC_ASSIGN_OR_RETURN(std::string text, FormatCredentials(creds, *f, {name}));
    if (n > 1) {
      if (*f == CredentialFormat::kCsv) {
        text = text.substr(text.find('\n') + 1);  // one header for the whole file
      } else if (*f == CredentialFormat::kK8sSecret) {
        out += "---\n";
      } else if (*f == CredentialFormat::kJson) {
        out.back() = ',';  // "}\n" -> "}," : the documents become one array
        out += "\n";
      } else {
        out += "\n";
      }
    }
    out += text;
  }
  if (n == 0) return DataLoss("the server's answer carried no credentials");
  return json_array ? "[\n" + out + "]\n" : out;
}

void PrintIssued(const nlohmann::json& items) {
  for (const auto& item : items) {
    const auto& t = item.contains("token") ? item["token"] : nlohmann::json::object();
    const auto& c = item.contains("credentials") ? item["credentials"] : nlohmann::json::object();
    std::printf("%s  %s  %s\n", Cell(t, "id").c_str(), Cell(t, "kind").c_str(),
                Cell(t, "location").c_str());
    std::printf("  access_key_id:     %s\n", Cell(c, "access_key_id").c_str());
    std::printf("  secret_access_key: %s\n", Cell(c, "secret_access_key").c_str());
    if (!Str(c, "endpoint_url").empty())
      std::printf("  endpoint_url:      %s\n", Str(c, "endpoint_url").c_str());
  }
  std::fprintf(stderr, "The secret is shown only now; plant it and do not keep a copy.\n");
}

void PrintToken(const nlohmann::json& t) {
  static constexpr const char* kFields[] = {
      "id", "kind", "status", "access_key_id", "account_id", "user_name", "arn", "location",
      "owner", "notes", "created_at", "issued_at", "planted_at", "expires_at", "first_used_at",
      "last_used_at", "event_count", "rotated_from", "replaced_by"};
  for (const char* f : kFields) {
    if (!t.contains(f)) continue;
    std::printf("%-14s %s\n", (std::string(f) + ":").c_str(), Cell(t, f).c_str());
  }
  std::printf("%-14s %s\n", "tags:", TagsText(t).c_str());
}

void PrintTokenTable(const nlohmann::json& tokens) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : tokens) {
    rows.push_back({Cell(t, "id"), Cell(t, "status"), Cell(t, "kind"), Cell(t, "access_key_id"),
                    Cell(t, "location"), Cell(t, "owner"), Cell(t, "created_at"),
                    Cell(t, "last_used_at"), Cell(t, "event_count")});
  }
  PrintTable({"ID", "STATUS", "KIND", "ACCESS KEY", "LOCATION", "OWNER", "CREATED", "LAST USED",
              "EVENTS"},
             rows);
}

}  // namespace spacecrab::cli
