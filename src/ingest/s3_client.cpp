#include "ingest/s3_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace spacecrab::ingest {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Env(const std::map<std::string, std::string>& env, const std::string& k) {
  auto it = env.find(k);
  return it == env.end() ? "" : it->second;
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    const size_t semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (!ent.empty() && ent[0] == '#') {
      const long cp = ent.size() > 1 && ent[1] == 'x' ? std::strtol(std::string(ent.substr(2)).c_str(), nullptr, 16)
                                                       : std::strtol(std::string(ent.substr(1)).c_str(), nullptr, 10);
      if (cp > 0 && cp < 0x80) out.push_back(char(cp));
      else out.append(s.substr(i, semi - i + 1));  // leave non-ASCII refs as written
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// Every <tag>...</tag> inside `xml` from `from`, in order.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  for (size_t i = xml.find(open); i != std::string_view::npos; i = xml.find(open, i)) {
    const size_t b = i + open.size();
    const size_t e = xml.find(close, b);
    if (e == std::string_view::npos) break;
    out.push_back(xml.substr(b, e - b));
    i = e + close.size();
  }
  return out;
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<std::pair<std::string*, size_t>*>(user);
  if (sink->first->size() + size * n > sink->second) return 0;  // aborts: over the limit
  sink->first->append(data, size * n);
  return size * n;
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'))
      out.push_back(char(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string CanonicalQuery(const std::map<std::string, std::string>& params) {
  // Sorted (std::map) and RFC 3986-encoded, except that '/' and ':' stay raw:
  // curl 7.88 percent-encodes those two itself when it builds the canonical
  // request (so AWS sees "%2F"), while a pre-encoded "%2F" is signed as is but
  // double-encoded by moto's verifier (botocore quotes the raw URL again) —
  // boto3's own ListObjectsV2 with Delimiter="/" fails against moto 5 for that
  // reason. Raw '/' and ':' are legal in a query and verify on both.
  std::string q;
  for (const auto& [k, v] : params) {
    if (!q.empty()) q += '&';
    q += UriEncode(k, false) + "=";
    for (char c : v) q += (c == '/' || c == ':') ? std::string(1, c) : UriEncode(std::string_view(&c, 1), false);
  }
  return q;
}

Expected<S3ListPage> ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos)
    return DataLoss("ListObjectsV2: unexpected response: " + std::string(xml.substr(0, 200)));
  S3ListPage page;
  for (std::string_view c : Elements(xml, "Contents")) {
    auto keys = Elements(c, "Key");
    auto sizes = Elements(c, "Size");
    if (keys.empty()) continue;
    page.objects.push_back({XmlUnescape(keys[0]), sizes.empty() ? 0 : std::strtoull(std::string(sizes[0]).c_str(), nullptr, 10)});
  }
  for (std::string_view cp : Elements(xml, "CommonPrefixes"))
    for (std::string_view p : Elements(cp, "Prefix")) page.common_prefixes.push_back(XmlUnescape(p));
  auto truncated = Elements(xml, "IsTruncated");
  auto token = Elements(xml, "NextContinuationToken");
  if (!truncated.empty() && truncated[0] == "true") {
    if (token.empty()) return DataLoss("ListObjectsV2: truncated listing without a continuation token");
    page.next_continuation_token = XmlUnescape(token[0]);
  }
  return page;
}

Expected<AwsCredentials> LoadAwsCredentials(const std::string& profile_opt,
                                            const std::map<std::string, std::string>& env) {
  AwsCredentials c{Env(env, "AWS_ACCESS_KEY_ID"), Env(env, "AWS_SECRET_ACCESS_KEY"), Env(env, "AWS_SESSION_TOKEN")};
  if (!c.access_key_id.empty() && !c.secret_access_key.empty()) return c;
  std::string file = Env(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) file = Env(env, "HOME") + "/.aws/credentials";
  std::string profile = !profile_opt.empty() ? profile_opt : Env(env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::ifstream in(file);
  if (!in) return Unauthenticated("no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or create " + file);
  std::string line, section;
  c = {};
  while (std::getline(in, line)) {
    const std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      section = Trim(std::string_view(t).substr(1, t.size() - 2));
      continue;
    }
    if (section != profile) continue;
    const size_t eq = t.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = Trim(std::string_view(t).substr(0, eq)), v = Trim(std::string_view(t).substr(eq + 1));
    if (k == "aws_access_key_id") c.access_key_id = v;
    else if (k == "aws_secret_access_key") c.secret_access_key = v;
    else if (k == "aws_session_token") c.session_token = v;
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return Unauthenticated("no AWS credentials for profile '" + profile + "' in " + file);
  return c;
}

S3ClientOptions S3ClientOptionsFromConfig(const Config& config) {
  S3ClientOptions o;
  o.endpoint_url = config.aws.endpoint_url;
  o.region = config.aws.region.empty() ? "us-east-1" : config.aws.region;
  o.profile = config.aws.profile;
  return o;
}

void S3Client::CurlDeleter::operator()(void* h) const { curl_easy_cleanup(static_cast<CURL*>(h)); }

S3Client::S3Client(S3ClientOptions options) : o_(std::move(options)), curl_(curl_easy_init()) {}
S3Client::~S3Client() = default;

Expected<std::unique_ptr<S3Client>> S3Client::Create(S3ClientOptions options) {
  if (options.credentials.access_key_id.empty()) {
    std::map<std::string, std::string> env;
    for (const char* k : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                          "AWS_SHARED_CREDENTIALS_FILE", "HOME"})
      if (const char* v = std::getenv(k)) env[k] = v;
    SC_ASSIGN_OR_RETURN(options.credentials, LoadAwsCredentials(options.profile, env));
  }
  while (!options.endpoint_url.empty() && options.endpoint_url.back() == '/') options.endpoint_url.pop_back();
  std::unique_ptr<S3Client> c(new S3Client(std::move(options)));
  if (!c->curl_) return Internal("curl_easy_init failed");
  return c;
}

std::string S3Client::Url(const std::string& bucket, const std::string& key, const std::string& query) const {
  std::string url = o_.endpoint_url.empty()
                        ? fmt::format("https://{}.s3.{}.amazonaws.com/{}", bucket, o_.region, UriEncode(key, true))
                        : fmt::format("{}/{}/{}", o_.endpoint_url, bucket, UriEncode(key, true));
  if (!query.empty()) url += "?" + query;
  return url;
}

Expected<S3Client::Response> S3Client::Send(const std::string& url, size_t max_bytes) {
  CURL* h = static_cast<CURL*>(curl_.get());
  curl_easy_reset(h);
  Response r;
  std::pair<std::string*, size_t> sink{&r.body, max_bytes};
  const std::string sigv4 = "aws:amz:" + o_.region + ":s3";
  const std::string userpwd = o_.credentials.access_key_id + ":" + o_.credentials.secret_access_key;
  curl_slist* headers = nullptr;
  // S3 requires the payload hash header; curl 7.88 signs it when present.
  headers = curl_slist_append(headers, "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  if (!o_.credentials.session_token.empty())
    headers = curl_slist_append(headers, ("x-amz-security-token: " + o_.credentials.session_token).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(h, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, o_.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_WRITE_ERROR && r.body.size() >= max_bytes - 1)
    return ResourceExhausted("object larger than " + std::to_string(max_bytes) + " bytes");
  if (rc != CURLE_OK) return Unavailable(std::string("S3 request failed: ") + curl_easy_strerror(rc));
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

Expected<S3Client::Response> S3Client::SendWithRetry(const std::string& url, size_t max_bytes) {
  Status last = Unavailable("no attempt made");
  for (int attempt = 0; attempt < std::max(1, o_.attempts); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    auto r = Send(url, max_bytes);
    if (!r.ok()) {
      if (r.status().code() != StatusCode::kUnavailable) return r.status();
      last = r.status();
      continue;
    }
    if (r->status == 200) return r;
    const std::string what = fmt::format("S3 answered HTTP {}: {}", r->status, r->body.substr(0, 300));
    if (r->status == 403) return PermissionDenied(what);
    if (r->status == 404) return NotFound(what);
    if (r->status == 429 || r->status >= 500 || r->body.find("SlowDown") != std::string::npos) {
      last = Unavailable(what);
      continue;
    }
    return InvalidArgument(what);
  }
  return last;
}

Expected<S3ListPage> S3Client::ListObjectsV2(const S3ListRequest& q) {
  std::map<std::string, std::string> params{{"list-type", "2"}, {"max-keys", std::to_string(q.max_keys)}};
  if (!q.prefix.empty()) params["prefix"] = q.prefix;
  if (!q.delimiter.empty()) params["delimiter"] = q.delimiter;
  if (!q.start_after.empty()) params["start-after"] = q.start_after;
  if (!q.continuation_token.empty()) params["continuation-token"] = q.continuation_token;
  SC_ASSIGN_OR_RETURN(Response r, SendWithRetry(Url(q.bucket, "", CanonicalQuery(params)), 64u << 20));
  return ParseListObjectsV2(r.body);
}

Expected<std::string> S3Client::GetObject(const std::string& bucket, const std::string& key, size_t max_bytes) {
  SC_ASSIGN_OR_RETURN(Response r, SendWithRetry(Url(bucket, key, ""), max_bytes + 1));
  return std::move(r.body);
}

}  // namespace spacecrab::ingest
