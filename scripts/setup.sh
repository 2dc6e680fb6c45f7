#!/usr/bin/env bash
# Installs everything spacecrab needs to build, run and test on Debian 12.
# Idempotent: packages already present are skipped, and `apt-get update` runs at
# most once per invocation (and only when something is missing).
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config git
  # libraries (see README "Dependencies" for why each)
  libssl-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev zlib1g-dev libdeflate-dev
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libtomlplusplus-dev
  libspdlog-dev libfmt-dev libcpp-httplib-dev libmaxminddb-dev libisal-dev libpugixml-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # test and benchmark peers
  sqlite3 postgresql python3-aiosmtpd libdeflate-tools jq wrk hyperfine tor-geoipdb
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The attacker tools the end-to-end tests drive (aws CLI, boto3) and moto come
# preinstalled on the CI machines; say so clearly if they are not.
for tool in python3 aws moto_server; do
  command -v "$tool" >/dev/null || echo "setup: warning: '$tool' not found; AWS-side tests will be skipped" >&2
done
exit 0
