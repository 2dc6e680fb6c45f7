#include "cli/init_setup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/client_settings.h"
#include "core/access_key.h"
#include "crypto/hash.h"
#include "store/store_factory.h"

namespace spacecrab::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sc_init_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

InitOptions Options(const TempDir& dir) {
  InitOptions o;
  o.config_path = dir.path() + "/spacecrab.toml";
  o.data_dir = dir.path() + "/data";
  o.listen = "127.0.0.1:18080";
  return o;
}

TEST(RunInit, WritesLoadableConfigStoreKeyFileAndClientFile) {
  TempDir dir;
  OpenSslRandom random;
  auto r = RunInit(Options(dir), random);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  auto config = LoadConfig(r->config_path, {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.listen, "127.0.0.1:18080");
  EXPECT_EQ(config->server.data_dir, dir.path() + "/data");
  EXPECT_EQ(config->store.url, "sqlite:" + dir.path() + "/data/spacecrab.db");
  EXPECT_TRUE(IsValidAccountId(config->decoy.account_id));
  EXPECT_EQ(config->secrets.key_file, dir.path() + "/data/secret.key");

  EXPECT_EQ(Mode(dir.path() + "/data"), 0700u);
  EXPECT_EQ(Mode(r->key_file), 0600u);
  EXPECT_EQ(Mode(r->client_file), 0600u);
  EXPECT_FALSE(std::filesystem::exists(r->config_path + ".new"));

  // The store knows the admin key by its hash only.
  auto store = OpenStore(r->store_url);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto key = (*store)->FindApiKeyByHash(Sha256Hex(r->api_key));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->scope, ApiScope::kAdmin);
  EXPECT_EQ(key->id, r->api_key_id);
  EXPECT_NE(key->secret_hash, r->api_key);

  // The CLI finds the server and key through the config's data_dir.
  auto client = ResolveClientSettings({}, r->config_path);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ(client->addr, "http://127.0.0.1:18080");
  EXPECT_EQ(client->api_key, r->api_key);
}

TEST(RunInit, RefusesToOverwriteWithoutForce) {
  TempDir dir;
  OpenSslRandom random;
  ASSERT_TRUE(RunInit(Options(dir), random).ok());
  auto again = RunInit(Options(dir), random);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("--force"), std::string::npos);
  auto o = Options(dir);
  o.force = true;
  EXPECT_TRUE(RunInit(o, random).ok());
}

TEST(RunInit, InvalidAnswerNamesTheKeyAndWritesNothing) {
  TempDir dir;
  OpenSslRandom random;
  auto o = Options(dir);
  o.listen = "127.0.0.1:99999";
  auto r = RunInit(o, random);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("[server] listen"), std::string::npos) << r.status().message();
  EXPECT_FALSE(std::filesystem::exists(o.config_path));
  EXPECT_FALSE(std::filesystem::exists(o.config_path + ".new"));
  EXPECT_FALSE(std::filesystem::exists(o.data_dir));
}

TEST(RunInit, AwsProviderKeepsEndpointRegionAndProfile) {
  TempDir dir;
  OpenSslRandom random;
  auto o = Options(dir);
  o.provider = "aws";
  o.aws_endpoint = "http://127.0.0.1:5000";
  o.aws_region = "eu-west-1";
  o.aws_profile = "honey";
  o.trail_s3 = "s3://org-trail/AWSLogs";
  o.decoy_account_id = "123456789012";
  auto r = RunInit(o, random);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto config = LoadConfig(r->config_path, {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->provider, "aws");
  EXPECT_EQ(config->aws.endpoint_url, "http://127.0.0.1:5000");
  EXPECT_EQ(config->aws.region, "eu-west-1");
  EXPECT_EQ(config->aws.profile, "honey");
  EXPECT_EQ(config->ingest.s3, std::vector<std::string>{"s3://org-trail/AWSLogs"});
  EXPECT_EQ(config->decoy.account_id, "123456789012");
}

TEST(ClientAddress, WildcardsBecomeLoopback) {
  EXPECT_EQ(ClientAddress("0.0.0.0:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(ClientAddress("[::]:8080"), "http://[::1]:8080");
  EXPECT_EQ(ClientAddress("10.0.0.5:80"), "http://10.0.0.5:80");
}

TEST(RandomAccountId, TwelveDigitsNoLeadingZero) {
  OpenSslRandom random;
  for (int i = 0; i < 100; ++i) {
    const auto id = RandomAccountId(random);
    EXPECT_TRUE(IsValidAccountId(id)) << id;
    EXPECT_NE(id[0], '0');
  }
}

}  // namespace
}  // namespace spacecrab::cli
