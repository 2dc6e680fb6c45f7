// SPACECRAB_* environment overrides: precedence over the file, parsing, typos.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace spacecrab {
namespace {

using testing::TempConfigFile;

TEST(ConfigEnvironment, EnvironmentWinsOverFile) {
  TempConfigFile f(
      "[server]\nlisten = \"127.0.0.1:1111\"\ndata_dir = \"/from/file\"\n"
      "[decoy]\naccount_id = \"111111111111\"\n");
  auto c = LoadConfig(f.path(), {{"SPACECRAB_SERVER_LISTEN", "127.0.0.1:2222"},
                                 {"SPACECRAB_DECOY_ACCOUNT_ID", "222222222222"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.listen, "127.0.0.1:2222");
  EXPECT_EQ(c->decoy.account_id, "222222222222");
  EXPECT_EQ(c->server.data_dir, "/from/file");  // not overridden: the file's value stays
}

TEST(ConfigEnvironment, SetsEveryKindOfValue) {
  auto c = LoadConfig("/dev/null", {{"SPACECRAB_STORE_URL", "sqlite:/tmp/e.db"},
                                    {"SPACECRAB_SECRETS_KEY", std::string(64, 'a')},
                                    {"SPACECRAB_SERVER_THREADS", "3"},
                                    {"SPACECRAB_SERVER_MAX_BODY_BYTES", "4096"},
                                    {"SPACECRAB_DECOY_ENABLED", "false"},
                                    {"SPACECRAB_AWS_ACCOUNTS", "111111111111, 222222222222"},
                                    {"SPACECRAB_INGEST_S3", "s3://bk1/p,s3://bk2"},
                                    {"SPACECRAB_INCIDENTS_WINDOW", "15m"},
                                    {"SPACECRAB_PROVIDER", "aws"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store.url, "sqlite:/tmp/e.db");
  EXPECT_EQ(c->secrets.key, std::string(64, 'a'));
  EXPECT_EQ(c->server.threads, 3);
  EXPECT_EQ(c->server.max_body_bytes, 4096u);
  EXPECT_FALSE(c->decoy.enabled);
  EXPECT_EQ(c->aws.accounts, (std::vector<std::string>{"111111111111", "222222222222"}));
  EXPECT_EQ(c->ingest.s3, (std::vector<std::string>{"s3://bk1/p", "s3://bk2"}));
  EXPECT_EQ(c->incidents.window_seconds, 900);
  EXPECT_EQ(c->provider, "aws");
}

TEST(ConfigEnvironment, DataDirFromEnvironmentMovesDefaultStore) {
  auto c = LoadConfig("/dev/null", {{"SPACECRAB_SERVER_DATA_DIR", "/env/dir"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store.url, "sqlite:/env/dir/spacecrab.db");
}

TEST(ConfigEnvironment, SinkSettingsOverrideFileAndAddSinks) {
  TempConfigFile f("[sinks.page_team]\ntype = \"pagerduty\"\nrouting_key = \"file\"\n");
  auto c = LoadConfig(f.path(), {{"SPACECRAB_SINKS_PAGE_TEAM_ROUTING_KEY", "env"},
                                 {"SPACECRAB_SINKS_HOOK_TYPE", "webhook"},
                                 {"SPACECRAB_SINKS_HOOK_URL", "https://hooks.example.com/x"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->sinks.size(), 2u);
  EXPECT_EQ(c->sinks[0].name, "page_team");
  EXPECT_EQ(c->sinks[0].settings.at("routing_key"), "env");
  EXPECT_EQ(c->sinks[1].name, "hook");
  EXPECT_EQ(c->sinks[1].type, "webhook");
  EXPECT_EQ(c->sinks[1].settings.at("url"), "https://hooks.example.com/x");
}

TEST(ConfigEnvironment, ClientVariablesAreNotConfig) {
  auto c = LoadConfig("/dev/null", {{"SPACECRAB_ADDR", "http://127.0.0.1:1"},
                                    {"SPACECRAB_API_KEY", "sck_x"},
                                    {"SPACECRAB_BIN", "/x"},
                                    {"SPACECRAB_BUILD_DIR", "/y"}});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
}

TEST(ConfigEnvironment, UnknownKeyInKnownSectionNamesTheVariable) {
  auto c = LoadConfig("/dev/null", {{"SPACECRAB_SERVER_LISTN", "127.0.0.1:1"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("environment variable SPACECRAB_SERVER_LISTN"), std::string::npos)
      << c.status().message();
  EXPECT_NE(c.status().message().find("[server] listn: unknown key"), std::string::npos)
      << c.status().message();
}

TEST(ConfigEnvironment, BadValueNamesTheVariableAndKey) {
  auto c = LoadConfig("/dev/null", {{"SPACECRAB_SERVER_LISTEN", "localhost"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "environment variable SPACECRAB_SERVER_LISTEN: [server] listen: expected HOST:PORT with "
            "a port from 0 to 65535, got 'localhost'");
  auto n = LoadConfig("/dev/null", {{"SPACECRAB_INGEST_POLL_SECONDS", "soon"}});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(),
            "environment variable SPACECRAB_INGEST_POLL_SECONDS: [ingest] poll_seconds: expected an "
            "integer, got 'soon'");
}

}  // namespace
}  // namespace spacecrab
