#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "config/config_test_util.h"

namespace spacecrab {
namespace {

using testing::TempConfigFile;

TEST(LoadConfig, NoFileGivesEmbeddedDefaults) {
  TempConfigFile dir("");  // an empty cwd: no ./spacecrab.toml to pick up
  const auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir.dir());
  std::filesystem::remove(dir.path());
  auto c = LoadConfig("", {});
  std::filesystem::current_path(old);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source_path, "");
  EXPECT_EQ(c->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c->server.data_dir, "./data");
  EXPECT_EQ(c->store.url, "sqlite:./data/spacecrab.db");
  EXPECT_EQ(c->provider, "decoy");
  EXPECT_TRUE(c->decoy.enabled);
  EXPECT_EQ(c->incidents.window_seconds, 3600);
  ASSERT_EQ(c->sinks.size(), 2u);
  EXPECT_EQ(c->sinks[0].type, "console");
  EXPECT_EQ(c->sinks[1].type, "jsonl");
  EXPECT_EQ(c->sinks[1].settings.at("path"), "./data/alerts.jsonl");
  EXPECT_TRUE(c->incidents.allow_source_cidrs.empty());
  EXPECT_EQ(c->incidents.enumeration_min_actions, 3);
}

TEST(LoadConfig, EmptyPathPicksSpacecrabTomlInWorkingDirectory) {
  TempConfigFile f("[server]\nlisten = \"127.0.0.1:9999\"\n");
  const auto old = std::filesystem::current_path();
  std::filesystem::current_path(f.dir());
  auto c = LoadConfig("", {});
  std::filesystem::current_path(old);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source_path, "spacecrab.toml");
  EXPECT_EQ(c->server.listen, "127.0.0.1:9999");
}

TEST(LoadConfig, ReadsEverySection) {
  TempConfigFile f(R"(
provider = "aws"
[server]
listen = "0.0.0.0:0"
data_dir = "/var/lib/sc"
public_url = "https://sc.example.com"
max_body_bytes = 65536
threads = 4
[store]
url = "postgresql://db.example.com/sc"
[secrets]
key_file = "/etc/sc/key"
[aws]
endpoint_url = "http://127.0.0.1:5000"
region = "eu-west-2"
profile = "honey"
accounts = ["111111111111", "222222222222"]
[decoy]
enabled = false
listen = "[::1]:8443"
account_id = "123456789012"
endpoint_url = "https://api.example.net"
tls_cert = "/c.pem"
tls_key = "/k.pem"
[ingest]
s3 = ["s3://trail-bucket/AWSLogs/"]
watch_dirs = ["/var/log/ct"]
poll_seconds = 30
max_file_bytes = 2048
max_record_bytes = 4096
[enrich]
tor_exit_list = "/t"
geoip_db = "/g.mmdb"
geoip_v4 = "/v4"
geoip_v6 = "/v6"
cloud_ranges = "/ip-ranges.json"
[incidents]
window = "2h"
[sinks.pd]
type = "pagerduty"
routing_key = "abc"
timeout_seconds = 5
verify_tls = true
[sinks.mail]
type = "smtp"
to = ["a@example.com", "b@example.com"]
)");
  auto c = LoadConfig(f.path(), {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source_path, f.path());
  EXPECT_EQ(c->provider, "aws");
  EXPECT_EQ(c->server.listen, "0.0.0.0:0");
  EXPECT_EQ(c->server.data_dir, "/var/lib/sc");
  EXPECT_EQ(c->server.public_url, "https://sc.example.com");
  EXPECT_EQ(c->server.max_body_bytes, 65536u);
  EXPECT_EQ(c->server.threads, 4);
  EXPECT_EQ(c->store.url, "postgresql://db.example.com/sc");
  EXPECT_EQ(c->secrets.key_file, "/etc/sc/key");
  EXPECT_EQ(c->aws.endpoint_url, "http://127.0.0.1:5000");
  EXPECT_EQ(c->aws.region, "eu-west-2");
  EXPECT_EQ(c->aws.profile, "honey");
  EXPECT_EQ(c->aws.accounts, (std::vector<std::string>{"111111111111", "222222222222"}));
  EXPECT_FALSE(c->decoy.enabled);
  EXPECT_EQ(c->decoy.listen, "[::1]:8443");
  EXPECT_EQ(c->decoy.account_id, "123456789012");
  EXPECT_EQ(c->decoy.endpoint_url, "https://api.example.net");
  EXPECT_EQ(c->decoy.tls_cert, "/c.pem");
  EXPECT_EQ(c->decoy.tls_key, "/k.pem");
  EXPECT_EQ(c->ingest.s3, std::vector<std::string>{"s3://trail-bucket/AWSLogs/"});
  EXPECT_EQ(c->ingest.watch_dirs, std::vector<std::string>{"/var/log/ct"});
  EXPECT_EQ(c->ingest.poll_seconds, 30);
  EXPECT_EQ(c->ingest.max_file_bytes, 2048u);
  EXPECT_EQ(c->ingest.max_record_bytes, 4096u);
  EXPECT_EQ(c->enrich.tor_exit_list, "/t");
  EXPECT_EQ(c->enrich.geoip_db, "/g.mmdb");
  EXPECT_EQ(c->enrich.geoip_v4, "/v4");
  EXPECT_EQ(c->enrich.geoip_v6, "/v6");
  EXPECT_EQ(c->enrich.cloud_ranges, "/ip-ranges.json");
  EXPECT_EQ(c->incidents.window_seconds, 7200);
  ASSERT_EQ(c->sinks.size(), 2u);  // no default console sink once sinks are configured
  const auto& mail = c->sinks[0].name == "mail" ? c->sinks[0] : c->sinks[1];
  const auto& pd = c->sinks[0].name == "pd" ? c->sinks[0] : c->sinks[1];
  EXPECT_EQ(pd.type, "pagerduty");
  EXPECT_EQ(pd.settings.at("routing_key"), "abc");
  EXPECT_EQ(pd.settings.at("timeout_seconds"), "5");
  EXPECT_EQ(pd.settings.at("verify_tls"), "true");
  EXPECT_EQ(pd.settings.count("type"), 0u);
  EXPECT_EQ(mail.settings.at("to"), "a@example.com,b@example.com");
}

TEST(LoadConfig, StoreUrlDefaultsUnderDataDir) {
  TempConfigFile f("[server]\ndata_dir = \"/srv/sc\"\n");
  auto c = LoadConfig(f.path(), {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store.url, "sqlite:/srv/sc/spacecrab.db");
}

TEST(LoadConfig, ProviderTableIsAccepted) {
  TempConfigFile f("[provider]\ntype = \"aws\"\n");
  auto c = LoadConfig(f.path(), {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->provider, "aws");
}

TEST(LoadConfig, WindowAcceptsSecondsAndDurations) {
  for (const auto& [text, secs] : std::vector<std::pair<std::string, int>>{
           {"120", 120}, {"\"30m\"", 1800}, {"\"45s\"", 45}, {"\"1h\"", 3600}}) {
    TempConfigFile f("[incidents]\nwindow = " + text + "\n");
    auto c = LoadConfig(f.path(), {});
    ASSERT_TRUE(c.ok()) << text << ": " << c.status().ToString();
    EXPECT_EQ(c->incidents.window_seconds, secs) << text;
  }
}

TEST(RenderConfigToml, RoundTripsThroughLoadConfig) {
  Config in;
  in.provider = "aws";
  in.server.listen = "127.0.0.1:0";
  in.server.data_dir = "/tmp/x \"quoted\"";
  in.store.url = "sqlite:/tmp/x/db";
  in.aws.accounts = {"111111111111"};
  in.decoy.account_id = "000000000042";
  in.incidents.window_seconds = 900;
  in.sinks = {SinkConfig{"pd", "pagerduty", {{"routing_key", "R"}, {"timeout", "5"}}},
              SinkConfig{"log", "jsonl", {{"path", "/tmp/alerts.jsonl"}, {"fsync", "true"}}}};
  TempConfigFile f(RenderConfigToml(in));
  auto out = LoadConfig(f.path(), {});
  ASSERT_TRUE(out.ok()) << out.status().ToString() << "\n" << RenderConfigToml(in);
  EXPECT_EQ(out->provider, "aws");
  EXPECT_EQ(out->server.data_dir, in.server.data_dir);
  EXPECT_EQ(out->store.url, in.store.url);
  EXPECT_EQ(out->aws.accounts, in.aws.accounts);
  EXPECT_EQ(out->decoy.account_id, "000000000042");
  EXPECT_EQ(out->incidents.window_seconds, 900);
  ASSERT_EQ(out->sinks.size(), 2u);
  for (const auto& want : in.sinks) {
    bool found = false;
    for (const auto& got : out->sinks) {
      if (got.name != want.name) continue;
      found = true;
      EXPECT_EQ(got.type, want.type);
      EXPECT_EQ(got.settings, want.settings);
    }
    EXPECT_TRUE(found) << want.name;
  }
}

}  // namespace
}  // namespace spacecrab

namespace spacecrab {
namespace {

TEST(LoadConfig, AccountPoolFromFileAndEnvironment) {
  testing::TempConfigFile f(R"(
provider = "aws"
[aws]
pool_size = 7
pool_refill_rate = 9
[accounts.honey-eu]
role_arn = "arn:aws:iam::111111111111:role/key-admin"
external_id = "x-123"
max_users = 4000
[accounts.honey-us]
profile = "us"
pool_size = 0
)");
  auto c = LoadConfig(f.path(), {{"SPACECRAB_ACCOUNTS_HONEY-US_ACCOUNT_ID", "222222222222"},
                                 {"SPACECRAB_ACCOUNTS_THIRD_PROFILE", "third"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->aws.pool_size, 7);
  EXPECT_EQ(c->aws.pool_refill_rate, 9);
  ASSERT_EQ(c->accounts.size(), 3u);
  EXPECT_EQ(c->accounts[0].name, "honey-eu");
  EXPECT_EQ(c->accounts[0].role_arn, "arn:aws:iam::111111111111:role/key-admin");
  EXPECT_EQ(c->accounts[0].external_id, "x-123");
  EXPECT_EQ(c->accounts[0].max_users, 4000);
  EXPECT_EQ(c->accounts[0].pool_size, -1);
  EXPECT_EQ(c->accounts[1].profile, "us");
  EXPECT_EQ(c->accounts[1].pool_size, 0);
  EXPECT_EQ(c->accounts[1].account_id, "222222222222");
  EXPECT_EQ(c->accounts[2].name, "third");
  EXPECT_EQ(c->accounts[2].profile, "third");

  // What init writes reads back the same.
  testing::TempConfigFile again(RenderConfigToml(*c));
  auto d = LoadConfig(again.path(), {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->accounts.size(), 3u);
  EXPECT_EQ(d->accounts[0].external_id, "x-123");
  EXPECT_EQ(d->accounts[1].account_id, "222222222222");
  EXPECT_EQ(d->accounts[1].pool_size, 0);
}

}  // namespace
}  // namespace spacecrab
