"""The deploy kit: CloudFormation templates, systemd unit, Dockerfile.

What is checked, and how:
  * cfn-lint (preinstalled) on every deploy/aws/*.yaml: no errors, no
    warnings, no informational findings either.
  * The templates, decoded with cfn-lint's own decoder and evaluated for a
    few parameter sets by a small intrinsic-function evaluator (Ref, Sub,
    Join, Split, If, conditions): the trail records every region, global
    events and read+write management events; the EventBridge rule is in
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; the automation policy
    allows exactly the calls spacecrab makes, on the resources it makes
    them on; no product word in any name, default or logical id; the push
    API key is NoEcho.
  * moto's CloudFormation: deploys what moto implements and checks it in
    moto's S3 and IAM; the resource types it lacks are listed in a skip.
  * systemd-analyze verify on the unit (with ExecStart pointed at a real
    binary), when systemd-analyze exists.
"""
import fnmatch
import glob
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
import unittest
import warnings

import cfnlint.decode

SOURCE_DIR = os.environ.get("SPACECRAB_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
AWS_DIR = os.path.join(SOURCE_DIR, "deploy", "aws")
MAIN = os.path.join(AWS_DIR, "honey-account.yaml")
REGION = os.path.join(AWS_DIR, "eventbridge-region.yaml")
MEMBER = os.path.join(AWS_DIR, "member-account-role.yaml")
ACCOUNT, AWS_REGION = "111122223333", "us-east-1"

# What attackers must never read in an ARN, a name or a path.
PRODUCT_WORDS = ("spacecrab", "honey", "canary", "decoy", "trap", "token", "bait", "fake",
                 "tripwire")

IAM_USER_ACTIONS = {f"iam:{a}" for a in (
    "CreateUser", "GetUser", "DeleteUser", "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy",
    "ListUserPolicies", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "ListAccessKeys",
    "GetAccessKeyLastUsed")}
READ_ONLY = {"iam:ListUsers", "sts:GetCallerIdentity", "cloudtrail:DescribeTrails",
             "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"}
TRAIL_READ = {"s3:ListBucket", "s3:GetObject"}
TAGGING = {"iam:TagUser", "iam:UntagUser"}

NOVALUE = object()


def load(path):
    template, matches = cfnlint.decode.decode(path)
    if matches:
        raise AssertionError(f"{path}: {matches}")
    return template


class Stack:
    """A template evaluated for one set of parameters, as CloudFormation would."""

    def __init__(self, template, params=None, stack_name="org-audit"):
        self.t = template
        self.params = {}
        for name, spec in template.get("Parameters", {}).items():
            value = (params or {}).get(name, spec.get("Default"))
            if value is None:
                raise KeyError(f"parameter {name} has no default: pass it")
            value = str(value)
            self.params[name] = value.split(",") if spec["Type"] == "CommaDelimitedList" else value
        self.pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": AWS_REGION, "AWS::Partition": "aws",
                       "AWS::StackName": stack_name, "AWS::URLSuffix": "amazonaws.com",
                       "AWS::NoValue": NOVALUE}
        self._conditions = {}

    def condition(self, name):
        if name not in self._conditions:
            self._conditions[name] = bool(self.eval(self.t["Conditions"][name]))
        return self._conditions[name]

    def resources(self):
        return {lid: self.eval({k: v for k, v in r.items() if k != "Condition"})
                for lid, r in self.t["Resources"].items()
                if "Condition" not in r or self.condition(r["Condition"])}

    def outputs(self):
        return {k: self.eval(o["Value"]) for k, o in self.t.get("Outputs", {}).items()
                if "Condition" not in o or self.condition(o["Condition"])}

    def ref(self, name):
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        props = self.t["Resources"][name].get("Properties", {})
        for key in ("BucketName", "UserName", "RoleName", "InstanceProfileName", "TrailName"):
            if key in props:
                return self.eval(props[key])
        return f"ref-{name}"

    def getatt(self, name, attr):
        kind = self.t["Resources"][name]["Type"]
        if attr == "Arn" and kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{self.ref(name)}"
        if attr == "Arn" and kind == "AWS::IAM::User":
            return f"arn:aws:iam::{ACCOUNT}:user/{self.ref(name)}"
        if attr == "Arn" and kind == "AWS::CloudTrail::Trail":
            return f"arn:aws:cloudtrail:{AWS_REGION}:{ACCOUNT}:trail/{self.ref(name)}"
        return f"getatt-{name}.{attr}"

    def sub(self, text, names):
        def one(m):
            key = m.group(1)
            if key.startswith("!"):
                return "${" + key[1:] + "}"
            if key in names:
                return str(names[key])
            if "." in key and not key.startswith("AWS::"):
                return self.getatt(*key.split(".", 1))
            return str(self.ref(key))
        return re.sub(r"\$\{([^}]+)\}", one, text)

    def eval(self, node):
        if isinstance(node, list):
            return [v for v in (self.eval(x) for x in node) if v is not NOVALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                return self.getatt(*(arg if isinstance(arg, list) else arg.split(".", 1)))
            if fn == "Fn::Sub":
                if isinstance(arg, list):
                    return self.sub(arg[0], {k: self.eval(v) for k, v in arg[1].items()})
                return self.sub(arg, {})
            if fn == "Fn::Join":
                return arg[0].join(str(x) for x in self.eval(arg[1]))
            if fn == "Fn::Split":
                return self.eval(arg[1]).split(arg[0])
            if fn == "Fn::Select":
                return self.eval(arg[1])[int(self.eval(arg[0]))]
            if fn == "Fn::If":
                return self.eval(arg[1] if self.condition(arg[0]) else arg[2])
            if fn == "Fn::Equals":
                return self.eval(arg[0]) == self.eval(arg[1])
            if fn == "Fn::Not":
                return not self.eval(arg[0])
            if fn == "Fn::And":
                return all(self.eval(x) for x in arg)
            if fn == "Fn::Or":
                return any(self.eval(x) for x in arg)
            if fn == "Condition":
                return self.condition(arg)
        out = {}
        for k, v in node.items():
            v = self.eval(v)
            if v is not NOVALUE:
                out[k] = v
        return out


def as_list(x):
    return x if isinstance(x, list) else [x]


def statements(policy_resource):
    return policy_resource["Properties"]["PolicyDocument"]["Statement"]


def allowed_actions(stmts):
    return {a for s in stmts if s["Effect"] == "Allow" for a in as_list(s["Action"])}


def permits(stmts, action, resource):
    """IAM's verdict ignoring conditions: an explicit deny wins over any allow."""
    def hits(s):
        return (action in as_list(s["Action"]) and
                any(fnmatch.fnmatchcase(resource, p) for p in as_list(s["Resource"])))
    if any(s["Effect"] == "Deny" and hits(s) for s in stmts):
        return False
    return any(s["Effect"] == "Allow" and hits(s) for s in stmts)


def strings_outside_descriptions(node, path=""):
    """Every key and string value an AWS resource name could come from."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("Description", "AssertDescription", "Metadata"):
                continue
            yield f"{path}/{k}", str(k)
            yield from strings_outside_descriptions(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings_outside_descriptions(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def references(node):
    """Logical ids a template fragment refers to (Ref, GetAtt, Sub, DependsOn)."""
    found = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "Ref" and isinstance(v, str):
                found.add(v)
            elif k == "Fn::GetAtt":
                found.add(v[0] if isinstance(v, list) else v.split(".")[0])
            elif k == "Fn::Sub":
                text = v[0] if isinstance(v, list) else v
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
            elif k == "DependsOn":
                found |= set(as_list(v))
            found |= references(v)
    elif isinstance(node, list):
        for v in node:
            found |= references(v)
    return found


def drop_novalue_list_items(node, stack):
    """moto keeps AWS::NoValue as null inside a list, where CloudFormation drops
    the element (a policy's optional statements): decide those Fn::Ifs here."""
    if isinstance(node, dict):
        return {k: drop_novalue_list_items(v, stack) for k, v in node.items()}
    if not isinstance(node, list):
        return node
    out = []
    for item in node:
        if isinstance(item, dict) and list(item) == ["Fn::If"] and item["Fn::If"][2] == {"Ref": "AWS::NoValue"}:
            if not stack.condition(item["Fn::If"][0]):
                continue
            item = item["Fn::If"][1]
        out.append(drop_novalue_list_items(item, stack))
    return out


class CfnLint(unittest.TestCase):
    def test_every_template_is_clean_under_cfn_lint(self):
        exe = shutil.which("cfn-lint")
        self.assertIsNotNone(exe, "cfn-lint is preinstalled on CI machines; install it (pip) to run this")
        templates = sorted(glob.glob(os.path.join(AWS_DIR, "*.yaml")))
        self.assertEqual([os.path.basename(t) for t in templates],
                         ["eventbridge-region.yaml", "honey-account.yaml", "member-account-role.yaml"])
        # Informational findings too (-c I); two regions to catch region-only types.
        r = subprocess.run([exe, "--format", "parseable", "-c", "I", "--regions", "us-east-1", "eu-west-1",
                            "--", *templates], capture_output=True, text=True, timeout=300)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))


class HoneyAccountTemplate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load(MAIN)
        cls.default = Stack(cls.t).resources()
        cls.push_params = {"EnablePush": "true", "PushBaseUrl": "https://alerts.example.com",
                           "PushApiKey": "sck_example"}

    def test_trail_records_every_region_global_events_and_reads(self):
        trail = self.default["Trail"]
        self.assertEqual(trail["Type"], "AWS::CloudTrail::Trail")
        p = trail["Properties"]
        for key in ("IsLogging", "IsMultiRegionTrail", "IncludeGlobalServiceEvents", "EnableLogFileValidation"):
            self.assertIs(p[key], True, key)
        self.assertEqual(p["EventSelectors"], [{"ReadWriteType": "All", "IncludeManagementEvents": True}])
        self.assertNotIn("ExcludeManagementEventSources", json.dumps(p))
        self.assertEqual(p["TrailName"], "org-audit-trail")
        self.assertEqual(trail["DependsOn"], "LogBucketPolicy")  # else CloudTrail refuses the bucket

    def test_bucket_is_private_encrypted_and_expires_logs(self):
        res = Stack(self.t, {"LogRetentionDays": "90"}).resources()
        p = res["LogBucket"]["Properties"]
        self.assertEqual(p["BucketName"], f"audit-logs-{ACCOUNT}-{AWS_REGION}")
        self.assertEqual(p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
                         ["ServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        self.assertEqual(set(p["PublicAccessBlockConfiguration"].values()), {True})
        self.assertEqual(len(p["PublicAccessBlockConfiguration"]), 4)
        self.assertEqual(p["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"], "90")
        self.assertEqual(res["LogBucket"]["DeletionPolicy"], "Retain")

    def test_bucket_policy_lets_only_this_trail_write(self):
        stmts = statements(self.default["LogBucketPolicy"])
        trail_arn = f"arn:aws:cloudtrail:{AWS_REGION}:{ACCOUNT}:trail/org-audit-trail"
        bucket = f"arn:aws:s3:::audit-logs-{ACCOUNT}-{AWS_REGION}"
        acl = [s for s in stmts if s["Action"] == "s3:GetBucketAcl"]
        put = [s for s in stmts if s["Action"] == "s3:PutObject"]
        self.assertEqual(len(acl), 1)
        self.assertEqual(len(put), 1)
        self.assertEqual(acl[0]["Principal"], {"Service": "cloudtrail.amazonaws.com"})
        self.assertEqual(acl[0]["Resource"], bucket)
        self.assertEqual(acl[0]["Condition"], {"StringEquals": {"aws:SourceArn": trail_arn}})
        self.assertEqual(put[0]["Resource"], f"{bucket}/AWSLogs/{ACCOUNT}/*")
        self.assertEqual(put[0]["Condition"]["StringEquals"],
                         {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn})
        # With member accounts, their trails may write too (under AWSLogs/, by account).
        more = statements(Stack(self.t, {"LogWriterAccountIds": "444455556666,777788889999"})
                          .resources()["LogBucketPolicy"])
        self.assertEqual(len(more), len(stmts) + 2)
        self.assertIn({"StringEquals": {"aws:SourceAccount": ["444455556666", "777788889999"]}},
                      [s.get("Condition") for s in more])

    def test_push_rule_receives_read_only_calls_and_posts_them_with_the_api_key(self):
        self.assertNotIn("ApiCallRule", self.default)  # off unless asked for
        res = Stack(self.t, self.push_params).resources()
        rule = res["ApiCallRule"]["Properties"]
        self.assertEqual(rule["State"], "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
        self.assertEqual(rule["EventPattern"]["detail-type"], ["AWS API Call via CloudTrail"])
        self.assertEqual(rule["EventBusName"], "default")
        target, = rule["Targets"]
        self.assertEqual(target["Arn"], "getatt-PushDestination.Arn")
        self.assertEqual(target["RoleArn"], "getatt-PushInvokeRole.Arn")
        self.assertEqual(target["DeadLetterConfig"]["Arn"], "getatt-PushDeadLetterQueue.Arn")
        dest = res["PushDestination"]["Properties"]
        self.assertEqual(dest["InvocationEndpoint"], "https://alerts.example.com/api/v1/ingest/eventbridge")
        self.assertEqual(dest["HttpMethod"], "POST")
        conn = res["PushConnection"]["Properties"]
        self.assertEqual(conn["AuthorizationType"], "API_KEY")
        self.assertEqual(conn["AuthParameters"]["ApiKeyAuthParameters"],
                         {"ApiKeyName": "Authorization", "ApiKeyValue": "Bearer sck_example"})
        invoke, = res["PushInvokeRole"]["Properties"]["Policies"]
        self.assertEqual(allowed_actions(invoke["PolicyDocument"]["Statement"]), {"events:InvokeApiDestination"})
        dlq = statements(res["PushDeadLetterQueuePolicy"])[0]
        self.assertEqual(dlq["Condition"], {"ArnEquals": {"aws:SourceArn": "getatt-ApiCallRule.Arn"}})

    def test_push_api_key_is_never_echoed(self):
        for path in (MAIN, REGION):
            self.assertIs(load(path)["Parameters"]["PushApiKey"].get("NoEcho"), True, path)

    def test_automation_policy_allows_exactly_what_spacecrab_calls(self):
        stmts = statements(self.default["AutomationPolicy"])
        self.assertEqual(allowed_actions(stmts), IAM_USER_ACTIONS | READ_ONLY | TRAIL_READ)
        for s in stmts:
            for a in as_list(s["Action"]):
                self.assertNotIn("*", a, s)
        # Only actions IAM cannot scope get Resource "*".
        for s in stmts:
            if s["Effect"] == "Allow" and "*" in as_list(s["Resource"]):
                self.assertLessEqual(set(as_list(s["Action"])),
                                     {"iam:ListUsers", "sts:GetCallerIdentity", "cloudtrail:DescribeTrails"})
        tagging = statements(Stack(self.t, {"AllowUserTagging": "true", "MemberRoleArns":
                                            "arn:aws:iam::444455556666:role/identity-automation"})
                             .resources()["AutomationPolicy"])
        self.assertEqual(allowed_actions(tagging) - allowed_actions(stmts), TAGGING | {"sts:AssumeRole"})
        self.assertTrue(permits(tagging, "sts:AssumeRole", "arn:aws:iam::444455556666:role/identity-automation"))
        self.assertFalse(permits(tagging, "sts:AssumeRole", "arn:aws:iam::444455556666:role/admin"))

    def test_automation_reaches_users_and_logs_but_not_itself_or_other_objects(self):
        stmts = statements(self.default["AutomationPolicy"])
        bucket = f"arn:aws:s3:::audit-logs-{ACCOUNT}-{AWS_REGION}"
        for user in (f"arn:aws:iam::{ACCOUNT}:user/svc-backup-prod",
                     f"arn:aws:iam::{ACCOUNT}:user/ci/jenkins-deploy"):
            for action in IAM_USER_ACTIONS:
                self.assertTrue(permits(stmts, action, user), (action, user))
        self.assertTrue(permits(stmts, "s3:GetObject", f"{bucket}/AWSLogs/{ACCOUNT}/CloudTrail/x.json.gz"))
        self.assertFalse(permits(stmts, "s3:GetObject", f"{bucket}/elsewhere/x"))
        listing = [s for s in stmts if "s3:ListBucket" in as_list(s["Action"])]
        self.assertEqual(listing[0]["Condition"], {"StringLike": {"s3:prefix": ["AWSLogs/*"]}})
        own = f"arn:aws:iam::{ACCOUNT}:user/identity-automation"
        for action in ("iam:CreateAccessKey", "iam:PutUserPolicy", "iam:DeleteUser"):
            self.assertFalse(permits(stmts, action, own), action)
        self.assertTrue(permits(stmts, "iam:ListAccessKeys", own))  # harmless read

    def test_narrowed_paths_scope_every_user_action(self):
        res = Stack(self.t, {"ManagedUserPaths": "/ci/,/service-accounts/", "AllowUserTagging": "true"}).resources()
        stmts = statements(res["AutomationPolicy"])
        manage = next(s for s in stmts if s.get("Sid") == "ManageUsers")
        self.assertEqual(manage["Resource"], ["arn:*:iam::*:user/ci/*", "arn:*:iam::*:user/service-accounts/*"])
        for action in IAM_USER_ACTIONS | TAGGING:
            self.assertTrue(permits(stmts, action, f"arn:aws:iam::{ACCOUNT}:user/ci/gitlab-runner-03"), action)
            self.assertTrue(permits(stmts, action, f"arn:aws:iam::{ACCOUNT}:user/service-accounts/svc-x"))
            self.assertFalse(permits(stmts, action, f"arn:aws:iam::{ACCOUNT}:user/m.garcia"), action)
            self.assertFalse(permits(stmts, action, f"arn:aws:iam::{ACCOUNT}:user/cicd/x"), action)

    def test_principal_kinds_and_their_trust(self):
        user = self.default
        self.assertIn("AutomationUser", user)
        self.assertNotIn("AutomationRole", user)
        ec2 = Stack(self.t, {"PrincipalType": "ec2-role"}).resources()
        trust, = ec2["AutomationRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(trust["Principal"], {"Service": "ec2.amazonaws.com"})
        self.assertEqual(ec2["AutomationInstanceProfile"]["Properties"]["Roles"], ["identity-automation"])
        self.assertEqual(ec2["AutomationPolicy"]["Properties"]["Roles"], ["identity-automation"])
        self.assertNotIn("Users", ec2["AutomationPolicy"]["Properties"])
        xacct = Stack(self.t, {"PrincipalType": "cross-account-role", "ExternalId": "ext-123",
                               "TrustedPrincipalArn": "arn:aws:iam::999988887777:role/ops"}).resources()
        trust, = xacct["AutomationRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(trust["Principal"], {"AWS": "arn:aws:iam::999988887777:role/ops"})
        self.assertEqual(trust["Condition"], {"StringEquals": {"sts:ExternalId": "ext-123"}})
        self.assertNotIn("AutomationInstanceProfile", xacct)
        self.assertEqual(set(self.t["Rules"]), {"CrossAccountRoleNeedsPrincipal", "PushNeedsEndpointAndKey"})

    def test_config_snippet_is_valid_toml_for_the_s3_path(self):
        snippet = tomllib.loads(Stack(self.t).outputs()["ConfigSnippet"])
        self.assertEqual(snippet, {"provider": "aws", "aws": {"region": AWS_REGION},
                                   "ingest": {"s3": [f"s3://audit-logs-{ACCOUNT}-{AWS_REGION}/AWSLogs/"]}})

    def test_no_product_word_in_any_name_default_or_id(self):
        for path in (MAIN, REGION, MEMBER):
            for where, text in strings_outside_descriptions(load(path)):
                for word in PRODUCT_WORDS:
                    self.assertNotIn(word, text.lower(), f"{os.path.basename(path)}{where}: {text!r}")
        # The evaluated names, for every principal kind.
        for params in ({}, {"PrincipalType": "ec2-role"}, self.push_params):
            for lid, r in Stack(self.t, params).resources().items():
                for where, text in strings_outside_descriptions(r):
                    for word in PRODUCT_WORDS:
                        self.assertNotIn(word, text.lower(), f"{lid}{where}")

    def test_region_template_is_the_same_push_block(self):
        region = load(REGION)
        main = self.t["Resources"]
        for lid, r in region["Resources"].items():
            expected = {k: v for k, v in main[lid].items() if k != "Condition"}
            self.assertEqual(json.loads(json.dumps(r)), json.loads(json.dumps(expected)), lid)
        self.assertEqual(set(region["Resources"]), {lid for lid, r in main.items()
                                                    if r.get("Condition") == "PushEnabled"})


class MemberAccountTemplate(unittest.TestCase):
    def test_member_role_has_the_main_iam_set_and_a_trail_into_the_central_bucket(self):
        t = load(MEMBER)
        main = allowed_actions(statements(Stack(load(MAIN)).resources()["AutomationPolicy"]))
        res = Stack(t, {"AutomationPrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/identity-automation",
                        "CentralLogBucketName": "audit-logs-x", "ExternalId": "ext-1"}).resources()
        self.assertEqual(allowed_actions(statements(res["AutomationPolicy"])), main - TRAIL_READ)
        trust, = res["AutomationRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(trust["Condition"], {"StringEquals": {"sts:ExternalId": "ext-1"}})
        p = res["Trail"]["Properties"]
        self.assertEqual((p["IsMultiRegionTrail"], p["IncludeGlobalServiceEvents"], p["S3BucketName"]),
                         (True, True, "audit-logs-x"))
        self.assertEqual(p["EventSelectors"], [{"ReadWriteType": "All", "IncludeManagementEvents": True}])
        bare = Stack(t, {"AutomationPrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/x"}).resources()
        self.assertNotIn("Trail", bare)
        self.assertNotIn("Condition", bare["AutomationRole"]["Properties"]["AssumeRolePolicyDocument"]
                         ["Statement"][0])


class MotoCloudFormation(unittest.TestCase):
    """Deploys through moto's CloudFormation and reads the result back from moto."""

    @classmethod
    def setUpClass(cls):
        from moto.cloudformation.parsing import resource_class_from_type
        logging.getLogger("moto").setLevel(logging.ERROR)  # its "no support for" notes
        cls.template = load(MAIN)
        cls.unsupported = sorted({r["Type"] for r in cls.template["Resources"].values()
                                  if resource_class_from_type(r["Type"]) is None})

    def deployable(self, params):
        """The template minus what moto lacks, and whatever refers to it."""
        t = drop_novalue_list_items(json.loads(json.dumps(self.template)), Stack(self.template, params))
        gone = {lid for lid, r in t["Resources"].items() if r["Type"] in self.unsupported}
        while True:
            more = {lid for lid, r in t["Resources"].items() if lid not in gone and references(r) & gone}
            if not more:
                break
            gone |= more
        for lid in gone:
            del t["Resources"][lid]
        t["Outputs"] = {k: o for k, o in t["Outputs"].items() if not references(o) & gone}
        return t, gone

    def test_bucket_and_automation_principal_exist_with_their_settings(self):
        import boto3
        from moto import mock_aws
        params = {"LogRetentionDays": "30"}
        body, gone = self.deployable(params)
        self.assertNotIn("LogBucket", gone)
        self.assertNotIn("AutomationPolicy", gone)
        with warnings.catch_warnings(), mock_aws():
            warnings.simplefilter("ignore")
            cf = boto3.client("cloudformation", region_name=AWS_REGION)
            cf.create_stack(StackName="org-audit", TemplateBody=json.dumps(body),
                            Capabilities=["CAPABILITY_NAMED_IAM"],
                            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()])
            stack = cf.describe_stacks(StackName="org-audit")["Stacks"][0]
            self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE", stack.get("StackStatusReason"))
            account = boto3.client("sts", region_name=AWS_REGION).get_caller_identity()["Account"]
            bucket = f"audit-logs-{account}-{AWS_REGION}"
            s3 = boto3.client("s3", region_name=AWS_REGION)
            self.assertIn(bucket, [b["Name"] for b in s3.list_buckets()["Buckets"]])
            enc = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
            self.assertEqual(enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
            # (moto's CloudFormation applies only BucketEncryption and Tags to a
            # bucket; lifecycle and public access block are checked on the
            # evaluated template above.)
            iam = boto3.client("iam", region_name=AWS_REGION)
            iam.get_user(UserName="identity-automation")
            attached = iam.list_attached_user_policies(UserName="identity-automation")["AttachedPolicies"]
            self.assertEqual([p["PolicyName"] for p in attached], ["identity-automation-access"])
            policy = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
            doc = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
            document = doc["PolicyVersion"]["Document"]
            if isinstance(document, str):
                document = json.loads(document)
            self.assertEqual(allowed_actions(document["Statement"]), IAM_USER_ACTIONS | READ_ONLY | TRAIL_READ)
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
            self.assertEqual(outputs.get("LogBucketName"), bucket)
            self.assertEqual(tomllib.loads(outputs["ConfigSnippet"])["ingest"]["s3"], [f"s3://{bucket}/AWSLogs/"])

    def test_trail_and_push_resources(self):
        if self.unsupported:
            self.skipTest("moto's CloudFormation does not implement " + ", ".join(self.unsupported) +
                          " (cfn-lint and the evaluated-template tests cover them)")
        self.fail("moto now implements every type: deploy the whole template here")


class SystemdUnit(unittest.TestCase):
    def test_unit_verifies_without_warnings(self):
        exe = shutil.which("systemd-analyze")
        if not exe:
            self.skipTest("systemd-analyze not installed")
        binary = os.environ.get("SPACECRAB_BIN") or shutil.which("true")
        with open(os.path.join(SOURCE_DIR, "deploy", "systemd", "spacecrab.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/local/bin/spacecrab serve", unit)
        for directive in ("ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n",
                          "RestrictAddressFamilies=", "StateDirectory=spacecrab", "EnvironmentFile=",
                          "Restart=on-failure"):
            self.assertIn(directive, unit)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "spacecrab.service")
            with open(path, "w") as f:
                f.write(unit.replace("/usr/local/bin/spacecrab", binary))
            r = subprocess.run([exe, "verify", path], capture_output=True, text=True, timeout=60)
            # verify exits 0 on unknown keys but says so: any output is a finding.
            self.assertEqual((r.returncode, r.stdout.strip(), r.stderr.strip()), (0, "", ""))
            r = subprocess.run([exe, "security", "--offline=yes", path], capture_output=True, text=True, timeout=60)
            m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout + r.stderr)
            if m:  # older systemd lacks --offline
                self.assertLessEqual(float(m.group(1)), 2.0, r.stdout)


if __name__ == "__main__":
    unittest.main()
