#!/usr/bin/env bash
# The short fault-injection smoke test (issue 6 item 7): 3 nodes, kill + pause + partition, one
# minute, fixed seed, servers snapshotting every 40 entries (so snapshots, compaction and snapshot
# installs to restarted nodes happen under the faults). Consumers claim and delete (no pops), so an indeterminate consumer operation
# can never leave total-queue undecided (docs/jepsen.md, "Consumers"). Needs root for the partition nemesis (iptables, cgroup v2). Exit code is the
# harness's: 0 valid, 1 anomalies, 2 unknown. Extra arguments are passed on (e.g. --server-binary).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project jepsen-style -c Release -- test --nodes 3 --time-limit "${TIME_LIMIT:-60}" \
  --rate 20 --concurrency 6 --workload "${WORKLOAD:-queue}" --consumer "${CONSUMER:-claim}" --nemesis kill,pause,partition \
  --nemesis-interval 8 --snapshot-every "${SNAPSHOT_EVERY:-40}" --seed "${SEED:-1}" "$@"
