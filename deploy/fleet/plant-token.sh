#!/bin/sh
# plant-token.sh: ask the token API for one token for this machine and write
# its credentials to PATH in FORMAT, readable by the owner only.
#
#   SPACECRAB_ADDR=https://tokens.example.com SPACECRAB_API_KEY=sck_... \
#     plant-token.sh [-f] PATH FORMAT OWNER
#
# PATH    where the file goes (parent directories are created, mode 0700)
# FORMAT  json | aws-credentials | aws-config | csv | env | powershell |
#         dockerfile | k8s-secret
# OWNER   who answers for this placement (e.g. an e-mail address)
# -f      overwrite PATH if it exists (default: refuse)
#
# The token's location is "<hostname>:<absolute PATH>". Needs only POSIX sh,
# awk and curl; the API key is passed to curl on stdin, never on the command
# line (where `ps` would show it). Exit status: 0 planted, 1 failed, 2 usage.
set -eu

usage() {
  echo "usage: plant-token.sh [-f] PATH FORMAT OWNER (env SPACECRAB_ADDR, SPACECRAB_API_KEY)" >&2
  exit 2
}
die() {
  echo "plant-token: $*" >&2
  exit 1
}

force=0
if [ "${1:-}" = "-f" ]; then
  force=1
  shift
fi
[ $# -eq 3 ] || usage
target=$1
format=$2
owner=$3
[ -n "${SPACECRAB_ADDR:-}" ] || die "SPACECRAB_ADDR is not set (e.g. https://tokens.example.com)"
[ -n "${SPACECRAB_API_KEY:-}" ] || die "SPACECRAB_API_KEY is not set"
case $format in
  json | aws-credentials | aws-config | csv | env | powershell | dockerfile | k8s-secret) ;;
  *) die "unknown format '$format' (json, aws-credentials, aws-config, csv, env, powershell, dockerfile, k8s-secret)" ;;
esac
case $target in
  *"
"*) die "PATH must not contain a newline" ;;
esac

umask 077
dir=$(dirname -- "$target")
base=$(basename -- "$target")
mkdir -p -- "$dir" || die "cannot create $dir"
dir=$(cd -- "$dir" && pwd -P) || die "cannot enter $dir"
target="$dir/$base"
if [ -e "$target" ] && [ "$force" -ne 1 ]; then
  die "$target exists; use -f to overwrite it"
fi

# JSON string contents: backslash and quote escaped; control characters refused.
json_escape() {
  case $1 in
    *[[:cntrl:]]*) die "control characters are not allowed in '$1'" ;;
  esac
  printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'
}

host=$(hostname 2>/dev/null || uname -n)
location="$host:$target"
planted_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
work=$(mktemp -d "${TMPDIR:-/tmp}/plant.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf -- "$work"' EXIT INT TERM

printf '{"location":"%s","owner":"%s","planted_at":"%s","format":"%s"}' \
  "$(json_escape "$location")" "$(json_escape "$owner")" "$planted_at" "$format" >"$work/request.json"

addr=${SPACECRAB_ADDR%/}
status=$(printf 'Authorization: Bearer %s\n' "$SPACECRAB_API_KEY" |
  curl -sS -X POST --max-time 60 -H @- -H 'Content-Type: application/json' \
    -H 'Accept: application/json' --data-binary "@$work/request.json" \
    -o "$work/response.json" -w '%{http_code}' "$addr/api/v1/tokens") ||
  die "cannot reach $addr"

# Prints the decoded JSON string value of the first "NAME": "..." in the file.
# Handles the escapes JSON uses for ASCII text; enough for credentials and
# problem details, which is all this script reads.
json_string() {
  awk -v name="$1" '
    { doc = doc $0 }
    END {
      key = "\"" name "\""
      i = index(doc, key)
      if (i == 0) exit 1
      rest = substr(doc, i + length(key))
      if (!sub(/^[ \t]*:[ \t]*"/, "", rest)) exit 1
      out = ""
      n = length(rest)
      for (p = 1; p <= n; p++) {
        c = substr(rest, p, 1)
        if (c == "\"") { printf "%s", out; exit 0 }
        if (c == "\\") {
          p++
          e = substr(rest, p, 1)
          if (e == "n") c = "\n"
          else if (e == "t") c = "\t"
          else if (e == "r") c = "\r"
          else if (e == "/" || e == "\\" || e == "\"") c = e
          else if (e == "u" && substr(rest, p + 1, 2) == "00") {
            h = substr(rest, p + 3, 2); p += 4
            c = sprintf("%c", index("0123456789abcdef", tolower(substr(h, 1, 1))) * 16 - 16 + index("0123456789abcdef", tolower(substr(h, 2, 1))) - 1)
          } else exit 2
        }
        out = out c
      }
      exit 1
    }' "$work/response.json"
}

case $status in
  2??) ;;
  *)
    detail=$(json_string detail 2>/dev/null || true)
    die "the API refused (HTTP $status): ${detail:-$(head -c 200 "$work/response.json")}"
    ;;
esac

json_string formatted >"$work/credentials" || die "the API answer carried no formatted credentials"
token_id=$(json_string id || true)
chmod 600 "$work/credentials"
mv -f -- "$work/credentials" "$target" || die "cannot write $target"
echo "planted ${token_id:-a token} at $location"
