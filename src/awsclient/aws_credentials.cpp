#include "awsclient/aws_credentials.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace spacecrab {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? std::string() : it->second;
}

// nullopt: file absent (not an error: the chain moves on).
Expected<std::optional<IniSections>> ReadIni(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<IniSections>();
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return DataLoss(fmt::format("cannot read {}", path));
  return std::optional<IniSections>(ParseAwsIni(buf.str()));
}

std::string FileFromEnv(const std::map<std::string, std::string>& env, const char* var,
                        const char* default_name) {
  std::string path = Get(env, var);
  if (path.empty()) {
    const std::string home = Get(env, "HOME");
    if (home.empty()) return "";
    path = home + "/.aws/" + default_name;
  } else if (path.rfind("~/", 0) == 0) {
    path = Get(env, "HOME") + path.substr(1);
  }
  return path;
}

Status RejectUnsupported(const std::map<std::string, std::string>& section,
                         const std::string& profile) {
  for (const char* key : {"role_arn", "source_profile", "credential_process", "sso_start_url",
                          "sso_session", "web_identity_token_file"}) {
    if (section.count(key)) {
      return FailedPrecondition(fmt::format(
          "AWS profile '{}' uses '{}', which is not supported yet: give the profile static keys "
          "or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
          profile, key));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string AwsCredentials::Redacted() const {
  const std::string id =
      access_key_id.size() > 8
          ? access_key_id.substr(0, 4) + "..." + access_key_id.substr(access_key_id.size() - 4)
          : std::string("(none)");
  return fmt::format("{} from {}{}", id, source, session_token.empty() ? "" : " (temporary)");
}

IniSections ParseAwsIni(std::string_view text) {
  IniSections out;
  std::string section;
  bool in_nested = false;  // "s3 =\n  key = value" blocks belong to the key above
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    const bool indented = !raw.empty() && std::isspace(static_cast<unsigned char>(raw[0]));
    if (indented && in_nested) continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(std::string_view(line).substr(1, line.size() - 2));
      out[section];
      in_nested = false;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    const std::string key = Lower(Trim(std::string_view(line).substr(0, eq)));
    const std::string value = Trim(std::string_view(line).substr(eq + 1));
    in_nested = value.empty();
    if (!in_nested) out[section][key] = value;
    if (end == text.size()) break;
  }
  return out;
}

std::string AwsSettings::EndpointFor(std::string_view service) const {
  auto it = service_endpoints.find(std::string(service));
  if (it != service_endpoints.end()) return it->second;
  if (!endpoint_url.empty()) return endpoint_url;
  if (service == "iam") return "https://iam.amazonaws.com";
  if (service == "sts") return "https://sts.amazonaws.com";
  return fmt::format("https://{}.{}.amazonaws.com", service, region);
}

Expected<AwsSettings> ResolveAwsSettings(const AwsSettingsOptions& options) {
  const auto& env = options.env;
  AwsSettings s;
  const std::string creds_path = FileFromEnv(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const std::string config_path = FileFromEnv(env, "AWS_CONFIG_FILE", "config");
  IniSections creds_file, config_file;
  if (!creds_path.empty()) {
    SC_ASSIGN_OR_RETURN(auto f, ReadIni(creds_path));
    if (f) creds_file = std::move(*f);
  }
  if (!config_path.empty()) {
    SC_ASSIGN_OR_RETURN(auto f, ReadIni(config_path));
    if (f) config_file = std::move(*f);
  }

  const bool explicit_profile = !options.profile.empty();
  std::string profile = options.profile;
  if (profile.empty()) profile = Get(env, "AWS_PROFILE");
  if (profile.empty()) profile = Get(env, "AWS_DEFAULT_PROFILE");
  if (profile.empty()) profile = "default";
  const std::string config_section = profile == "default" ? "default" : "profile " + profile;
  const auto* cred_sec = creds_file.count(profile) ? &creds_file.at(profile) : nullptr;
  const auto* conf_sec =
      config_file.count(config_section) ? &config_file.at(config_section) : nullptr;
  if (explicit_profile && !cred_sec && !conf_sec) {
    return NotFound(
        fmt::format("AWS profile '{}' is in neither {} nor {}", profile, creds_path, config_path));
  }

  // Credentials.
  if (!explicit_profile && !Get(env, "AWS_ACCESS_KEY_ID").empty() &&
      !Get(env, "AWS_SECRET_ACCESS_KEY").empty()) {
    s.credentials = {Get(env, "AWS_ACCESS_KEY_ID"), Get(env, "AWS_SECRET_ACCESS_KEY"),
                     Get(env, "AWS_SESSION_TOKEN"), "environment"};
  } else {
    for (const auto& [sec, where] :
         {std::pair{cred_sec, "shared credentials file"}, std::pair{conf_sec, "config file"}}) {
      if (!sec) continue;
      const std::string id = Get(*sec, "aws_access_key_id");
      const std::string secret = Get(*sec, "aws_secret_access_key");
      if (!id.empty() && !secret.empty()) {
        s.credentials = {id, secret, Get(*sec, "aws_session_token"),
                         fmt::format("{} (profile {})", where, profile)};
        s.profile = profile;
        break;
      }
      SC_RETURN_IF_ERROR(RejectUnsupported(*sec, profile));
    }
  }
  if (!s.credentials.complete()) {
    return Unauthenticated(
        fmt::format("no AWS credentials: looked at AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                    "profile '{}' in {} and {}",
                    profile, creds_path.empty() ? "(no HOME)" : creds_path,
                    config_path.empty() ? "(no HOME)" : config_path));
  }

  // Region.
  s.region = options.region;
  if (s.region.empty()) s.region = Get(env, "AWS_REGION");
  if (s.region.empty()) s.region = Get(env, "AWS_DEFAULT_REGION");
  if (s.region.empty() && conf_sec) s.region = Get(*conf_sec, "region");
  if (s.region.empty()) s.region = "us-east-1";

  // Endpoints.
  const bool ignore_configured = Lower(Get(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) == "true";
  s.endpoint_url = options.endpoint_url;
  if (!ignore_configured) {
    for (const auto& [k, v] : env) {
      static const std::string kPrefix = "AWS_ENDPOINT_URL_";
      if (k.rfind(kPrefix, 0) == 0 && !v.empty())
        s.service_endpoints[Lower(k.substr(kPrefix.size()))] = v;
    }
    if (s.endpoint_url.empty()) s.endpoint_url = Get(env, "AWS_ENDPOINT_URL");
    if (s.endpoint_url.empty() && conf_sec) s.endpoint_url = Get(*conf_sec, "endpoint_url");
  }
  if (!options.endpoint_url.empty())
    s.service_endpoints.clear();  // explicit wins for every service
  return s;
}

}  // namespace spacecrab
