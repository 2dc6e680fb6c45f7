// The default styles and word lists of IamNameGenerator, modelled on the user
// names found in real AWS accounts (CI systems, SaaS integrations, per-service
// accounts, people who predate SSO). Kept apart from the generator's logic
// because it is data an operator may want to read and replace.
#include "provider/iam/name_generator.h"

namespace spacecrab {

IamNameGeneratorOptions DefaultIamNameGeneratorOptions() {
  IamNameGeneratorOptions o;
  o.styles = {
      {"service", 4,
       {"svc-{purpose}-{env}", "svc-{purpose}", "{purpose}-{env}", "{purpose}-{region}",
        "{purpose}-svc", "sa-{purpose}", "{team}-{purpose}", "app-{purpose}-{env}",
        "{purpose}-{env}-{region}", "{purpose}-user", "{purpose}-{nn}", "{team}-{purpose}-{env}"},
       {"/", "/", "/", "/service-accounts/", "/svc/", "/system/", "/applications/",
        "/app/{team}/", "/automation/", "/{env}/"}},
      {"tool", 3,
       {"{tool}-{tool_role}", "{tool}", "{tool}-{env}", "{tool}-{tool_role}-{env}", "{tool}-{nn}",
        "{tool}-{tool_role}-{nn}", "{tool}-{purpose}", "{tool}-integration", "{team}-{tool}"},
       {"/", "/", "/ci/", "/cicd/", "/integrations/", "/automation/", "/service-accounts/",
        "/build/", "/{team}/"}},
      {"person", 3,
       {"{first}.{last}", "{f}.{last}", "{f}{last}", "{first}.{l}", "{first}{l}", "{first}_{last}",
        "{first}-{last}", "{first}"},
       {"/", "/", "/", "/users/", "/users/{team}/", "/staff/", "/employees/", "/{team}/",
        "/people/"}},
  };
  o.words["env"] = {"prod", "production", "prd", "stg", "staging", "dev", "qa", "uat",
                    "preprod", "int", "test", "live"};
  o.words["region"] = {"eu", "us", "uk", "de", "fr", "apac", "emea", "us-east", "eu-west",
                       "use1", "usw2", "euc1", "ap-south", "sa"};
  o.words["team"] = {"engineering", "platform", "data", "devops", "sre", "finance", "marketing",
                     "sales", "infra", "backend", "frontend", "mobile", "analytics", "it",
                     "support", "ops", "research", "product", "growth", "payments", "ml"};
  o.words["purpose"] = {
      "backup", "deploy", "billing", "reporting", "metrics", "logging", "s3-sync", "etl",
      "analytics", "payments", "search", "mailer", "ingest", "export", "archive", "monitoring",
      "build", "release", "cdn", "dns", "snapshots", "ledger", "inventory", "crm", "invoices",
      "media", "uploads", "scheduler", "alerts", "registry", "gateway", "cache", "queue",
      "warehouse", "datalake", "sftp", "batch", "cron", "audit", "compliance", "notifications",
      "webhooks", "images", "thumbnails", "transcode", "ml-training", "feature-store",
      "dashboards", "route53-updater", "cert-renewal", "cost-reports", "data-sync",
      "log-shipper", "orders", "shipping", "catalog", "pricing", "checkout", "identity",
      "ldap-sync", "hr-sync", "patching", "config", "secrets-sync", "db-backup", "replication",
      "email", "sms", "geo", "recommendations", "fraud", "kyc", "ses-sender", "ecr-push"};
  o.words["tool"] = {
      "jenkins", "terraform", "gitlab", "gitlab-runner", "github-actions", "circleci", "ansible",
      "packer", "bamboo", "teamcity", "argocd", "spinnaker", "buildkite", "octopus", "datadog",
      "splunk", "newrelic", "sumologic", "snowflake", "fivetran", "airflow", "databricks",
      "looker", "tableau", "sentry", "vault", "consul", "velero", "veeam", "rclone", "kubecost",
      "cloudhealth", "bitbucket", "drone", "travis", "codefresh", "pulumi", "atlantis",
      "flux", "harness", "grafana", "prometheus", "elastic", "logstash", "fluentd", "stitch",
      "segment", "mparticle", "braze", "zapier", "retool", "metabase", "dbt", "matillion"};
  o.words["tool_role"] = {"deploy", "ci", "cd", "build", "automation", "release",
                          "integration", "agent", "sync", "runner", "uploader", "publisher",
                          "reader", "readonly", "exporter", "worker", "prod", "svc"};
  o.words["first"] = {
      "anna", "maria", "james", "john", "robert", "michael", "david", "sarah", "laura", "emma",
      "olivia", "sophia", "daniel", "thomas", "paul", "mark", "linda", "susan", "karen", "nancy",
      "kevin", "brian", "jason", "ryan", "eric", "peter", "julia", "nina", "elena", "ivan",
      "lucas", "mateo", "chen", "wei", "priya", "rahul", "arjun", "fatima", "omar", "yusuf",
      "lena", "jonas", "felix", "marta", "pablo", "carlos", "sofia", "hana", "kenji", "yuki",
      "min-jun", "ji-woo", "aisha", "chidi", "tunde", "amara", "kwame", "zanele", "lars",
      "ingrid", "sven", "astrid", "mikko", "aino", "pierre", "camille", "giulia", "marco",
      "luca", "alessia", "joao", "ana", "diego", "valentina", "santiago", "isabel", "andrei",
      "katya", "dmitri", "olga", "tomasz", "agnieszka", "petr", "eva", "mehmet", "elif",
      "ahmed", "layla", "noah", "liam", "ethan", "ava", "mia", "chloe", "grace", "hannah",
      "alex", "sam", "chris", "jordan", "taylor", "morgan", "jamie", "casey", "dev", "raj",
      "anita", "sunil", "deepa", "vikram", "mei", "lin", "hao", "xin", "bao", "thanh"};
  o.words["last"] = {
      "garcia", "smith", "johnson", "williams", "brown", "jones", "miller", "davis",
      "martinez", "lopez", "wilson", "anderson", "taylor", "thomas", "moore", "martin", "lee",
      "walker", "hall", "young", "king", "wright", "scott", "green", "baker", "adams", "nelson",
      "hill", "campbell", "mitchell", "roberts", "carter", "kowalski", "novak", "schmidt",
      "muller", "weber", "rossi", "russo", "dubois", "moreau", "silva", "santos", "patel",
      "kumar", "singh", "nguyen", "tanaka", "okafor", "adeyemi", "mensah", "osei", "dlamini",
      "nkosi", "kim", "park", "choi", "wang", "zhang", "liu", "huang", "sato", "suzuki",
      "takahashi", "yamamoto", "larsen", "nielsen", "hansen", "johansson", "virtanen",
      "korhonen", "lefebvre", "bernard", "ferrari", "esposito", "bianchi", "pereira", "costa",
      "oliveira", "fernandez", "gonzalez", "rodriguez", "sanchez", "ramirez", "torres",
      "ivanov", "petrov", "sokolov", "nowak", "wojcik", "horvat", "yilmaz", "demir", "kaya",
      "hassan", "ali", "khan", "ahmed", "cohen", "levi", "murphy", "kelly", "obrien", "byrne",
      "fischer", "wagner", "becker", "hoffmann", "schulz", "meyer", "jansen", "devries",
      "peeters", "dupont", "reyes", "cruz", "flores", "morales", "ortiz", "chavez", "shah",
      "mehta", "iyer", "reddy", "rao", "joshi", "das", "bose", "tran", "pham", "le"};
  o.forbidden_words = {"spacecrab", "space-crab", "crab",   "honey",    "canary", "decoy",
                       "trap",      "token",      "bait",   "fake",     "tripwire", "alarm",
                       "lure",      "honeypot",   "siren",  "spacesiren", "sentinel", "thinkst",
                       "canarytokens", "deception", "detect", "tarpit"};
  return o;
}

}  // namespace spacecrab
