#!/usr/bin/env bash
# Runs every side-by-side benchmark one after the other on this machine, so the ratios come from
# one sitting: RaftBurrow single node and 3 nodes (the shared wrk workload, scripts/bench.sh), then
# the peers in the shared bench directory (bare Kestrel ceiling, RabbitMQ quorum queues, NATS
# JetStream R3, disk flush latency). See docs/benchmarks.md.
#
#   scripts/bench_all.sh [ours|peers|all]      (default all)
#
# Env: DURATION (s per run, default 20), SHARED_BENCH (default /work/shared/bench, else
# ../shared/bench), OUT (default /tmp/raftburrow-bench), RESULTS (peers, default
# /tmp/raftburrow-peers), SINGLE_PORT (default 18888), LOAD_THR (peers wait for load1 below it).
# Uses scripts/cluster.sh (127.0.0.1-3, HTTP 8888, Raft 9100+): nothing else may use those ports.
# Stops only the processes it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what="${1:-all}"
export DURATION="${DURATION:-20}"
export OUT="${OUT:-/tmp/raftburrow-bench}"
SINGLE_PORT="${SINGLE_PORT:-18888}"
SHARED=""
for dir in "${SHARED_BENCH:-}" /work/shared/bench "$ROOT/../shared/bench"; do
  if [[ -n "$dir" && -x "$dir/run_bench.sh" ]]; then SHARED="$dir"; break; fi
done
[[ -n "$SHARED" ]] || { echo "bench_all.sh: shared bench directory not found (set SHARED_BENCH)" >&2; exit 2; }

wait_ping() { # url
  for _ in $(seq 120); do
    curl -s -o /dev/null -m 2 -w '%{http_code}' "$1/v2/ping" | grep -q '^20' && return 0
    sleep 0.5
  done
  echo "bench_all.sh: $1 did not come up" >&2; return 1
}

# A short run first so that JIT warm-up is not measured.
warm() { DURATION=3 CONCURRENCY=16 WORKLOADS="post1 post10" "$SHARED/run_bench.sh" "$1" warmup >/dev/null 2>&1 || true; }

ours() {
  (cd "$ROOT" && dotnet build src/RaftBurrow.Server -c Release -nologo -v q >/dev/null)
  local data pid
  data="$(mktemp -d)"
  echo "== RaftBurrow single node ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$ROOT/src/RaftBurrow.Server/bin/Release/net10.0/raftburrow" --RaftBurrow:DataDir="$data" \
    --RaftBurrow:HttpUrl="http://127.0.0.1:$SINGLE_PORT" --RaftBurrow:RaftBasePort=$((SINGLE_PORT + 100)) \
    --RaftBurrow:MaxMessagesPerQueue=0 >"$data/server.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  wait_ping "http://127.0.0.1:$SINGLE_PORT"
  warm "http://127.0.0.1:$SINGLE_PORT"
  "$SHARED/run_bench.sh" "http://127.0.0.1:$SINGLE_PORT" raftburrow-1node
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  rm -rf "$data"

  echo "== RaftBurrow 3 nodes ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$ROOT/scripts/cluster.sh" clean >/dev/null 2>&1 || true
  RaftBurrow__MaxMessagesPerQueue=0 "$ROOT/scripts/cluster.sh" up 3
  trap '"$ROOT/scripts/cluster.sh" down >/dev/null 2>&1 || true' EXIT
  warm http://127.0.0.1:8888
  "$SHARED/run_bench.sh" http://127.0.0.1:8888 raftburrow-3node
  "$ROOT/scripts/cluster.sh" clean >/dev/null 2>&1 || true
  trap - EXIT
}

peers() {
  local p="$SHARED/peers"
  echo "== bare Kestrel ceiling";  "$p/kestrel/run.sh" "$DURATION"
  echo "== RabbitMQ quorum queue, 3 nodes"; DURATION="$DURATION" "$p/rabbitmq/bench.sh"
  echo "== NATS JetStream R3"; DURATION="$DURATION" "$p/nats/bench.sh"
  echo "== disk flush latency"; "$p/disk/run.sh"
}

case "$what" in
  ours) ours ;;
  peers) peers ;;
  all) ours; peers ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
