#!/usr/bin/env bash
# A "fresh clone" check: builds the server, starts one node the way README.md says
# (`dotnet run --project src/RaftBurrow.Server -c Release`) with its data in a temp directory,
# waits for /healthz, makes a Zaqar v2 and a Burrow v1.0 round trip with curl, and stops it.
#
#   scripts/smoke.sh                 REST on 127.0.0.1:8888, Raft on 127.0.0.1:9100–9107 (the defaults)
#   PORT=18888 RAFT_PORT=19100 scripts/smoke.sh   when the defaults are taken (e.g. by scripts/cluster.sh)
#   SMOKE_BUILD=all scripts/smoke.sh  build the whole solution first, not only the server
#   SMOKE_WAIT_SECONDS=180            how long to wait for /healthz (default 120)
#
# Exits 0 and prints "SMOKE PASSED" when every step answered as expected. It only ever signals
# the process group it started.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
port="${PORT:-8888}"
raft_port="${RAFT_PORT:-9100}"
wait_seconds="${SMOKE_WAIT_SECONDS:-120}"
base="http://127.0.0.1:$port"
work="$(mktemp -d "${TMPDIR:-/tmp}/raftburrow-smoke.XXXXXX")"
log="$work/server.log"
pid=""

die() { echo "smoke.sh: $*" >&2; [ -f "$log" ] && { echo "--- server log (tail):" >&2; tail -30 "$log" >&2; }; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_server() {
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    # SIGTERM to the group we started (dotnet run and the server it launched): graceful shutdown.
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  pid=""
}

cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

port_busy "$port" && die "port $port is in use; run with PORT=<free port> (and RAFT_PORT=<free base port>)"
for p in $(seq "$raft_port" $((raft_port + 7))); do
  port_busy "$p" && die "Raft port $p is in use; run with RAFT_PORT=<free base port> (8 consecutive ports)"
done

cd "$root"
echo "== build"
if [ "${SMOKE_BUILD:-server}" = all ]; then
  dotnet build RaftBurrow.sln -c Release -nologo -v q
else
  dotnet build src/RaftBurrow.Server -c Release -nologo -v q
fi

echo "== start: dotnet run --project src/RaftBurrow.Server -c Release (data in $work/data)"
# setsid: the server gets its own process group, so stopping it never touches anything else.
setsid dotnet run --project src/RaftBurrow.Server -c Release -- \
  "--RaftBurrow:HttpUrl=$base" "--RaftBurrow:RaftBasePort=$raft_port" "--RaftBurrow:DataDir=$work/data" \
  >"$log" 2>&1 &
pid=$!

deadline=$((SECONDS + wait_seconds))
until curl -sf "$base/healthz" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || die "the server exited before /healthz answered"
  [ "$SECONDS" -lt "$deadline" ] || die "/healthz did not answer within ${wait_seconds}s"
  sleep 0.5
done
echo "healthz: $(curl -s "$base/healthz")"

steps=0
# expect STATUS METHOD PATH [curl args...]: runs the request, checks the status, leaves the body in $body.
expect() {
  local want="$1" method="$2" path="$3" status
  shift 3
  status="$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$base$path" "$@")"
  body="$(cat "$work/body")"
  [ "$status" = "$want" ] || die "$method $path: expected $want, got $status: $body"
  steps=$((steps + 1))
  printf '%-7s %-60s %s\n' "$method" "$path" "$status"
}
contains() { case "$body" in *"$1"*) ;; *) die "expected the body to contain $1, got: $body" ;; esac; }

P='X-Project-ID: smoke'
C='Client-ID: 3381af92-2b9e-11e3-b191-71861300734c'
J='Content-Type: application/json'

echo "== Zaqar v2"
expect 204 GET /v2/ping
expect 201 PUT /v2/queues/smoke -H "$P" -H "$J" -d '{"description": "smoke test"}'
expect 200 GET /v2/queues/smoke -H "$P"
contains '"description":"smoke test"'
expect 201 POST /v2/queues/smoke/messages -H "$P" -H "$C" -H "$J" \
  -d '{"messages": [{"ttl": 300, "body": {"n": 1}}, {"ttl": 300, "body": {"n": 2}}]}'
contains '"resources"'
expect 200 GET '/v2/queues/smoke/messages?echo=true' -H "$P" -H "$C"
contains '"n": 1'
contains '"n": 2'
expect 201 POST '/v2/queues/smoke/claims?limit=1' -H "$P" -H "$C" -H "$J" -d '{"ttl": 60, "grace": 60}'
contains '"n": 1'
href="$(printf '%s' "$body" | grep -o '"href":"[^"]*claim_id=[^"]*"' | head -1 | cut -d'"' -f4)"
[ -n "$href" ] || die "no claimed message href in: $body"
expect 204 DELETE "$href" -H "$P" -H "$C"
expect 200 DELETE '/v2/queues/smoke/messages?pop=1' -H "$P" -H "$C"
contains '"n": 2'
expect 200 GET /v2/queues/smoke/stats -H "$P"
contains '"total":0'
expect 400 POST /v2/queues/smoke/messages -H "$P" -H "$C" -H "$J" -d '{"messages": [{"ttl": 10, "body": 1}]}'
contains '"title"'
expect 204 DELETE /v2/queues/smoke -H "$P"

echo "== Burrow v1.0"
expect 201 PUT '/v1.0/smoke/jobs/job1?ttl=300' --data-binary 'hello'
expect 200 GET '/v1.0/smoke/jobs/job1?detail=body'
[ "$body" = hello ] || die "GET job1 body: expected hello, got: $body"
expect 200 GET /v1.0/smoke/jobs
contains '"id":"job1"'
expect 200 POST '/v1.0/smoke/jobs?limit=1&hide=60&detail=id'
contains '"job1"'
expect 200 DELETE /v1.0/smoke/jobs/job1
expect 404 GET /v1.0/smoke

echo "== stop"
stop_server
echo "SMOKE PASSED ($steps requests)"
