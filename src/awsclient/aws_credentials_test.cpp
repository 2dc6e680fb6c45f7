#include "awsclient/aws_credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace spacecrab {
namespace {

class AwsSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sc-awscreds-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    home_ = tmpl;
    std::filesystem::create_directories(home_ + "/.aws");
  }
  void TearDown() override { std::filesystem::remove_all(home_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(home_ + "/.aws/" + name) << text;
  }
  AwsSettingsOptions Options(std::map<std::string, std::string> env = {}) {
    env["HOME"] = home_;
    AwsSettingsOptions o;
    o.env = std::move(env);
    return o;
  }
  std::string home_;
};

TEST_F(AwsSettingsTest, EnvironmentKeysComeFirst) {
  Write("credentials",
        "[default]\naws_access_key_id = AKIAFILE00000000000\naws_secret_access_key = filesecret\n");
  auto s = ResolveAwsSettings(Options({{"AWS_ACCESS_KEY_ID", "AKIAENV0000000000000"},
                                       {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                       {"AWS_SESSION_TOKEN", "tok"}}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "AKIAENV0000000000000");
  EXPECT_EQ(s->credentials.session_token, "tok");
  EXPECT_EQ(s->credentials.source, "environment");
}

TEST_F(AwsSettingsTest, ExplicitProfileOverridesEnvironmentKeys) {
  Write("credentials",
        "[honey]\naws_access_key_id = AKIAPROFILE000000000\naws_secret_access_key = s\n");
  auto o = Options({{"AWS_ACCESS_KEY_ID", "AKIAENV0000000000000"}, {"AWS_SECRET_ACCESS_KEY", "e"}});
  o.profile = "honey";
  auto s = ResolveAwsSettings(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "AKIAPROFILE000000000");
  EXPECT_EQ(s->profile, "honey");
}

TEST_F(AwsSettingsTest, AwsProfileSelectsCredentialsThenConfigFile) {
  Write(
      "credentials",
      "# comment\n[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = o\n");
  Write("config",
        "[default]\nregion = eu-west-1\n"
        "[profile ci]\nregion = eu-central-1\naws_access_key_id = AKIACONFIG0000000000\n"
        "aws_secret_access_key = c\ns3 =\n  max_concurrent_requests = 10\nendpoint_url = "
        "http://127.0.0.1:9\n");
  auto s = ResolveAwsSettings(Options({{"AWS_PROFILE", "ci"}}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "AKIACONFIG0000000000");
  EXPECT_EQ(s->region, "eu-central-1");
  EXPECT_EQ(s->endpoint_url, "http://127.0.0.1:9");
  EXPECT_NE(s->credentials.source.find("config file (profile ci)"), std::string::npos);
}

TEST_F(AwsSettingsTest, FilesNamedByEnvironmentAreUsed) {
  std::ofstream(home_ + "/creds")
      << "[default]\r\naws_access_key_id=AKIACRLF000000000000\r\naws_secret_access_key=x\r\n";
  auto s = ResolveAwsSettings(Options({{"AWS_SHARED_CREDENTIALS_FILE", home_ + "/creds"}}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "AKIACRLF000000000000");
  EXPECT_EQ(s->credentials.secret_access_key, "x");
}

TEST_F(AwsSettingsTest, RegionAndEndpointPrecedence) {
  Write("credentials",
        "[default]\naws_access_key_id = AKIA0000000000000000\naws_secret_access_key = s\n");
  Write("config", "[default]\nregion = ap-south-1\n");
  auto s = ResolveAwsSettings(Options({{"AWS_DEFAULT_REGION", "us-west-2"},
                                       {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                                       {"AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:2"}}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->region, "us-west-2");
  EXPECT_EQ(s->EndpointFor("iam"), "http://127.0.0.1:2");
  EXPECT_EQ(s->EndpointFor("sts"), "http://127.0.0.1:1");

  auto ignored = ResolveAwsSettings(Options({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                                             {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}}));
  ASSERT_TRUE(ignored.ok());
  EXPECT_EQ(ignored->region, "ap-south-1");
  EXPECT_EQ(ignored->EndpointFor("iam"), "https://iam.amazonaws.com");
  EXPECT_EQ(ignored->EndpointFor("s3"), "https://s3.ap-south-1.amazonaws.com");

  auto o = Options({{"AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:2"}});
  o.endpoint_url = "http://127.0.0.1:3";
  o.region = "eu-north-1";
  auto explicit_wins = ResolveAwsSettings(o);
  ASSERT_TRUE(explicit_wins.ok());
  EXPECT_EQ(explicit_wins->EndpointFor("iam"), "http://127.0.0.1:3");
  EXPECT_EQ(explicit_wins->region, "eu-north-1");
}

TEST_F(AwsSettingsTest, NoCredentialsSaysWhereItLooked) {
  auto s = ResolveAwsSettings(Options());
  EXPECT_EQ(s.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.status().message().find(home_ + "/.aws/credentials"), std::string::npos)
      << s.status().message();
}

TEST_F(AwsSettingsTest, UnknownExplicitProfileIsNotFound) {
  auto o = Options();
  o.profile = "nope";
  EXPECT_EQ(ResolveAwsSettings(o).status().code(), StatusCode::kNotFound);
}

TEST_F(AwsSettingsTest, RoleProfilesAreRefusedClearly) {
  Write("config",
        "[profile prod]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n");
  auto s = ResolveAwsSettings(Options({{"AWS_PROFILE", "prod"}}));
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("role_arn"), std::string::npos);
}

TEST_F(AwsSettingsTest, RedactedNeverShowsTheSecret) {
  AwsCredentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "",
                   "environment"};
  const std::string r = c.Redacted();
  EXPECT_EQ(r.find("wJalr"), std::string::npos);
  EXPECT_EQ(r, "AKIA...MPLE from environment");
}

}  // namespace
}  // namespace spacecrab
