#!/usr/bin/env bash
# Runs a local RaftBurrow cluster on loopback: node i binds 127.0.0.i, HTTP on port 8888, Raft
# partition p on port 9100 + p; data and logs under .cluster/node-i/. See docs/operations.md.
#
#   scripts/cluster.sh up N      start N nodes (1, 3 or 5), wait until every partition has a leader
#   scripts/cluster.sh down      stop every node this script started (data is kept; `clean` wipes it)
#   scripts/cluster.sh status    which nodes run, and each node's view of the partitions
#   scripts/cluster.sh kill I    kill -9 node I
#   scripts/cluster.sh stop I    stop node I gracefully (SIGTERM)
#   scripts/cluster.sh start I   restart node I with its data, wait until it sees a leader everywhere
#   scripts/cluster.sh join I    start a NEW node I (I = current size + 1) that waits to be added:
#                                then `raftburrow-cli node add --id I ...` (docs/operations.md)
#   scripts/cluster.sh clean     down, then delete .cluster/
#
# Nodes inherit this script's environment, so any setting can be given ASP.NET style, e.g.
#   RaftBurrow__Partitions=16 scripts/cluster.sh up 3
# CLUSTER_HTTP_PORT / CLUSTER_RAFT_BASE_PORT (default 8888 / 9100) move the ports, e.g. when another
# cluster already uses them on this machine.
# The script only ever signals PIDs it recorded in .cluster/node-i/pid, and only while that PID
# still runs the raftburrow server of that node.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
state="$root/.cluster"
dll="$root/src/RaftBurrow.Server/bin/Release/net10.0/raftburrow.dll"
http_port="${CLUSTER_HTTP_PORT:-8888}"
raft_base_port="${CLUSTER_RAFT_BASE_PORT:-9100}"
wait_seconds="${CLUSTER_WAIT_SECONDS:-60}"

die() { echo "cluster.sh: $*" >&2; exit 1; }

node_dir() { echo "$state/node-$1"; }

# The PID of node $1 if it is running and is really our raftburrow process; empty otherwise.
node_pid() {
  local file pid
  file="$(node_dir "$1")/pid"
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "raftburrow.dll.*--RaftBurrow:NodeId=$1 "; then
    echo "$pid"
  fi
}

cluster_size() {
  [ -f "$state/size" ] || die "no cluster here (run: scripts/cluster.sh up N)"
  cat "$state/size"
}

build() {
  echo "building (Release)…"
  (cd "$root" && dotnet build src/RaftBurrow.Server -c Release -nologo -v q) >"$state/build.log" 2>&1 \
    || { cat "$state/build.log" >&2; die "build failed"; }
}

start_node() {
  local i="$1" n="$2" join="${3:-}" dir args=()
  dir="$(node_dir "$i")"
  mkdir -p "$dir/data"
  args+=("--RaftBurrow:NodeId=$i" "--RaftBurrow:HttpUrl=http://127.0.0.$i:$http_port"
         "--RaftBurrow:RaftAddress=127.0.0.$i" "--RaftBurrow:RaftBasePort=$raft_base_port"
         "--RaftBurrow:DataDir=$dir/data")
  for ((k = 1; k <= n; k++)); do
    args+=("--RaftBurrow:Peers:$k:Id=$k" "--RaftBurrow:Peers:$k:RaftAddress=127.0.0.$k"
           "--RaftBurrow:Peers:$k:RaftBasePort=$raft_base_port" "--RaftBurrow:Peers:$k:HttpUrl=http://127.0.0.$k:$http_port"
           "--RaftBurrow:Peers:$k:Zone=zone-$k")
  done
  # A joining node lists the current members plus itself, and waits frozen until it is added.
  if [ -n "$join" ]; then
    args+=("--RaftBurrow:Join=true" "--RaftBurrow:Peers:$i:Id=$i" "--RaftBurrow:Peers:$i:RaftAddress=127.0.0.$i"
           "--RaftBurrow:Peers:$i:RaftBasePort=$raft_base_port" "--RaftBurrow:Peers:$i:HttpUrl=http://127.0.0.$i:$http_port"
           "--RaftBurrow:Peers:$i:Zone=zone-$i")
  fi
  (cd "$dir" && exec nohup dotnet "$dll" "${args[@]}" >>"$dir/node.log" 2>&1) &
  echo $! >"$dir/pid"
}

# Node $1's view: "ok" when it answers and every partition has a leader.
node_ready() {
  curl -fsS --max-time 2 "http://127.0.0.$1:$http_port/admin/cluster?hash=false" 2>/dev/null | python3 -c '
import json, sys
view = json.load(sys.stdin)
parts = view["partitions"]
print("ok" if parts and all(p["leaderNodeId"] is not None for p in parts) else "waiting")' 2>/dev/null || echo "down"
}

wait_ready() {
  local deadline=$((SECONDS + wait_seconds)) i all
  while :; do
    all=1
    for i in "$@"; do
      [ "$(node_ready "$i")" = ok ] || all=0
    done
    [ "$all" = 1 ] && return 0
    [ $SECONDS -ge $deadline ] && die "timed out after ${wait_seconds}s waiting for leaders (logs: $state/node-*/node.log)"
    sleep 0.2
  done
}

running_nodes() {
  local n i
  n="$(cluster_size)"
  for ((i = 1; i <= n; i++)); do
    [ -n "$(node_pid "$i")" ] && echo "$i"
  done
  return 0
}

stop_node() {
  local i="$1" pid deadline
  pid="$(node_pid "$i")"
  [ -n "$pid" ] || { echo "node $i is not running"; return 0; }
  kill -TERM "$pid"
  deadline=$((SECONDS + 15))
  while [ -n "$(node_pid "$i")" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "node $i did not stop in 15s; kill -9 $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$(node_dir "$i")/pid"
  echo "node $i stopped"
}

check_index() {
  local n
  n="$(cluster_size)"
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$n" ] || die "node must be 1..$n"
}

cmd="${1:-}"
case "$cmd" in
  up)
    n="${2:-}"
    [[ "$n" =~ ^(1|3|5)$ ]] || die "usage: scripts/cluster.sh up N   (N = 1, 3 or 5)"
    mkdir -p "$state"
    if [ -f "$state/size" ] && [ -n "$(running_nodes)" ]; then
      die "a cluster is already running here (nodes: $(running_nodes | tr '\n' ' ')); scripts/cluster.sh down first"
    fi
    if [ -f "$state/size" ] && [ "$(cat "$state/size")" != "$n" ]; then
      die "the cluster in .cluster/ has $(cat "$state/size") nodes; scripts/cluster.sh clean to start a new one"
    fi
    echo "$n" >"$state/size"
    build
    for ((i = 1; i <= n; i++)); do start_node "$i" "$n"; done
    wait_ready $(seq 1 "$n")
    for ((i = 1; i <= n; i++)); do echo "node $i: http://127.0.0.$i:$http_port (pid $(node_pid "$i"))"; done
    ;;
  down)
    [ -f "$state/size" ] || { echo "no cluster"; exit 0; }
    for i in $(running_nodes); do stop_node "$i"; done
    ;;
  clean)
    if [ -f "$state/size" ]; then
      for i in $(running_nodes); do stop_node "$i"; done
    fi
    rm -rf "$state"
    echo "removed .cluster/"
    ;;
  status)
    n="$(cluster_size)"
    for ((i = 1; i <= n; i++)); do
      pid="$(node_pid "$i")"
      if [ -z "$pid" ]; then echo "node $i: down"; continue; fi
      echo -n "node $i: pid $pid http://127.0.0.$i:$http_port  "
      curl -fsS --max-time 2 "http://127.0.0.$i:$http_port/admin/cluster?hash=false" 2>/dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)
parts = v["partitions"]
led = [str(p["partition"]) for p in parts if p["role"] == "leader"]
print("leads [" + ",".join(led) + "]  leaders by partition: " +
      " ".join("%d:%s" % (p["partition"], p["leaderNodeId"] if p["leaderNodeId"] is not None else "-") for p in parts) +
      "  applied: " + " ".join(str(p["appliedIndex"]) for p in parts))' 2>/dev/null || echo "(not answering)"
    done
    ;;
  kill)
    check_index "${2:-}"
    pid="$(node_pid "$2")"
    [ -n "$pid" ] || die "node $2 is not running"
    kill -KILL "$pid"
    rm -f "$(node_dir "$2")/pid"
    echo "node $2 killed (pid $pid)"
    ;;
  stop)
    check_index "${2:-}"
    stop_node "$2"
    ;;
  start)
    check_index "${2:-}"
    [ -z "$(node_pid "$2")" ] || die "node $2 is already running"
    [ -f "$dll" ] || build
    start_node "$2" "$(cluster_size)"
    wait_ready "$2"
    echo "node $2: http://127.0.0.$2:$http_port (pid $(node_pid "$2"))"
    ;;
  join)
    n="$(cluster_size)"
    i="${2:-}"
    [ "$i" = "$((n + 1))" ] || die "usage: scripts/cluster.sh join $((n + 1))   (the next node id)"
    [ -f "$dll" ] || build
    start_node "$i" "$n" join
    echo "$i" >"$state/size"
    deadline=$((SECONDS + wait_seconds))
    until curl -fsS --max-time 2 "http://127.0.0.$i:$http_port/healthz" >/dev/null 2>&1; do
      [ $SECONDS -ge $deadline ] && die "node $i did not answer in ${wait_seconds}s (log: $(node_dir "$i")/node.log)"
      sleep 0.2
    done
    echo "node $i: http://127.0.0.$i:$http_port (pid $(node_pid "$i")) is waiting to be added:"
    echo "  raftburrow-cli node add --url http://127.0.0.1:$http_port --id $i --http-url http://127.0.0.$i:$http_port --raft-address 127.0.0.$i --raft-base-port $raft_base_port"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
