#!/usr/bin/env bash
# Steps 6a, 6b and 6c of `apply` (examples/apply_iam.rs: one process, 6a and 6b
# concurrent) against an equivalent AWS CLI script (bench/apply_iam_cli.sh: the same IAM
# calls, in the same order, with the same documents), side by side against one moto_server,
# in two scenarios: a fresh account (everything is created) and a second run (everything
# exists: only reads). Prints hyperfine's report on stderr and a Markdown table with the
# medians and the ratio (CLI median / apply median) on stdout. Target: at least 10x.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-10}

for tool in hyperfine moto_server jq curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (hyperfine: apt-get install hyperfine; moto_server: pip install 'moto[server]')" >&2; exit 1; }
done
command -v aws >/dev/null || pip install --quiet awscli
cargo build --release --quiet --example apply_iam
SECONDS=0 # the budget (~5 minutes) counts from here: the build depends on what changed

work=$(mktemp -d)
mkdir "$work/home"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
HOME="$work/home" moto_server -p "$port" -H 127.0.0.1 >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -sf -o /dev/null "$url/moto-api/data.json" && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf -o /dev/null "$url/moto-api/data.json" || { echo "moto_server did not start" >&2; exit 1; }

# Both tools see only moto: test credentials, one attempt, no instance metadata, empty HOME.
export AWS_ENDPOINT_URL="$url" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1
export AWS_EC2_METADATA_DISABLED=true HOME="$work/home"
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_SESSION_TOKEN

metadata="$root/tests/fixtures/metadata/idc-metadata.xml"
names="ConnectSSO-Provider ConnectSSO-Policy ConnectSSO-Role"
apply="$root/target/release/examples/apply_iam $metadata $names"
cli="$root/bench/apply_iam_cli.sh $metadata $names"
reset="curl -sf -o /dev/null -X POST $url/moto-api/reset"

requests() { grep -c '"POST / ' "$work/moto.log" || true; }
# Runs a tool, checks each of its three lines says $2, and prints how many requests it made.
check() { # command, expected change
  local before out
  before=$(requests)
  out=$($1 2>/dev/null)
  [ "$(grep -c "$2" <<<"$out")" -eq 3 ] || { echo "expected 3x '$2' from: $1" >&2; echo "$out" >&2; exit 1; }
  sleep 0.3 # moto logs a request after answering it
  echo $(($(requests) - before))
}

# Before timing: both tools do the same thing and each accepts what the other made.
$reset; calls_apply_fresh=$(check "$apply" created); calls_apply_second=$(check "$apply" "already correct")
check "$cli" "already correct" >/dev/null
$reset; calls_cli_fresh=$(check "$cli" created); calls_cli_second=$(check "$cli" "already correct")
check "$apply" "already correct" >/dev/null

# Second-run scenario: reset, then create everything once. The checks above show the two
# tools leave interchangeable accounts (each finds the other's resources correct with the
# same reads), so apply_iam creates them for both: that keeps the bench within minutes,
# where the CLI script would add ~9 s of preparation to each of its runs.
printf '#!/bin/sh\nset -e\n%s\n%s >/dev/null 2>&1\n' "$reset" "$apply" >"$work/prepare"
chmod +x "$work/prepare"

hyperfine -N --warmup 1 --runs "$runs" --style basic --export-json "$work/fresh.json" \
  --prepare "$reset" \
  -n "apply (fresh account)" "$apply" \
  -n "AWS CLI script (fresh account)" "$cli" >&2
hyperfine -N --warmup 1 --runs "$runs" --style basic --export-json "$work/second.json" \
  --prepare "$work/prepare" \
  -n "apply (second run)" "$apply" \
  -n "AWS CLI script (second run)" "$cli" >&2

row() { # json file, scenario, apply calls, cli calls
  jq -r --arg s "$2" --arg a "$3" --arg c "$4" '
    .results as [$apply, $cli]
    | ($cli.median / $apply.median) as $ratio
    | "| \($s) | \($a) / \($c) | \($apply.median * 1000 | round) ms | \($cli.median * 1000 | round) ms | \($ratio * 10 | round / 10)x | \(if $ratio >= 10 then "yes" else "no" end) |"' "$1"
}
echo
echo "| Scenario | IAM requests (apply / CLI) | apply median | AWS CLI script median | CLI / apply | 10x met |"
echo "|---|---|---|---|---|---|"
row "$work/fresh.json" "fresh account (everything created)" "$calls_apply_fresh" "$calls_cli_fresh"
row "$work/second.json" "second run (everything exists, reads only)" "$calls_apply_second" "$calls_cli_second"
echo
echo "hyperfine -N, $runs runs each, medians; one warm-up run; ${SECONDS} s after the build; moto $(python3 -c 'import moto; print(moto.__version__)') on 127.0.0.1, $(nproc) cores; $(aws --version 2>&1 | cut -d' ' -f1)"
