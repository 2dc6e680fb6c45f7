// Every validation error names the file (with the line) and the key.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace spacecrab {
namespace {

using testing::TempConfigFile;

struct BadCase {
  const char* toml;
  const char* expected_key;     // the key label the message must name
  const char* expected_reason;  // a fragment of the reason
};

class ConfigRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigRejects, NamingFileLineAndKey) {
  const auto& p = GetParam();
  TempConfigFile f(p.toml);
  auto c = LoadConfig(f.path(), {});
  ASSERT_FALSE(c.ok()) << p.toml;
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  const auto& m = c.status().message();
  EXPECT_EQ(m.rfind(f.path() + ":", 0), 0u) << m;
  EXPECT_NE(m.find(std::string(": ") + p.expected_key + ":"), std::string::npos) << m;
  EXPECT_NE(m.find(p.expected_reason), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    EachKey, ConfigRejects,
    ::testing::Values(
        BadCase{"[server]\nlisten = \"127.0.0.1\"\n", "[server] listen", "expected HOST:PORT"},
        BadCase{"[aws]\npool_size = -1\n", "[aws] pool_size", "0 (no pool) to 10000"},
        BadCase{"[aws]\npool_refill_rate = 0\n", "[aws] pool_refill_rate", "1 to 1000"},
        BadCase{"[aws]\nmax_users = 6000\n", "[aws] max_users", "1 to 5000"},
        BadCase{"[accounts.eu]\nrole_arn = \"arn:aws:iam::12:role/x\"\n", "[accounts.eu] role_arn",
                "expected arn:aws:iam::ACCOUNT:role/NAME"},
        BadCase{"[accounts.eu]\nprofile = \"p\"\nrole_arn = \"arn:aws:iam::111111111111:role/x\"\n",
                "[accounts.eu] role_arn", "either profile or role_arn"},
        BadCase{"[accounts.eu]\nrole_arn = \"arn:aws:iam::111111111111:role/x\"\n"
                "account_id = \"222222222222\"\n",
                "[accounts.eu] account_id", "does not match"},
        BadCase{"[accounts.eu]\nexternal_id = \"x\"\n", "[accounts.eu] external_id", "only used with"},
        BadCase{"[accounts.eu]\nmax_users = 0\n", "[accounts.eu] max_users", "1 to 5000"},
        BadCase{"[accounts.eu]\nregion = \"x\"\n", "[accounts.eu] region", "unknown key"},
        BadCase{"[accounts.\"e u\"]\nprofile = \"x\"\n", "[accounts.e u]", "account names"},
        BadCase{"[server]\nlisten = \"127.0.0.1:65536\"\n", "[server] listen", "0 to 65535"},
        BadCase{"[server]\nlisten = \"127.0.0.1:-1\"\n", "[server] listen", "HOST:PORT"},
        BadCase{"[server]\nlisten = \":80\"\n", "[server] listen", "HOST:PORT"},
        BadCase{"[server]\nlisten = 8080\n", "[server] listen", "expected a string"},
        BadCase{"[server]\nlistn = \"127.0.0.1:1\"\n", "[server] listn", "unknown key"},
        BadCase{"[server]\ndata_dir = \"\"\n", "[server] data_dir", "must not be empty"},
        BadCase{"[server]\npublic_url = \"ftp://x\"\n", "[server] public_url", "http://"},
        BadCase{"[server]\nthreads = 0\n", "[server] threads", "1 to 256"},
        BadCase{"[server]\nthreads = \"4\"\n", "[server] threads", "expected an integer"},
        BadCase{"[server]\nmax_body_bytes = -5\n", "[server] max_body_bytes", "non-negative"},
        BadCase{"[serer]\nlisten = \"127.0.0.1:1\"\n", "[serer]", "unknown section"},
        BadCase{"listen = \"127.0.0.1:1\"\n", "listen", "unknown top-level key"},
        BadCase{"provider = \"gcp\"\n", "provider", "\"decoy\" or \"aws\""},
        BadCase{"[provider]\ntype = \"gcp\"\n", "[provider] type", "\"decoy\" or \"aws\""},
        BadCase{"[store]\nurl = \"mysql://x\"\n", "[store] url", "sqlite:PATH or postgresql"},
        BadCase{"[store]\nurl = \"sqlite:\"\n", "[store] url", "sqlite:PATH"},
        BadCase{"[secrets]\nkey = \"short\"\n", "[secrets] key", "32 bytes"},
        BadCase{"[secrets]\nkey_file = \"/k\"\n"
                "key = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
                "[secrets] key_file", "not both"},
        BadCase{"[aws]\nendpoint_url = \"localhost:5000\"\n", "[aws] endpoint_url", "http://"},
        BadCase{"[aws]\nregion = \"mars\"\n", "[aws] region", "AWS region"},
        BadCase{"[aws]\naccounts = [\"12345\"]\n", "[aws] accounts", "12-digit"},
        BadCase{"[aws]\naccounts = \"111111111111\"\n", "[aws] accounts", "array of strings"},
        BadCase{"[aws]\npolicy_name = \"HoneyDeny\"\n", "[aws] policy_name", "reveal"},
        BadCase{"[aws]\npolicy_name = \"deny all\"\n", "[aws] policy_name", "A-Za-z0-9"},
        BadCase{"[decoy]\naccount_id = \"12345678901a\"\n", "[decoy] account_id", "12 digits"},
        BadCase{"[decoy]\nlisten = \"127.0.0.1:99999\"\n", "[decoy] listen", "HOST:PORT"},
        BadCase{"[decoy]\nendpoint_url = \"http://\"\n", "[decoy] endpoint_url", "with a host"},
        BadCase{"[decoy]\ntls_cert = \"/c.pem\"\n", "[decoy] tls_key", "set together"},
        BadCase{"[decoy]\nenabled = \"yes\"\n", "[decoy] enabled", "true or false"},
        BadCase{"[ingest]\ns3 = [\"bucket/prefix\"]\n", "[ingest] s3", "s3://bucket"},
        BadCase{"[ingest]\npoll_seconds = 0\n", "[ingest] poll_seconds", "at least 1"},
        BadCase{"[enrich]\ngeoip = \"/x\"\n", "[enrich] geoip", "unknown key"},
        BadCase{"[incidents]\nwindow = \"soon\"\n", "[incidents] window", "duration"},
        BadCase{"[incidents]\nwindow = 0\n", "[incidents] window", "at least 1 second"},
        BadCase{"[incidents]\nallow_source_cidrs = [\"10.0.0.0/33\"]\n",
                "[incidents] allow_source_cidrs", "source_cidrs[0]"},
        BadCase{"[incidents]\nallow_user_agents = [\"re:([\"]\n",
                "[incidents] allow_user_agents", "user_agents[0]"},
        BadCase{"[incidents]\nenumeration_min_actions = 0\n",
                "[incidents] enumeration_min_actions", "at least 1"},
        BadCase{"[sinks.pd]\ntype = \"pagerdooty\"\n", "[sinks.pd] type", "unknown sink type"},
        BadCase{"[sinks.pd]\nrouting_key = \"x\"\n", "[sinks.pd] type", "missing"},
        BadCase{"[sinks.hook]\ntype = \"webhook\"\nurl = \"not a url\"\n", "[sinks.hook] url",
                "http://"},
        BadCase{"[sinks.hook]\ntype = \"webhook\"\n[sinks.hook.headers]\nx = \"y\"\n",
                "[sinks.hook] headers", "expected a string"},
        BadCase{"[sinks]\npd = \"pagerduty\"\n", "[sinks] pd", "expected a table"}));

TEST(ConfigRejects, SyntaxErrorNamesFileAndLine) {
  TempConfigFile f("[server]\nlisten = \"127.0.0.1:1\"\ndata_dir = \n");
  auto c = LoadConfig(f.path(), {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().rfind(f.path() + ":3: invalid TOML", 0), 0u) << c.status().message();
}

TEST(ConfigRejects, ErrorCarriesTheLineOfTheBadValue) {
  TempConfigFile f("# comment\n\n[decoy]\nlisten = \"127.0.0.1:8081\"\naccount_id = \"42\"\n");
  auto c = LoadConfig(f.path(), {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            f.path() + ":5: [decoy] account_id: expected 12 digits, got '42'");
}

TEST(ConfigRejects, MissingFileIsNotFound) {
  auto c = LoadConfig("/nonexistent/spacecrab.toml", {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("/nonexistent/spacecrab.toml"), std::string::npos);
}

TEST(ListenAddress, AcceptsHostsPortsAndIpv6) {
  EXPECT_TRUE(IsValidListenAddress("127.0.0.1:0"));
  EXPECT_TRUE(IsValidListenAddress("localhost:65535"));
  EXPECT_TRUE(IsValidListenAddress("[::1]:8080"));
  EXPECT_FALSE(IsValidListenAddress("::1:8080x"));
  EXPECT_FALSE(IsValidListenAddress("127.0.0.1:"));
  EXPECT_FALSE(IsValidListenAddress("127.0.0.1:123456"));
  EXPECT_FALSE(IsValidListenAddress("host name:80"));
}

TEST(SaneHttpUrl, RejectsOddUrls) {
  EXPECT_TRUE(IsSaneHttpUrl("http://127.0.0.1:8081"));
  EXPECT_TRUE(IsSaneHttpUrl("https://example.com/path?q=1"));
  EXPECT_FALSE(IsSaneHttpUrl("https://user:pw@example.com/"));
  EXPECT_FALSE(IsSaneHttpUrl("https://exa mple.com/"));
  EXPECT_FALSE(IsSaneHttpUrl("example.com"));
  EXPECT_FALSE(IsSaneHttpUrl("http:///path"));
}

}  // namespace
}  // namespace spacecrab
