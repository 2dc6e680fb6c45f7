#include "core/credential_format.h"

#include <array>

namespace spacecrab {
namespace {

constexpr std::string_view kDefaultRegion = "us-east-1";

bool OnlyChars(std::string_view s, std::string_view extra, bool lower, bool upper) {
  for (char ch : s) {
    const bool ok = (ch >= '0' && ch <= '9') || (lower && ch >= 'a' && ch <= 'z') ||
                    (upper && ch >= 'A' && ch <= 'Z') || extra.find(ch) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Key material goes unquoted into shell, INI, YAML and Dockerfiles, so it must
// be exactly the characters real AWS credentials use.
Status CheckCredentials(const Credentials& c, std::string_view region) {
  if (c.access_key_id.empty() || c.access_key_id.size() > 128 ||
      !OnlyChars(c.access_key_id, "", false, true))
    return InvalidArgument("access key id must be upper-case letters and digits");
  if (c.secret_access_key.empty() || c.secret_access_key.size() > 128 ||
      !OnlyChars(c.secret_access_key, "+/", true, true))
    return InvalidArgument("secret access key must be letters, digits, '+' and '/'");
  if (!OnlyChars(region, "-", true, false) || region.size() > 32)
    return InvalidArgument("region must be lower-case letters, digits and '-'");
  if (c.endpoint_url.size() > 512 || !OnlyChars(c.endpoint_url, ":/.-_~%?&=[]@!$()*+,;", true, true))
    return InvalidArgument("endpoint url contains characters that cannot be written safely");
  return Status::Ok();
}

struct Vars {
  const Credentials& c;
  std::string_view region;
  // The environment variables the AWS SDKs and CLI read, in order.
  std::vector<std::pair<std::string_view, std::string_view>> List() const {
    std::vector<std::pair<std::string_view, std::string_view>> v = {
        {"AWS_ACCESS_KEY_ID", c.access_key_id},
        {"AWS_SECRET_ACCESS_KEY", c.secret_access_key},
        {"AWS_DEFAULT_REGION", region}};
    if (!c.endpoint_url.empty()) v.emplace_back("AWS_ENDPOINT_URL", c.endpoint_url);
    return v;
  }
};

std::string Json(const Credentials& c, std::string_view region) {
  // The credential_process output shape: SDKs accept it as is. Every value is
  // already restricted to JSON-safe characters by CheckCredentials.
  std::string out = "{\n  \"Version\": 1,\n";
  out += "  \"AccessKeyId\": \"" + c.access_key_id + "\",\n";
  out += "  \"SecretAccessKey\": \"" + c.secret_access_key + "\",\n";
  out += "  \"Region\": \"" + std::string(region) + "\"";
  if (!c.endpoint_url.empty()) out += ",\n  \"EndpointUrl\": \"" + c.endpoint_url + "\"";
  return out + "\n}\n";
}

std::string AwsCredentials(const Credentials& c, const std::string& profile) {
  return "[" + profile + "]\naws_access_key_id = " + c.access_key_id +
         "\naws_secret_access_key = " + c.secret_access_key + "\n";
}

std::string AwsConfig(const Credentials& c, std::string_view region, const std::string& profile) {
  // In ~/.aws/config only the default profile goes without the "profile " prefix.
  std::string out = profile == "default" ? "[default]\n" : "[profile " + profile + "]\n";
  out += "region = " + std::string(region) + "\noutput = json\n";
  // endpoint_url in a profile is honoured by botocore >= 1.31 / AWS CLI v1.29 and v2.13.
  if (!c.endpoint_url.empty()) out += "endpoint_url = " + c.endpoint_url + "\n";
  out += "aws_access_key_id = " + c.access_key_id + "\n";
  out += "aws_secret_access_key = " + c.secret_access_key + "\n";
  return out;
}

std::string K8sSecret(const Vars& vars, const std::string& profile) {
  const std::string name = profile == "default" ? "aws-credentials" : profile;
  std::string out = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name +
                    "\ntype: Opaque\ndata:\n";
  for (const auto& [k, v] : vars.List()) out += "  " + std::string(k) + ": " + Base64(v) + "\n";
  return out;
}

std::string Lines(const Vars& vars, std::string_view before, std::string_view between,
                  std::string_view quote) {
  std::string out;
  for (const auto& [k, v] : vars.List()) {
    out += std::string(before) + std::string(k) + std::string(between) + std::string(quote) +
           std::string(v) + std::string(quote) + "\n";
  }
  return out;
}

constexpr std::array<std::pair<CredentialFormat, std::string_view>, 8> kFormats = {{
    {CredentialFormat::kJson, "json"},
    {CredentialFormat::kAwsCredentials, "aws-credentials"},
    {CredentialFormat::kAwsConfig, "aws-config"},
    {CredentialFormat::kCsv, "csv"},
    {CredentialFormat::kEnv, "env"},
    {CredentialFormat::kPowerShell, "powershell"},
    {CredentialFormat::kDockerfile, "dockerfile"},
    {CredentialFormat::kK8sSecret, "k8s-secret"},
}};

}  // namespace

const std::vector<std::string_view>& CredentialFormatNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& [f, name] : kFormats) v.push_back(name);
    return v;
  }();
  return names;
}

std::string_view ToString(CredentialFormat f) {
  for (const auto& [format, name] : kFormats)
    if (format == f) return name;
  return "json";
}

std::optional<CredentialFormat> ParseCredentialFormat(std::string_view name) {
  for (const auto& [format, n] : kFormats)
    if (n == name) return format;
  return std::nullopt;
}

Expected<std::string> FormatCredentials(const Credentials& credentials, std::string_view format,
                                        const CredentialFormatOptions& options) {
  auto f = ParseCredentialFormat(format);
  if (!f) {
    std::string valid;
    for (auto n : CredentialFormatNames()) valid += (valid.empty() ? "" : ", ") + std::string(n);
    return InvalidArgument("unknown credential format '" + std::string(format) +
                           "' (valid: " + valid + ")");
  }
  return FormatCredentials(credentials, *f, options);
}

Expected<std::string> FormatCredentials(const Credentials& c, CredentialFormat format,
                                        const CredentialFormatOptions& options) {
  const std::string_view region = c.region.empty() ? kDefaultRegion : std::string_view(c.region);
  SC_RETURN_IF_ERROR(CheckCredentials(c, region));
  const std::string& profile = options.profile.empty() ? std::string("default") : options.profile;
  if (profile.size() > 64 || !OnlyChars(profile, "_.-", true, true))
    return InvalidArgument("profile name must be 1-64 characters of A-Z a-z 0-9 _ . -");
  if (format == CredentialFormat::kK8sSecret && !OnlyChars(profile, ".-", true, false))
    return InvalidArgument("a Kubernetes Secret name must be lower-case letters, digits, '-' and '.'");
  const Vars vars{c, region};
  switch (format) {
    case CredentialFormat::kJson: return Json(c, region);
    case CredentialFormat::kAwsCredentials: return AwsCredentials(c, profile);
    case CredentialFormat::kAwsConfig: return AwsConfig(c, region, profile);
    case CredentialFormat::kCsv:
      return "Access key ID,Secret access key\n" + c.access_key_id + "," + c.secret_access_key + "\n";
    case CredentialFormat::kEnv: return Lines(vars, "export ", "=", "");
    case CredentialFormat::kPowerShell: return Lines(vars, "$Env:", " = ", "\"");
    case CredentialFormat::kDockerfile: return Lines(vars, "ENV ", "=", "");
    case CredentialFormat::kK8sSecret: return K8sSecret(vars, profile);
  }
  return InvalidArgument("unknown credential format");
}

}  // namespace spacecrab
