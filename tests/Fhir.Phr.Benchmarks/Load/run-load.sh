#!/usr/bin/env bash
# Load benchmark of the FHIR server (issue #2): a Release build on SQLite, protection on
# and then off, each scenario driven by wrk over loopback. Prints a markdown table.
# Each scenario first runs unmeasured for a few seconds (the JIT's tiered compilation of a
# freshly started server otherwise takes half the CPU of the first minute); besides wrk's
# figures the table gives the server's CPU time per request (user + system, from /proc),
# which moves much less than throughput on a shared machine, and the load average.
# The server runs with its own folder as content root, as deployed: from another working
# directory it misses appsettings.json and logs every request and SQL command to the console.
# Usage: tests/Fhir.Phr.Benchmarks/Load/run-load.sh [seconds-per-scenario] [warm-up-seconds]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
seconds=${1:-15}
warmup=${2:-10}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
python3 "$here/make-bundles.py" "$work"
dotnet publish "$root/src/Fhir.Phr.Server" -c Release -o "$work/app" >/dev/null

rate() { grep -E '^Requests/sec' | awk '{print $2}'; }
p99() { grep -E '^ +99%' | awk '{print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# scenario <label> <unit> <multiplier> <connections> <lua> [body]: a warm-up, then the measured
# run. wrk's default 2 s timeout would drop whole 100-resource transactions, and it counts
# error statuses as requests, so both are handled here: a long timeout, and errors reported.
scenario() {
  local label=$1 unit=$2 multiplier=$3 c=$4 lua=$5 body=${6:-} out="$work/$5-$mode-$4.txt"
  local threads=$(( c < 2 ? 1 : 2 ))
  PHR_BODY=$body wrk -t$threads -c$c -d${warmup}s --timeout 60s -s "$here/$lua.lua" "$base" > /dev/null 2>&1
  local before
  before=$(cpu_ticks)
  PHR_BODY=$body wrk -t$threads -c$c -d${seconds}s --timeout 60s --latency -s "$here/$lua.lua" "$base" > "$out" 2> "$out.err"
  local ticks=$(( $(cpu_ticks) - before ))
  local requests errors
  requests=$(grep -E 'requests in' "$out" | awk '{print $1}')
  errors=$(grep -E 'Non-2xx' "$out" | awk '{print $NF}' || true)
  python3 - "$mode" "$label" "$unit" "$multiplier" "$(rate < "$out")" "$(p99 < "$out")" "$ticks" "$requests" "${errors:-0}" "$(load1)" "$(getconf CLK_TCK)" <<'PY'
import sys
mode, label, unit, mult, rate, p99, ticks, requests, errors, load, hz = sys.argv[1:]
requests = int(requests or 0)
cpu = f"{int(ticks) * 1000 / int(hz) / requests:.2f} ms" if requests else "n/a"
note = f" ({errors} errors)" if errors != "0" else ""
print(f"| {mode} | {label} | {float(rate) * float(mult):,.0f} {unit}{note} | {p99} | {cpu} | {load} |")
PY
}

run_mode() {
  local mode=$1 disabled=$2 port=$3
  rm -rf "$work/data"
  Phr__DataDirectory="$work/data" Phr__Protection__DisabledForBenchmarks=$disabled Phr__Smart__BackendAccessTokenLifetime=01:00:00 \
    dotnet "$work/app/Fhir.Phr.Server.dll" --contentRoot "$work/app" --urls "http://127.0.0.1:$port" > "$work/server-$mode.log" 2>&1 &
  pid=$!
  # Start-up builds and warms the validator: seconds on an idle machine, minutes on a busy one.
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/metadata" -o /dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$port/metadata" -o /dev/null || { echo "the server did not start:"; tail -20 "$work/server-$1.log"; exit 1; }
  base="http://127.0.0.1:$port"
  mode=$1
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
  export PHR_ID=$id
  for c in 1 8 64; do
    scenario "read Patient, $c connections" req/s 1 $c read
  done
  scenario "search Patient?name=bench (first page), 8 connections" req/s 1 8 search
  scenario "transaction 1 Patient + 1 DocumentReference, 8 connections" tx/s 1 8 post "$work/tx-2.json"
  scenario "transaction updating a stored Patient + 1 new DocumentReference, 8 connections" tx/s 1 8 post "$work/tx-stored.json"
  scenario "ingestion, 100-resource transactions of 50 new patients, 4 connections" resources/s 100 4 post "$work/tx-100.json"
  scenario "ingestion, 100-resource transactions of one new patient's record, 4 connections" resources/s 100 4 post "$work/tx-record-100.json"
  if grep -q . "$work"/*-$mode-*.err 2>/dev/null; then echo "errors:"; cat "$work"/*-$mode-*.err | sort | uniq -c; fi
  kill $pid; wait $pid 2>/dev/null || true
}

echo "| protection | scenario | throughput | p99 latency | server CPU per request | load (1 min) |"
echo "| --- | --- | --- | --- | --- | --- |"
# Free loopback ports: another server on the machine must not answer in this one's place.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run_mode on false "$(free_port)"
run_mode off true "$(free_port)"
