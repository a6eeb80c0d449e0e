#!/usr/bin/env bash
# The one-sitting benchmark of issue 8: every system, one after the other on this machine, so that the
# ratios come from one sitting. Steps, in order:
#   one      RaftBurrow, 1 node          the shared wrk workload (../shared/bench/run_bench.sh)
#   three    RaftBurrow, 3 nodes         the same, scripts/cluster.sh up 3 (wrk on node 1)
#   zaqar    Zaqar 15 reference          the same, zaqar-reference/start.sh (ZAQAR_REF_MODE=uwsgi)
#   kestrel  bare Kestrel ceiling        peers/kestrel/run.sh
#   rabbitmq RabbitMQ quorum queue x3    peers/rabbitmq/bench.sh (MATRIX pub16 pub64)
#   nats     NATS JetStream R3           peers/nats/bench.sh (MATRIX pub16 pub64)
#   disk     disk flush latency          peers/disk/run.sh
# then one markdown table per workload with the ratios of issue 8's targets (scripts/bench_report.py)
# and the throughput-vs-concurrency plot (scripts/plot_bench.py -> docs/img/throughput.svg).
#
#   scripts/bench_all.sh [all|ours|peers]     all = every step (default); ours = one three; peers = the rest
#   (optional step, not in all: three-private = 3 nodes with RaftBurrow:WalMemory=PrivateMemory, e.g.
#   STEPS="one three three-private zaqar kestrel rabbitmq nats disk" scripts/bench_all.sh all)
#   scripts/bench_all.sh report DIR           re-print the tables and re-draw the plot of an earlier run
#   scripts/bench_all.sh check                the pre-flight checks (packages, mirror, ports) and the plan only
#
# Env: DURATION (s per run, default 20: about 21 min in all), STEPS (a subset of the step names),
#   LOAD_THR (before each step wait for load1 below it, default 1.0) for at most LOAD_WAIT_MAX s (45),
#   BENCH_DIR (where everything goes, default /tmp/raftburrow-bench-all/<stamp>), PLOT (the SVG,
#   default docs/img/throughput.svg; PLOT= skips it), MATRIX (peer runs, "pub16 pub64"),
#   PREFILL_MSGS / PREFILL_MAX_S (claim runs' backlog, 30000 / 10), SHARED_BENCH (the shared directory,
#   default /work/shared/bench, else ../shared/bench), SINGLE_PORT (1 node's HTTP port, 18888).
# Needs (once, as root): apt-get install -y wrk rabbitmq-server nats-server fio redis-server uwsgi-core
#   uwsgi-plugin-python3 python3-zaqar zaqar-common python3-redis, and a git mirror of openstack/zaqar
#   (ZAQAR_MIRROR, see ../shared/bench/README.md). Ports: 18888/18988+ (1 node), 8888/9100+ on
#   127.0.0.1-3 (3 nodes), 8890/6390 (Zaqar), 18080 (Kestrel), 5672-5674/25672-25674 (RabbitMQ),
#   4222-4224/6222-6224/8222-8224 (NATS). Stops only the processes it started.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what="${1:-all}"
export DURATION="${DURATION:-20}"
export PREFILL_MSGS="${PREFILL_MSGS:-30000}" PREFILL_MAX_S="${PREFILL_MAX_S:-10}"
export MATRIX="${MATRIX:-pub16 pub64}"
SINGLE_PORT="${SINGLE_PORT:-18888}"
LOAD_THR="${LOAD_THR:-1.0}"
LOAD_WAIT_MAX="${LOAD_WAIT_MAX:-45}"
# Inside one system's step the runs follow each other without waiting, as run_bench.sh's do for
# ours and Zaqar; the peer scripts' own per-run waits are switched off the same way.
PEER_LOAD_THR="${PEER_LOAD_THR:-99}"
PLOT="${PLOT-$ROOT/docs/img/throughput.svg}"
WORKLOADS_ALL="post1 post10 claim"
CONCURRENCY_ALL="16 64"

SHARED=""
for dir in "${SHARED_BENCH:-}" /work/shared/bench "$ROOT/../shared/bench"; do
  if [[ -n "$dir" && -x "$dir/run_bench.sh" ]]; then SHARED="$dir"; break; fi
done
[[ -n "$SHARED" ]] || { echo "bench_all.sh: shared bench directory not found (set SHARED_BENCH)" >&2; exit 2; }
PEERS="$SHARED/peers"
REPORT="$ROOT/scripts/bench_report.py"

case "$what" in
  all|check) STEPS="${STEPS:-one three zaqar kestrel rabbitmq nats disk}" ;;
  ours) STEPS="${STEPS:-one three}" ;;
  peers) STEPS="${STEPS:-zaqar kestrel rabbitmq nats disk}" ;;
  report) ;;
  *) sed -n '2,30p' "$0"; exit 2 ;;
esac

render() { # DIR: tables (stdout and DIR/report.md) and the plot
  local dir="$1"
  python3 "$REPORT" table "$dir/results.jsonl" --meta "$dir/meta.json" | tee "$dir/report.md"
  if [[ -n "$PLOT" ]]; then
    mkdir -p "$(dirname "$PLOT")"
    python3 "$ROOT/scripts/plot_bench.py" -o "$PLOT" \
      --subtitle "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["machine"] + ", " + m["date"] + ", " + str(m["duration"]) + " s per run")' "$dir/meta.json")" \
      "$dir/results.jsonl"
  fi
  echo "results: $dir/results.jsonl  tables: $dir/report.md${PLOT:+  plot: $PLOT}"
}

if [[ "$what" == report ]]; then
  [[ -f "${2:-}/results.jsonl" ]] || { echo "usage: scripts/bench_all.sh report DIR (with DIR/results.jsonl)" >&2; exit 2; }
  render "$2"; exit 0
fi

STAMP="$(date -u +%Y%m%d-%H%M%S)"
DIR="${BENCH_DIR:-/tmp/raftburrow-bench-all/$STAMP}"
[[ "$what" == check ]] && DIR="$(mktemp -d)"
mkdir -p "$DIR"
RESULTS_FILE="$DIR/results.jsonl"
: >"$RESULTS_FILE"
export OUT="$DIR/wrk" RESULTS="$DIR/peers"
mkdir -p "$OUT" "$RESULTS"

# ---------------------------------------------------------------- pre-flight (fail now, not after 15 minutes)
has() { [[ " $STEPS " == *" $1 "* ]]; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
if has rabbitmq; then [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server); fi
if has nats; then command -v nats-server >/dev/null || missing+=(nats-server); fi
if has disk; then command -v fio >/dev/null || missing+=(fio); fi
if has zaqar; then
  for p in python3-zaqar zaqar-common python3-redis redis-server uwsgi-core uwsgi-plugin-python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  mirror="${ZAQAR_MIRROR:-/work/.mirror/openstack+zaqar/repo}"
  git -C "$mirror" cat-file -e 15.0.0:zaqar/storage/redis/scripts/claim_messages.lua 2>/dev/null \
    || { echo "bench_all.sh: no git mirror of openstack/zaqar at $mirror (ZAQAR_MIRROR; see $SHARED/README.md)" >&2; exit 2; }
fi
if ((${#missing[@]})); then
  echo "bench_all.sh: missing packages; as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 2
fi
busy=()
port_busy() { ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }
check_ports() { for p in "$@"; do port_busy "$p" && busy+=("$p"); done; }
has one && check_ports "$SINGLE_PORT"
{ has three || has three-private; } && check_ports 8888
has zaqar && check_ports "${ZAQAR_REF_PORT:-8890}" "${ZAQAR_REF_REDIS_PORT:-6390}"
has kestrel && check_ports 18080
has rabbitmq && check_ports 5672 5673 5674 25672 25673 25674
has nats && check_ports 4222 4223 4224 6222 6223 6224
if ((${#busy[@]})); then echo "bench_all.sh: ports in use: ${busy[*]} (stop what holds them first)" >&2; exit 2; fi

# ---------------------------------------------------------------- the plan, its duration, progress
nsteps=0; est=0
for s in $STEPS; do
  nsteps=$((nsteps + 1))
  n_matrix=$(wc -w <<<"$MATRIX")
  case "$s" in
    one) est=$((est + 6 * DURATION + 80)) ;;       # build, start, warm-up, 4 POST runs, 2 claim runs with a 10 s prefill
    three|three-private) est=$((est + 6 * DURATION + 60)) ;;
    zaqar) est=$((est + 6 * DURATION + 45)) ;;
    kestrel) est=$((est + 6 * DURATION + 45)) ;;   # build, 15 s JIT warm-up, GET/POST1/POST10 x 16/64
    rabbitmq) est=$((est + n_matrix * (DURATION + 6) + 80)) ;;
    nats) est=$((est + n_matrix * (DURATION + 6) + 20)) ;;
    disk) est=$((est + 80)) ;;
    *) echo "bench_all.sh: unknown step '$s'" >&2; exit 2 ;;
  esac
done
load1() { cut -d' ' -f1 /proc/loadavg; }
elapsed() { printf '%d:%02d' $((SECONDS / 60)) $((SECONDS % 60)); }
log() { echo "[bench_all $(elapsed)] $*" | tee -a "$DIR/progress.log"; }

wait_load() { # THRESHOLD MAX_SECONDS
  local thr="$1" max="$2" start=$SECONDS
  while ! awk -v l="$(load1)" -v t="$thr" 'BEGIN{exit !(l<t)}'; do
    if ((SECONDS - start >= max)); then log "  load1 $(load1) still >= $thr after ${max}s; going on"; return 0; fi
    sleep 5
  done
  ((SECONDS - start > 0)) && log "  waited $((SECONDS - start))s for load1 < $thr (now $(load1))"
  return 0
}

{
  echo "{"
  echo "  \"machine\": \"$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1 | sed 's/"/ /g'), $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r), .NET $(dotnet --version 2>/dev/null)\","
  echo "  \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\","
  echo "  \"duration\": $DURATION,"
  echo "  \"commit\": \"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)\","
  echo "  \"command\": \"DURATION=$DURATION scripts/bench_all.sh $what\","
  echo "  \"matrix\": \"$MATRIX\","
  echo "  \"steps\": \"$STEPS\""
  echo "}"
} >"$DIR/meta.json"

log "plan: $STEPS; DURATION=${DURATION}s per run; expected about $(((est + 59) / 60)) min of runs plus up to $(((nsteps * LOAD_WAIT_MAX + 59) / 60)) min waiting for load1 < $LOAD_THR before the steps"
has disk && log "  (the disk step's own script then waits for load1 < 0.8, 30 s polls, at most 10 min)"
if [[ "$what" == check ]]; then log "pre-flight OK: packages, zaqar mirror and ports; load now $(cut -d' ' -f1-3 /proc/loadavg)"; rm -rf "$DIR"; exit 0; fi
log "output: $DIR (results.jsonl, report.md, logs); load now $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- cleanup of whatever is still running
single_pid=""; cluster_up=0; zaqar_up=0
ZSTATE="$DIR/zaqar-ref"
cleanup() {
  if [[ -n "$single_pid" ]]; then kill "$single_pid" 2>/dev/null; wait "$single_pid" 2>/dev/null; single_pid=""; fi
  if ((cluster_up)); then "$ROOT/scripts/cluster.sh" clean >/dev/null 2>&1; cluster_up=0; fi
  if ((zaqar_up)); then ZAQAR_REF_STATE="$ZSTATE" "$SHARED/zaqar-reference/stop.sh" >/dev/null 2>&1; zaqar_up=0; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

cpu_of() { "$PEERS/common/cpu.sh" "$@"; } # summed utime+stime (s) of the PIDs

wait_ping() { # url
  for _ in $(seq 240); do
    curl -s -o /dev/null -m 2 -w '%{http_code}' "$1/v2/ping" | grep -q '^20' && return 0
    sleep 0.5
  done
  log "  $1 did not come up"; return 1
}

# run_bench.sh once per (workload, concurrency), so that the server CPU of each run is known.
# SYSTEM URL PIDS...
wrk_matrix() {
  local system="$1" url="$2"; shift 2
  local pids=("$@") w c c0 c1 l f
  # A short run first so that JIT warm-up and the first WAL chunks are not measured.
  DURATION=3 CONCURRENCY=16 WORKLOADS="post1 post10" OUT="$DIR/warmup" "$SHARED/run_bench.sh" "$url" "$system-warmup" \
    >>"$DIR/$system.log" 2>&1
  for w in $WORKLOADS_ALL; do
    for c in $CONCURRENCY_ALL; do
      l=$(load1); c0=$(cpu_of "${pids[@]}")
      WORKLOADS="$w" CONCURRENCY="$c" "$SHARED/run_bench.sh" "$url" "$system-$w-c$c" >>"$DIR/$system.log" 2>&1
      c1=$(cpu_of "${pids[@]}")
      f=$(ls -t "$OUT/$system-$w-c$c-"*.jsonl 2>/dev/null | head -1)
      if [[ -z "$f" || ! -s "$f" ]]; then log "  $w c$c: no result (see $DIR/$system.log)"; continue; fi
      python3 "$REPORT" wrk "$system" "$f" --cpu-s "$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b-a}')" --load "$l" \
        | tee -a "$RESULTS_FILE" \
        | python3 -c 'import json,sys
for l in sys.stdin:
    r=json.loads(l); cpu=r.get("server_cpu_us_per_req")
    print("  %-7s c%-3d %10.0f msgs/s  p50 %.1f / p99 %.1f ms%s  (load1 before %s)" % (r["workload"], r["concurrency"], r["msgs_per_s"], r["p50_ms"], r["p99_ms"], "  server CPU %.0f us/req" % cpu if cpu else "", r["load1"]))' \
        | tee -a "$DIR/progress.log"
    done
  done
}

step_one() {
  log "  building the server (Release)"
  (cd "$ROOT" && dotnet build src/RaftBurrow.Server -c Release -nologo -v q >"$DIR/build.log" 2>&1) \
    || { log "  build failed: $DIR/build.log"; return 1; }
  local data="$DIR/one-data"
  mkdir -p "$data"
  "$ROOT/src/RaftBurrow.Server/bin/Release/net10.0/raftburrow" --RaftBurrow:DataDir="$data" \
    --RaftBurrow:HttpUrl="http://127.0.0.1:$SINGLE_PORT" --RaftBurrow:RaftBasePort=$((SINGLE_PORT + 100)) \
    --RaftBurrow:MaxMessagesPerQueue=0 >"$DIR/one-server.log" 2>&1 &
  single_pid=$!
  wait_ping "http://127.0.0.1:$SINGLE_PORT" || return 1
  log "  server pid $single_pid on http://127.0.0.1:$SINGLE_PORT"
  wrk_matrix raftburrow-1node "http://127.0.0.1:$SINGLE_PORT" "$single_pid"
  kill "$single_pid" 2>/dev/null; wait "$single_pid" 2>/dev/null; single_pid=""
  rm -rf "$data"
}

step_three() { # [WalMemory]: the system is raftburrow-3node, or raftburrow-3node-private with PrivateMemory
  local system=raftburrow-3node wal="${1:-SharedMemory}"
  [[ "$wal" == PrivateMemory ]] && system=raftburrow-3node-private
  "$ROOT/scripts/cluster.sh" clean >/dev/null 2>&1
  cluster_up=1
  RaftBurrow__MaxMessagesPerQueue=0 RaftBurrow__WalMemory="$wal" "$ROOT/scripts/cluster.sh" up 3 >>"$DIR/$system.log" 2>&1 \
    || { log "  cluster did not come up: $DIR/$system.log"; return 1; }
  local pids; mapfile -t pids < <(cat "$ROOT"/.cluster/node-*/pid)
  log "  3 nodes up (pids ${pids[*]}, WalMemory=$wal); wrk on node 1, http://127.0.0.1:8888"
  wrk_matrix "$system" http://127.0.0.1:8888 "${pids[@]}"
  "$ROOT/scripts/cluster.sh" clean >/dev/null 2>&1; cluster_up=0
}

step_zaqar() {
  zaqar_up=1
  ZAQAR_REF_MODE=uwsgi ZAQAR_REF_STATE="$ZSTATE" "$SHARED/zaqar-reference/start.sh" >>"$DIR/zaqar.log" 2>&1 \
    || { log "  Zaqar did not start: $DIR/zaqar.log"; return 1; }
  local master redis pids
  master=$(cat "$ZSTATE/zaqar.pid"); redis=$(cat "$ZSTATE/redis.pid")
  # uwsgi: the master, its http router and workers are children of it; redis holds the messages.
  mapfile -t pids < <(echo "$master"; echo "$redis"; ps -o pid= --ppid "$master" | tr -d ' ')
  log "  Zaqar (uwsgi) pids ${pids[*]} on http://127.0.0.1:${ZAQAR_REF_PORT:-8890}"
  wrk_matrix zaqar "http://127.0.0.1:${ZAQAR_REF_PORT:-8890}" "${pids[@]}"
  ZAQAR_REF_STATE="$ZSTATE" "$SHARED/zaqar-reference/stop.sh" >>"$DIR/zaqar.log" 2>&1; zaqar_up=0
}

newest() { ls -t "$@" 2>/dev/null | head -1; }

step_kestrel() {
  LOAD_THR="$PEER_LOAD_THR" "$PEERS/kestrel/run.sh" "$DURATION" >>"$DIR/kestrel.log" 2>&1 || { log "  failed: $DIR/kestrel.log"; return 1; }
  local f; f=$(newest "$RESULTS"/kestrel/kestrel-*.tsv)
  python3 "$REPORT" kestrel "$f" >>"$RESULTS_FILE"
  sed 's/^/  /' "$f" | column -t -s $'\t' | tee -a "$DIR/progress.log"
}

step_peer() { # rabbitmq | nats
  local sys="$1" f
  LOAD_THR="$PEER_LOAD_THR" "$PEERS/$sys/bench.sh" >>"$DIR/$sys.log" 2>&1 || { log "  failed: $DIR/$sys.log"; return 1; }
  f=$(newest "$RESULTS/$sys/$sys"-*.tsv)
  python3 "$REPORT" peer "$sys" "$f" | tee -a "$RESULTS_FILE" | python3 -c 'import json,sys
for l in sys.stdin:
    r=json.loads(l)
    print("  publish, %3d in flight %10.0f msgs/s  confirm p50 %.1f / p99 %.1f ms  server CPU %s us/msg" % (r["concurrency"], r["msgs_per_s"], r["p50_ms"], r["p99_ms"], r["server_cpu_us_per_req"]))' \
    | tee -a "$DIR/progress.log"
}

step_disk() {
  # disk/run.sh itself waits (30 s polls, up to 10 min) for load1 < 0.8: wait for that here first.
  wait_load 0.8 180
  "$PEERS/disk/run.sh" >>"$DIR/disk.log" 2>&1 || { log "  failed: $DIR/disk.log"; return 1; }
  local f; f=$(newest "$RESULTS"/disk/disk-*.txt)
  python3 "$REPORT" disk "$f" | tee -a "$RESULTS_FILE" | python3 -c 'import json,sys
for l in sys.stdin: print("  " + json.loads(l)["text"])' | tee -a "$DIR/progress.log"
}

declare -A TITLE=([one]="RaftBurrow, 1 node" [three]="RaftBurrow, 3 nodes" [three-private]="RaftBurrow, 3 nodes, WalMemory=PrivateMemory" [zaqar]="Zaqar 15 reference (uwsgi)"
  [kestrel]="bare Kestrel ceiling" [rabbitmq]="RabbitMQ quorum queue, 3 nodes" [nats]="NATS JetStream R3, 3 nodes"
  [disk]="disk flush latency")
i=0; failed=()
for s in $STEPS; do
  i=$((i + 1))
  wait_load "$LOAD_THR" "$LOAD_WAIT_MAX"
  log "step $i/$nsteps: ${TITLE[$s]} (load $(cut -d' ' -f1-3 /proc/loadavg))"
  case "$s" in
    one) step_one ;;
    three) step_three ;;
    three-private) step_three PrivateMemory ;;
    zaqar) step_zaqar ;;
    kestrel) step_kestrel ;;
    rabbitmq) step_peer rabbitmq ;;
    nats) step_peer nats ;;
    disk) step_disk ;;
  esac || failed+=("$s")
  cleanup
done

log "all steps done in $(elapsed)${failed[*]:+; FAILED: ${failed[*]}}"
echo
render "$DIR"
((${#failed[@]} == 0))
