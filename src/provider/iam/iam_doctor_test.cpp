#include "provider/iam/iam_doctor.h"

#include <gtest/gtest.h>

#include "provider/iam/iam_test_support.h"

namespace spacecrab {
namespace {

using IamDoctorTest = IamSandboxTest;

std::map<std::string, IamDoctorCheck> ByName(const std::vector<IamDoctorCheck>& checks) {
  std::map<std::string, IamDoctorCheck> out;
  for (const auto& c : checks) out[c.name] = c;
  return out;
}

TEST_F(IamDoctorTest, AHealthyAccountPassesEveryCheckAndTheProbeLeavesNothing) {
  StsClient sts(*client_);
  auto before = admin_->ListUsers();
  ASSERT_TRUE(before.ok());
  IamDoctorOptions o{iam_.get(), &sts, &random_, sandbox_->account_id};
  o.write_probe = true;
  auto checks = ByName(CheckIamSetup(o));
  ASSERT_EQ(checks.size(), 4u);
  for (const auto& [name, c] : checks) EXPECT_TRUE(c.ok) << name << ": " << c.detail;
  EXPECT_NE(checks["aws identity"].detail.find(sandbox_->admin_arn), std::string::npos);
  EXPECT_NE(checks["iam capacity"].detail.find("of 5000"), std::string::npos)
      << checks["iam capacity"].detail;
  EXPECT_EQ(admin_->ListUsers()->size(), before->size()) << "the write probe cleaned up";
  EXPECT_GE(faults_->Count("CreateUser"), 1);
}

TEST_F(IamDoctorTest, WrongAccountAndMissingPermissionsAreNamed) {
  StsClient sts(*client_);
  IamDoctorOptions o{iam_.get(), &sts, &random_, "111122223333"};
  faults_->FailNext("ListUsers", 1, 403, "AccessDenied");
  auto checks = ByName(CheckIamSetup(o));
  EXPECT_FALSE(checks["aws identity"].ok);
  EXPECT_NE(checks["aws identity"].detail.find("111122223333"), std::string::npos);
  EXPECT_FALSE(checks["iam read"].ok);
  EXPECT_NE(checks["iam read"].detail.find("AccessDenied"), std::string::npos);
  EXPECT_EQ(checks.count("iam write"), 0u);
}

}  // namespace
}  // namespace spacecrab
