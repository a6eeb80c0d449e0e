#!/usr/bin/env bash
# Runs the shared Zaqar v2 workload (wrk: POST 1 / 10 msgs, claim+delete; 16 and 64 connections)
# against one RaftBurrow node (or any Zaqar v2 server), then optionally plots throughput vs concurrency.
#
#   scripts/bench.sh URL [LABEL] [--plot]
#
#   URL     e.g. http://127.0.0.1:8888
#   LABEL   names the results file (default: raftburrow)
#   --plot  also write docs/img/throughput.svg from every .jsonl in $OUT (scripts/plot_bench.py)
#
# The workload lives outside the repository: $SHARED_BENCH, else /work/shared/bench, else
# ../shared/bench relative to the repository root. Its knobs pass through the environment:
# DURATION (s, <= 60), CONCURRENCY ("16 64"), WORKLOADS ("post1 post10 claim"), MSG_BYTES, OUT, ...
# Results: one JSON line per run in $OUT/<label>-<stamp>.jsonl (default /tmp/raftburrow-bench).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plot=0
args=()
for a in "$@"; do
  case "$a" in
    --plot) plot=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) args+=("$a") ;;
  esac
done
[[ ${#args[@]} -ge 1 ]] || { sed -n '2,16p' "$0"; exit 2; }
URL="${args[0]%/}"
LABEL="${args[1]:-raftburrow}"

RUNNER=""
for dir in "${SHARED_BENCH:-}" /work/shared/bench "$ROOT/../shared/bench"; do
  if [[ -n "$dir" && -x "$dir/run_bench.sh" ]]; then RUNNER="$dir/run_bench.sh"; break; fi
done
[[ -n "$RUNNER" ]] || { echo "bench.sh: run_bench.sh not found (set SHARED_BENCH)" >&2; exit 2; }

# Refuse to measure a server that is not there: wrk would report only socket errors.
if ! curl -s -o /dev/null -m 5 -w '%{http_code}' "$URL/v2/ping" | grep -q '^20'; then
  echo "bench.sh: $URL/v2/ping does not answer 2xx; start the server first" >&2
  exit 1
fi

export OUT="${OUT:-${TMPDIR:-/tmp}/raftburrow-bench}"
echo "bench.sh: $RUNNER $URL $LABEL (OUT=$OUT)"
"$RUNNER" "$URL" "$LABEL"

if ((plot)); then
  mkdir -p "$ROOT/docs/img"
  python3 "$ROOT/scripts/plot_bench.py" -o "$ROOT/docs/img/throughput.svg" "$OUT"/*.jsonl
fi
