#!/usr/bin/env bash
# The short fault-injection smoke test (issue 6 item 7): 3 nodes, kill + pause + partition, one
# minute, fixed seed, servers snapshotting every 40 entries (so snapshots, compaction and snapshot
# installs to restarted nodes happen under the faults). Consumers claim and delete (no pops), so an indeterminate consumer operation
# can never leave total-queue undecided (docs/jepsen.md, "Consumers"). Needs root for the partition nemesis (iptables, cgroup v2). Exit code is the
# harness's: 0 valid, 1 anomalies, 2 unknown. Extra arguments are passed on (e.g. --server-binary).
# Convergence gets 90 s, not the harness's 30: a replica that fell behind while a snapshot install
# timed out catches up one log entry per replication round (DotNext walks its next index down one
# at a time when the terms differ), about 30 s for 750 entries on a loaded machine (docs/jepsen.md).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project jepsen-style -c Release -- test --nodes 3 --time-limit "${TIME_LIMIT:-60}" \
  --rate 20 --concurrency 6 --workload "${WORKLOAD:-queue}" --consumer "${CONSUMER:-claim}" --nemesis kill,pause,partition \
  --nemesis-interval 8 --snapshot-every "${SNAPSHOT_EVERY:-40}" --convergence-timeout "${CONVERGENCE_TIMEOUT:-90}" \
  --seed "${SEED:-1}" "$@"
