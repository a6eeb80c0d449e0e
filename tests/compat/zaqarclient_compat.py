#!/usr/bin/env python3
"""Drives a running RaftBurrow server through python-zaqarclient (noauth, X-Project-ID).

Usage: zaqarclient_compat.py URL[,URL...] [PROJECT]

With several URLs (nodes of one cluster) the calls are spread over them: the main client talks
to the first, the second client (the reader) to the second, the signed-URL client to the third.

Covers health, ping, home document, queues (create, metadata, list with count, stats, purge,
delete), messages (post, list with paging, get, get many, delete, delete many, pop), claims
(create, query, update, release, delete with claim id), subscriptions (create, get, list,
update, delete) and a pre-signed URL used through the client's signed-url auth backend.
Prints one line per check and "COMPAT PASSED <n> checks" at the end; exits 1 on the first
failure. The server needs Zaqar:SignedUrlSecretKey for the pre-signed URL step.
"""

import sys
import traceback
import uuid

from zaqarclient.queues.v2 import client as zclient
from zaqarclient.transport import errors

CHECKS = 0


def check(condition, what):
    global CHECKS
    if not condition:
        raise AssertionError(what)
    CHECKS += 1
    print("ok  " + what, flush=True)


def expect_error(kind, call, what):
    try:
        call()
    except kind:
        check(True, what)
        return
    raise AssertionError(what + ": no " + kind.__name__ + " raised")


def main(urls, project):
    url = urls[0]
    conf = {"auth_opts": {"backend": "noauth", "options": {"os_project_id": project}}}
    cli = zclient.Client(url, version=2, conf=conf)

    # System
    check(cli.ping() is True, "ping answers")
    health = cli.health()
    check(health.get("storage_reachable") is True, "health: storage reachable")
    home = cli.homedoc()
    check("rel/queue" in home.get("resources", {}), "home document lists queue resources")

    # Queues and metadata
    name = "compat-" + uuid.uuid4().hex[:8]
    queue = cli.queue(name, force_create=True)
    meta = queue.metadata(new_meta={"description": "compat", "_default_message_ttl": 600})
    check(meta.get("description") == "compat", "metadata set through json-patch")
    meta = queue.metadata(force_reload=True)
    check(meta.get("_default_message_ttl") == 600, "metadata read back")
    meta = queue.metadata(new_meta={"description": "changed"})
    check(meta.get("description") == "changed", "metadata replaced")
    other = cli.queue(name + "-b", force_create=True)
    listed, count = cli.queues(with_count=True, limit=1)
    names = [q.name for q in listed.stream()]
    check(name in names and name + "-b" in names, "queue list follows next links")
    check(count is not None and count >= 2, "queue list with_count")
    detailed, _ = cli.queues(detailed=True)
    check(any(q.name == name and q.metadata().get("description") == "changed" for q in detailed), "detailed queue list")

    # Messages
    posted = queue.post([{"body": {"n": i}, "ttl": 300} for i in range(5)])
    ids = [r.split("/")[-1] for r in posted["resources"]]
    check(len(ids) == 5, "post 5 messages")
    reader = zclient.Client(urls[1 % len(urls)], version=2, conf=conf)  # another Client-ID: echo is off by default
    listed = list(reader.queue(name).messages(limit=2).stream())
    check([m.body["n"] for m in listed] == [0, 1, 2, 3, 4], "list pages oldest first")
    check(len(list(queue.messages())) == 0, "own messages hidden without echo")
    check(len(list(queue.messages(echo=True))) == 5, "echo=true shows own messages")
    one = queue.message(ids[0])
    check(one.id == ids[0] and one.body == {"n": 0} and one.ttl == 300, "get one message")
    many = list(queue.messages(ids[1], ids[2]))
    check(sorted(m.id for m in many) == sorted(ids[1:3]), "get many by ids")
    stats = queue.stats
    check(stats["messages"]["total"] == 5 and stats["messages"]["free"] == 5, "stats count free messages")
    one.delete()
    expect_error(errors.ResourceNotFound, lambda: queue.message(ids[0]), "deleted message is gone")
    queue.delete_messages(ids[1])
    check(queue.stats["messages"]["total"] == 3, "delete many by ids")

    # Claims
    claim = queue.claim(ttl=120, grace=60, limit=2)
    claimed = list(claim)
    check([m.id for m in claimed] == ids[2:4], "claim takes the two oldest")
    check(claim.id is not None and all(m.claim_id == claim.id for m in claimed), "claimed messages carry the claim id")
    check(queue.stats["messages"]["claimed"] == 2, "stats count claimed messages")
    queried = queue.claim(id=claim.id)
    check(queried.ttl == 120 and len(list(queried)) == 2, "query claim")
    claim.update(ttl=300, grace=60)
    check(queue.claim(id=claim.id).ttl == 300, "update claim")
    expect_error(errors.ResourceNotFound, lambda: queue.claim(id="0" * 24).ttl, "unknown claim is 404")
    claimed[0].delete()
    check(queue.stats["messages"]["total"] == 2, "delete a claimed message with its claim id")
    claim.delete()
    check(queue.stats["messages"]["claimed"] == 0, "release claim")
    again = list(queue.claim(ttl=60, grace=60, limit=5))
    check([m.id for m in again] == ids[3:5], "released message keeps its place")

    # Pop
    third = cli.queue(name + "-pop", force_create=True)
    third.post([{"body": i, "ttl": 120} for i in range(3)])
    popped = list(third.pop(count=2))
    check([m.body for m in popped] == [0, 1], "pop returns the oldest messages")
    check(third.stats["messages"]["total"] == 1, "pop removes them")

    # Subscriptions
    sub = cli.subscription(name, subscriber="http://127.0.0.1:9/hook", ttl=3600, options={"k": "v"})
    check(sub.id is not None and sub.subscriber == "http://127.0.0.1:9/hook", "create subscription")
    got = cli.subscription(name, id=sub.id, auto_create=False)
    got.ensure_exists()
    check(got.ttl == 3600 and got.options == {"k": "v"}, "get subscription")
    sub.update({"ttl": 7200})
    got.ensure_exists()
    check(got.ttl == 7200, "update subscription")
    subs = list(cli.subscriptions(name))
    check([s.id for s in subs] == [sub.id], "list subscriptions")
    sub.delete()
    check(list(cli.subscriptions(name)) == [], "delete subscription")

    # Pre-signed URL
    signed = queue.signed_url(paths=["messages"], ttl_seconds=600, methods=["GET", "POST"])
    check(len(signed["signature"]) == 64 and signed["paths"] == ["/v2/queues/%s/messages" % name], "create pre-signed URL")
    signed_conf = {"auth_opts": {"backend": "signed-url", "options": {
        "signature": signed["signature"], "expires": signed["expires"], "methods": signed["methods"],
        "paths": signed["paths"], "os_project_id": signed["project"]}}}
    signed_client = zclient.Client(urls[2 % len(urls)], version=2, conf=signed_conf)
    signed_queue = signed_client.queue(name, auto_create=False)
    signed_queue.post({"body": "via-signed-url", "ttl": 120})
    check(any(m.body == "via-signed-url" for m in signed_queue.messages(echo=True)), "pre-signed URL allows GET and POST on messages")
    expect_error(errors.ResourceNotFound, lambda: signed_queue.stats, "pre-signed URL does not cover stats")

    # Purge and delete
    queue.purge(resource_types=["messages"])
    check(queue.stats["messages"]["total"] == 0, "purge messages")
    for q in (queue, other, third):
        q.delete()
    expect_error(errors.ResourceNotFound, lambda: queue.metadata(force_reload=True), "deleted queue is 404")
    print("COMPAT PASSED %d checks" % CHECKS, flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    try:
        main([u.rstrip("/") for u in sys.argv[1].split(",")], sys.argv[2] if len(sys.argv) > 2 else "compat-project")
    except Exception:
        traceback.print_exc()
        print("COMPAT FAILED after %d checks" % CHECKS, flush=True)
        sys.exit(1)
