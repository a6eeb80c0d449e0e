#!/usr/bin/env bash
# A/B of the WAL memory strategy (RaftBurrow:WalMemory / WalNoBuffering, docs/benchmarks.md "WAL
# memory strategy (session 3)"): the shared wrk workload POST 1 and POST 10 at 16 connections, one
# variant after the other, alternating the order each round, a fresh server (and data) per variant.
#
#   scripts/bench_wal_memory.sh one|three [ROUNDS]     (default: one, 2 rounds)
#
# Per run it prints one JSON line: msgs/s, p50/p99, server CPU µs per request (utime+stime of the
# server PIDs over the run ÷ requests), bytes written to disk and minor page faults per request
# (/proc/PID/io, /proc/PID/stat), RSS after
# the run (anonymous and file-backed parts), load1 before the run.
# Env: VARIANTS ("shared private direct"), DURATION (10), WARMUP (3), PORT (18810: 1 node, Raft on
# PORT+1000), CLUSTER_HTTP_PORT / CLUSTER_RAFT_BASE_PORT (8822 / 9220: 3 nodes, scripts/cluster.sh),
# OUT (/tmp/raftburrow-walmem), SHARED_BENCH (/work/shared/bench). Stops only what it started.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-one}"
rounds="${2:-2}"
VARIANTS="${VARIANTS:-shared private direct}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
PORT="${PORT:-18810}"
export CLUSTER_HTTP_PORT="${CLUSTER_HTTP_PORT:-8822}" CLUSTER_RAFT_BASE_PORT="${CLUSTER_RAFT_BASE_PORT:-9220}"
OUT="${OUT:-/tmp/raftburrow-walmem}"
SHARED=""
for dir in "${SHARED_BENCH:-}" /work/shared/bench "$ROOT/../shared/bench"; do
  if [[ -n "$dir" && -x "$dir/run_bench.sh" ]]; then SHARED="$dir"; break; fi
done
[[ -n "$SHARED" ]] || { echo "shared bench directory not found (set SHARED_BENCH)" >&2; exit 2; }
mkdir -p "$OUT"
RESULTS="$OUT/results-$mode-$(date -u +%Y%m%d-%H%M%S).jsonl"
BIN="$ROOT/src/RaftBurrow.Server/bin/Release/net10.0/raftburrow"

settings() { # variant -> --key=value arguments
  case "$1" in
    shared) echo "--RaftBurrow:WalMemory=SharedMemory --RaftBurrow:WalNoBuffering=false" ;;
    private) echo "--RaftBurrow:WalMemory=PrivateMemory --RaftBurrow:WalNoBuffering=false" ;;
    direct) echo "--RaftBurrow:WalMemory=PrivateMemory --RaftBurrow:WalNoBuffering=true" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

pids=(); url=""; single_pid=""; cluster_up=0
stop() {
  if [[ -n "$single_pid" ]]; then kill "$single_pid" 2>/dev/null; wait "$single_pid" 2>/dev/null; single_pid=""; fi
  if ((cluster_up)); then "$ROOT/scripts/cluster.sh" clean >/dev/null 2>&1; cluster_up=0; fi
}
trap stop EXIT

wait_ping() {
  for _ in $(seq 240); do
    curl -s -o /dev/null -m 2 -w '%{http_code}' "$1/v2/ping" | grep -q '^20' && return 0
    sleep 0.5
  done
  echo "$1 did not come up" >&2; return 1
}

start() { # variant
  local -a args
  read -r -a args <<<"$(settings "$1")"
  if [[ "$mode" == one ]]; then
    rm -rf "$OUT/one-data"; mkdir -p "$OUT/one-data"
    "$BIN" --RaftBurrow:DataDir="$OUT/one-data" --RaftBurrow:HttpUrl="http://127.0.0.1:$PORT" \
      --RaftBurrow:RaftBasePort=$((PORT + 1000)) --RaftBurrow:MaxMessagesPerQueue=0 \
      --RaftBurrow:SnapshotMinLogBytes=17179869184 "${args[@]}" >"$OUT/one-server-$1.log" 2>&1 &
    single_pid=$!; pids=("$single_pid"); url="http://127.0.0.1:$PORT"
    wait_ping "$url"
  else
    "$ROOT/scripts/cluster.sh" clean >/dev/null 2>&1
    cluster_up=1
    # cluster.sh passes settings on through the environment (ASP.NET style).
    local mem=SharedMemory nobuf=false
    [[ "$1" != shared ]] && mem=PrivateMemory
    [[ "$1" == direct ]] && nobuf=true
    RaftBurrow__MaxMessagesPerQueue=0 RaftBurrow__SnapshotMinLogBytes=17179869184 \
      RaftBurrow__WalMemory=$mem RaftBurrow__WalNoBuffering=$nobuf \
      "$ROOT/scripts/cluster.sh" up 3 >"$OUT/three-$1.log" 2>&1 || { echo "cluster did not come up: $OUT/three-$1.log" >&2; return 1; }
    mapfile -t pids < <(cat "$ROOT"/.cluster/node-*/pid)
    url="http://127.0.0.1:$CLUSTER_HTTP_PORT"
  fi
}

minflt() { local t=0 p; for p in "${pids[@]}"; do t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $8}'))); done; echo "$t"; }
cpu_ticks() { local t=0 p; for p in "${pids[@]}"; do t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12+$13}'))); done; echo "$t"; }
written() { local t=0 p; for p in "${pids[@]}"; do t=$((t + $(awk '/^write_bytes/{print $2}' "/proc/$p/io"))); done; echo "$t"; }
rss_kib() { local a=0 f=0 p; for p in "${pids[@]}"; do
  a=$((a + $(awk '/^RssAnon/{print $2}' "/proc/$p/status"))); f=$((f + $(awk '/^RssFile/{print $2}' "/proc/$p/status"))); done; echo "$a $f"; }

measure() { # round variant
  local round="$1" variant="$2" w load c0 c1 b0 b1 m0 m1 f rss
  start "$variant" || return 1
  DURATION="$WARMUP" CONCURRENCY=16 WORKLOADS="post1 post10" OUT="$OUT/warmup" "$SHARED/run_bench.sh" "$url" "warmup" >/dev/null 2>&1
  for w in post1 post10; do
    load=$(cut -d' ' -f1 /proc/loadavg); c0=$(cpu_ticks); b0=$(written); m0=$(minflt)
    DURATION="$DURATION" CONCURRENCY=16 WORKLOADS="$w" OUT="$OUT/runs" "$SHARED/run_bench.sh" "$url" "$mode-$variant-$w-r$round" >/dev/null 2>&1
    c1=$(cpu_ticks); b1=$(written); m1=$(minflt); rss=$(rss_kib)
    f=$(ls -t "$OUT/runs/$mode-$variant-$w-r$round-"*.jsonl | head -1)
    python3 - "$f" "$mode" "$variant" "$w" "$round" "$((c1 - c0))" "$(getconf CLK_TCK)" "$((b1 - b0))" $rss "$load" "$((m1 - m0))" <<'PY' | tee -a "$RESULTS"
import json, sys
f, mode, variant, w, rnd, ticks, hz, wrote, anon, filekib, load, faults = sys.argv[1:]
x = json.loads(open(f).readline())["result"]
req = x["requests"]
print(json.dumps({"mode": mode, "variant": variant, "workload": w, "round": int(rnd),
    "msgs_per_s": round(x["msgs_per_s"]), "p50_ms": x["lat_ms"]["p50"], "p99_ms": x["lat_ms"]["p99"],
    "non_201": req - x["ok_201"], "cpu_us_per_req": round(int(ticks) / int(hz) / req * 1e6, 1),
    "disk_bytes_per_req": round(int(wrote) / req), "minor_faults_per_req": round(int(faults) / req, 2), "rss_anon_mib": round(int(anon) / 1024),
    "rss_file_mib": round(int(filekib) / 1024), "load1": float(load)}))
PY
  done
  stop
}

echo "results: $RESULTS (load now $(cut -d' ' -f1-3 /proc/loadavg))"
read -r -a order <<<"$VARIANTS"
for ((r = 1; r <= rounds; r++)); do
  for v in "${order[@]}"; do measure "$r" "$v"; done
  # Alternate: the next round runs the variants in the reverse order.
  mapfile -t order < <(printf '%s\n' "${order[@]}" | tac)
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
