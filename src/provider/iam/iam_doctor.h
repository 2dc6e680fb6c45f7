// CheckIamSetup: the IAM half of `spacecrab doctor` for provider = "aws".
//
// Checks, each reported with a one-line detail an operator can act on:
//  - "aws identity":   GetCallerIdentity works; the account is the configured one;
//  - "iam read":       ListUsers is allowed (reconcile and name uniqueness need it);
//  - "iam capacity":   users in the account against the 5,000 quota (warns at 90%);
//  - "iam write":      only with write_probe: a full mint-and-delete round trip
//                      (CreateUser, PutUserPolicy, CreateAccessKey, then the
//                      deletes) under a generated name — proves every permission
//                      Mint/Delete need. Leaves nothing behind unless IAM fails
//                      midway (then `spacecrab reconcile` reports the user).
// Bucket and trail checks (S3, CloudTrail) belong to the ingest side.
// Thread-safety: stateless. Never logs a secret.
#pragma once

#include <string>
#include <vector>

#include "awsclient/iam_client.h"
#include "crypto/random.h"
#include "provider/name_generator.h"

namespace spacecrab {

struct IamDoctorCheck {
  std::string name;
  bool ok = false;
  std::string detail;
};

struct IamDoctorOptions {
  IamClient* iam = nullptr;         // REQUIRED
  StsClient* sts = nullptr;         // REQUIRED
  RandomSource* random = nullptr;   // REQUIRED with write_probe
  std::string expected_account_id;  // empty: any
  std::string policy_name = "baseline-access";
  IamNameGeneratorOptions names = DefaultIamNameGeneratorOptions();
  bool write_probe = false;
};

std::vector<IamDoctorCheck> CheckIamSetup(const IamDoctorOptions& options);

}  // namespace spacecrab
