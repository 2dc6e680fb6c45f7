#include "core/credential_format.h"

#include <gtest/gtest.h>

namespace spacecrab {
namespace {

Credentials Decoy() {
  return {"AKIAQYLPMN5HFOOBAR12", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "http://127.0.0.1:8081",
          "eu-west-1"};
}

Credentials Iam() {
  return {"AKIAQYLPMN5HFOOBAR12", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", ""};
}

std::string Render(const Credentials& c, std::string_view format, std::string profile = "default") {
  auto out = FormatCredentials(c, format, {profile});
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "";
}

TEST(CredentialFormat, JsonIsCredentialProcessShape) {
  EXPECT_EQ(Render(Decoy(), "json"),
            "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"AKIAQYLPMN5HFOOBAR12\",\n"
            "  \"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\",\n"
            "  \"Region\": \"eu-west-1\",\n  \"EndpointUrl\": \"http://127.0.0.1:8081\"\n}\n");
  EXPECT_EQ(Render(Iam(), "json").find("EndpointUrl"), std::string::npos);
  EXPECT_NE(Render(Iam(), "json").find("\"Region\": \"us-east-1\""), std::string::npos);
}

TEST(CredentialFormat, AwsCredentialsDefaultAndNamedProfile) {
  EXPECT_EQ(Render(Iam(), "aws-credentials"),
            "[default]\naws_access_key_id = AKIAQYLPMN5HFOOBAR12\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
  EXPECT_EQ(Render(Iam(), "aws-credentials", "prod-backup").rfind("[prod-backup]\n", 0), 0u);
}

TEST(CredentialFormat, AwsConfigCarriesRegionAndEndpoint) {
  EXPECT_EQ(Render(Decoy(), "aws-config"),
            "[default]\nregion = eu-west-1\noutput = json\nendpoint_url = http://127.0.0.1:8081\n"
            "aws_access_key_id = AKIAQYLPMN5HFOOBAR12\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
  const auto named = Render(Decoy(), "aws-config", "ops");
  EXPECT_EQ(named.rfind("[profile ops]\n", 0), 0u) << named;
  EXPECT_EQ(Render(Iam(), "aws-config").find("endpoint_url"), std::string::npos);
}

TEST(CredentialFormat, CsvMatchesConsoleDownload) {
  EXPECT_EQ(Render(Iam(), "csv"),
            "Access key ID,Secret access key\n"
            "AKIAQYLPMN5HFOOBAR12,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
}

TEST(CredentialFormat, EnvExportsForShell) {
  EXPECT_EQ(Render(Decoy(), "env"),
            "export AWS_ACCESS_KEY_ID=AKIAQYLPMN5HFOOBAR12\n"
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            "export AWS_DEFAULT_REGION=eu-west-1\n"
            "export AWS_ENDPOINT_URL=http://127.0.0.1:8081\n");
  EXPECT_EQ(Render(Iam(), "env").find("AWS_ENDPOINT_URL"), std::string::npos);
}

TEST(CredentialFormat, PowerShellSetsEnvDrive) {
  EXPECT_EQ(Render(Iam(), "powershell"),
            "$Env:AWS_ACCESS_KEY_ID = \"AKIAQYLPMN5HFOOBAR12\"\n"
            "$Env:AWS_SECRET_ACCESS_KEY = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n"
            "$Env:AWS_DEFAULT_REGION = \"us-east-1\"\n");
}

TEST(CredentialFormat, DockerfileEnvLines) {
  EXPECT_EQ(Render(Decoy(), "dockerfile"),
            "ENV AWS_ACCESS_KEY_ID=AKIAQYLPMN5HFOOBAR12\n"
            "ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            "ENV AWS_DEFAULT_REGION=eu-west-1\n"
            "ENV AWS_ENDPOINT_URL=http://127.0.0.1:8081\n");
}

TEST(CredentialFormat, K8sSecretHasBase64Data) {
  EXPECT_EQ(Render(Iam(), "k8s-secret"),
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws-credentials\ntype: Opaque\ndata:\n"
            "  AWS_ACCESS_KEY_ID: QUtJQVFZTFBNTjVIRk9PQkFSMTI=\n"
            "  AWS_SECRET_ACCESS_KEY: d0phbHJYVXRuRkVNSS9LN01ERU5HL2JQeFJmaUNZRVhBTVBMRUtFWQ==\n"
            "  AWS_DEFAULT_REGION: dXMtZWFzdC0x\n");
  EXPECT_NE(Render(Decoy(), "k8s-secret", "ci-deploy").find("name: ci-deploy\n"), std::string::npos);
  EXPECT_NE(Render(Decoy(), "k8s-secret").find("AWS_ENDPOINT_URL: aHR0cDovLzEyNy4wLjAuMTo4MDgx\n"),
            std::string::npos);
}

TEST(CredentialFormat, UnknownFormatListsValidOnes) {
  auto out = FormatCredentials(Iam(), "yaml");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "unknown credential format 'yaml' (valid: json, aws-credentials, aws-config, csv, env, "
            "powershell, dockerfile, k8s-secret)");
}

TEST(CredentialFormat, EveryNameParsesBack) {
  ASSERT_EQ(CredentialFormatNames().size(), 8u);
  for (auto name : CredentialFormatNames()) {
    auto f = ParseCredentialFormat(name);
    ASSERT_TRUE(f.has_value()) << name;
    EXPECT_EQ(ToString(*f), name);
    EXPECT_TRUE(FormatCredentials(Decoy(), name).ok()) << name;
  }
}

TEST(CredentialFormat, RejectsInjectionThroughProfileOrValues) {
  EXPECT_FALSE(FormatCredentials(Iam(), "aws-credentials", {"x]\n[default"}).ok());
  EXPECT_FALSE(FormatCredentials(Iam(), "k8s-secret", {"Upper"}).ok());
  auto c = Iam();
  c.secret_access_key = "abc\nexport X=1";
  EXPECT_FALSE(FormatCredentials(c, "env").ok());
  c = Decoy();
  c.endpoint_url = "http://x\"; rm -rf /";
  EXPECT_FALSE(FormatCredentials(c, "powershell").ok());
  c = Iam();
  c.access_key_id = "";
  EXPECT_FALSE(FormatCredentials(c, "csv").ok());
}

}  // namespace
}  // namespace spacecrab
