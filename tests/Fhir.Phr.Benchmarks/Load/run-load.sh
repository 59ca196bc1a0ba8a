#!/usr/bin/env bash
# Load benchmark of the FHIR server (issue #2): a Release build on SQLite, protection on
# and then off, each scenario driven by wrk over loopback. Prints a markdown table.
# Usage: tests/Fhir.Phr.Benchmarks/Load/run-load.sh [seconds-per-scenario]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
seconds=${1:-15}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
python3 "$here/make-bundles.py" "$work"
dotnet publish "$root/src/Fhir.Phr.Server" -c Release -o "$work/app" >/dev/null

rate() { grep -E '^Requests/sec' | awk '{print $2}'; }
p99() { grep -E '^ +99%' | awk '{print $2}'; }

run_mode() {
  local mode=$1 disabled=$2 port=$3
  rm -rf "$work/data"
  Phr__DataDirectory="$work/data" Phr__Protection__DisabledForBenchmarks=$disabled Phr__Smart__BackendAccessTokenLifetime=01:00:00 \
    dotnet "$work/app/Fhir.Phr.Server.dll" --urls "http://127.0.0.1:$port" > "$work/server-$mode.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$port/metadata" -o /dev/null && break; sleep 1; done
  local base="http://127.0.0.1:$port"
  # The administrator client written at first start: one client_credentials request for a token.
  export PHR_TOKEN
  PHR_TOKEN=$(python3 - "$work/data/admin-client.json" <<'PY'
import base64, json, sys, urllib.parse, urllib.request
client = json.load(open(sys.argv[1]))
basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
body = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "system/*.cruds"}).encode()
request = urllib.request.Request(client["token_endpoint"], data=body, headers={"Authorization": "Basic " + basic})
print(json.load(urllib.request.urlopen(request))["access_token"])
PY
)
  local auth="Authorization: Bearer $PHR_TOKEN"
  # Data to read and search: 2,000 patients (+ documents) through 100-resource transactions.
  for _ in $(seq 1 20); do curl -sf -X POST "$base/" -H "$auth" -H 'Content-Type: application/fhir+json' -H 'Prefer: return=minimal' --data-binary @"$work/tx-100.json" -o /dev/null; done
  local id
  id=$(curl -sf -H "$auth" "$base/Patient?_count=1&_elements=id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["entry"][0]["resource"]["id"])')
  # Warm-up, then the measured runs.
  PHR_ID=$id wrk -t2 -c8 -d3s -s "$here/read.lua" "$base" >/dev/null
  for c in 1 8 64; do
    local t=$(( c < 2 ? 1 : 2 ))
    PHR_ID=$id wrk -t$t -c$c -d${seconds}s --latency -s "$here/read.lua" "$base" > "$work/read-$mode-$c.txt"
    echo "| $mode | read Patient, $c connections | $(rate < "$work/read-$mode-$c.txt") req/s | p99 $(p99 < "$work/read-$mode-$c.txt") |"
  done
  wrk -t2 -c8 -d${seconds}s --latency -s "$here/search.lua" "$base" > "$work/search-$mode.txt"
  echo "| $mode | search Patient?name=bench (first page), 8 connections | $(rate < "$work/search-$mode.txt") req/s | p99 $(p99 < "$work/search-$mode.txt") |"
  PHR_BODY="$work/tx-2.json" wrk -t2 -c8 -d${seconds}s --latency -s "$here/post.lua" "$base" > "$work/tx-$mode.txt" 2> "$work/tx-$mode.err"
  echo "| $mode | transaction 1 Patient + 1 DocumentReference, 8 connections | $(rate < "$work/tx-$mode.txt") tx/s | p99 $(p99 < "$work/tx-$mode.txt") |"
  PHR_BODY="$work/tx-100.json" wrk -t2 -c4 -d${seconds}s --latency -s "$here/post.lua" "$base" > "$work/ingest-$mode.txt" 2> "$work/ingest-$mode.err"
  local tx
  tx=$(rate < "$work/ingest-$mode.txt")
  echo "| $mode | ingestion, 100-resource transactions, 4 connections | $(python3 -c "print(round($tx*100))") resources/s | p99 $(p99 < "$work/ingest-$mode.txt") |"
  if [ -s "$work/tx-$mode.err" ] || [ -s "$work/ingest-$mode.err" ]; then echo "errors:"; sort "$work"/*-$mode.err | uniq -c; fi
  kill $pid; wait $pid 2>/dev/null || true
}

echo "| protection | scenario | throughput | latency |"
echo "| --- | --- | --- | --- |"
run_mode on false 18080
run_mode off true 18081
