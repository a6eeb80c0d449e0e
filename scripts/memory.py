#!/usr/bin/env python3
"""Server memory per byte of message held (issue 8's target: <= 2.5x the raw bytes of the bodies
held, plus a fixed base).

    scripts/memory.py [--seconds 10] [--connections 16] [--port 18888] [--keep-data]

Starts one Release server (src/RaftBurrow.Server/bin/Release/net10.0/raftburrow; build it first)
on 127.0.0.1:PORT (Raft on PORT+100) with a temporary data directory and no per-queue message
limit, creates one queue, then posts 10 messages of 256 B JSON bodies per request (ttl 3600 s, so
nothing expires) with `hey` for --seconds at --connections, twice. Samples the server's anonymous
memory (RssAnon of /proc/PID/status: heap, GC headroom, state; not the WAL's file-backed pages,
which are page cache) every 0.25 s and 5 s after each phase. The memory per body byte is the slope
between the two phases (what the target's "plus a fixed base" means); also printed: the base that
slope implies, the peak (snapshots are captured and written during the load) and the ratio against
the empty server. Stops the server it started (by PID).
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, "src", "RaftBurrow.Server", "bin", "Release", "net10.0", "raftburrow")
PROJECT = "memory"
QUEUE = "mem"
BODY_JSON = json.dumps({"payload": "x" * 241})  # 256 bytes of JSON per message body
assert len(BODY_JSON) == 256


def rss_anon_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise RuntimeError("no RssAnon")


def call(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Client-ID": str(uuid.uuid4()), "X-Project-ID": PROJECT,
                                                       "Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--port", type=int, default=18888)
    ap.add_argument("--keep-data", action="store_true")
    args = ap.parse_args()
    if not os.access(SERVER, os.X_OK):
        sys.exit(f"{SERVER} not found: dotnet build src/RaftBurrow.Server -c Release")
    if shutil.which("hey") is None:
        sys.exit("hey not found (apt-get install hey)")

    data = tempfile.mkdtemp(prefix="raftburrow-memory-")
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen([SERVER, f"--RaftBurrow:DataDir={data}/data", f"--RaftBurrow:HttpUrl=http://127.0.0.1:{args.port}",
                               f"--RaftBurrow:RaftBasePort={args.port + 100}", "--RaftBurrow:MaxMessagesPerQueue=0"],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(args.port, "GET", "/v2/health")[0] in (200, 204):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit(f"server did not start; see {data}/server.log")
            time.sleep(0.2)
        status, _ = call(args.port, "PUT", f"/v2/queues/{QUEUE}", "{}")
        assert status in (201, 204), status
        post = json.dumps({"messages": [{"ttl": 3600, "body": json.loads(BODY_JSON)} for _ in range(10)]})
        for _ in range(20):  # warm the path up (JIT, pools) before the baseline
            call(args.port, "POST", f"/v2/queues/{QUEUE}/messages", post)
        time.sleep(2)
        baseline = rss_anon_kib(server.pid)

        peak = [baseline]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_anon_kib(server.pid))
                time.sleep(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        body_file = os.path.join(data, "post.json")
        with open(body_file, "w") as f:
            f.write(post)
        points = []  # (messages held, RssAnon KiB) after each phase
        for phase in (1, 2):
            hey = subprocess.run(["hey", "-z", f"{args.seconds}s", "-c", str(args.connections), "-m", "POST", "-T", "application/json",
                                  "-H", f"Client-ID: {uuid.uuid4()}", "-H", f"X-Project-ID: {PROJECT}", "-D", body_file,
                                  f"http://127.0.0.1:{args.port}/v2/queues/{QUEUE}/messages"], capture_output=True, text=True)
            time.sleep(5)
            status, stats = call(args.port, "GET", f"/v2/queues/{QUEUE}/stats")
            held = json.loads(stats)["messages"]["total"]
            points.append((held, rss_anon_kib(server.pid)))
            codes = [l.strip() for l in hey.stdout.splitlines() if l.strip().startswith("[")]
            print(f"phase {phase}: hey {args.seconds} s at {args.connections} connections, POST 10 x 256 B "
                  f"({', '.join(codes) or hey.stdout[-300:]}); now {held:,} messages held "
                  f"({held * len(BODY_JSON) / 1e6:.1f} MB of body JSON), RssAnon {points[-1][1] / 1024:.0f} MiB")
        stop.set()
        sampler.join()
        (held1, rss1), (held2, rss2) = points
        raw1, raw2 = held1 * len(BODY_JSON), held2 * len(BODY_JSON)
        print(f"RssAnon: baseline {baseline / 1024:.0f} MiB (empty queue), peak {peak[0] / 1024:.0f} MiB, "
              f"after phase 1 {rss1 / 1024:.0f} MiB, after phase 2 {rss2 / 1024:.0f} MiB")
        if raw2 > raw1:
            slope = (rss2 - rss1) * 1024 / (raw2 - raw1)
            base = rss1 / 1024 - slope * raw1 / 2**20
            print(f"memory per body byte (slope between the phases): {slope:.2f}x (target <= 2.5x), fixed base ~{base:.0f} MiB; "
                  f"against the empty baseline: {(rss2 - baseline) * 1024 / raw2:.2f}x at {held2:,} messages")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if not args.keep_data:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
