#!/usr/bin/env bash
# Whole-process benchmark of the offline commands: median wall time (hyperfine) and peak
# resident memory (GNU time). Targets: under 20 ms and under 20 MB each.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "install GNU time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin="$PWD/target/release/connect-sso"
cd tests/fixtures
commands=(
  "$bin metadata check metadata/idc-metadata.xml"
  "$bin plan --instance-arn arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef --metadata metadata/idc-metadata.xml"
  "$bin plan --config answers/acme.toml --format markdown"
  "$bin plan --config answers/acme.toml --format json"
)
hyperfine -N --warmup 10 --runs 300 --export-json /tmp/connect-sso-bench.json "${commands[@]}" >/dev/null
python3 - <<'PY'
import json
for r in json.load(open("/tmp/connect-sso-bench.json"))["results"]:
    print(f"median {r['median']*1000:6.2f} ms  mean {r['mean']*1000:6.2f} ms  max {r['max']*1000:6.2f} ms  {r['command'].split('release/')[1]}")
PY
for c in "${commands[@]}"; do
  rss=$( { /usr/bin/time -f '%M' $c >/dev/null; } 2>&1 | tail -1 )
  echo "peak RSS ${rss} KiB  ${c#*release/}"
done
