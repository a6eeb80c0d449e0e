#!/usr/bin/env python3
"""Drives a RaftBurrow server with the wire semantics of Burrow's own REST client.

Burrow's client (burrow/backend/http.py, Python 2 httplib) is restated here on Python 3's
http.client with the same behaviour: one connection per request, ids and values written into the
URL unencoded, PUT bodies with Content-Length and no Content-Type, and on a 2xx:
int(getheader('content-length')) (a missing header is a TypeError), length 0 -> True for 201 and
nothing otherwise, JSON parsed only when Content-Type starts with application/json (an array is
the list of items), 400 -> InvalidArguments, 404 -> NotFound, anything else an error.

Run against a server (never started or stopped by this script):
    BURROW_URL=http://127.0.0.1:8888 BURROW_DEFAULT_TTL=600 python3 tests/compat/burrow_client_test.py
Every test works in its own random account, so the server need not be empty.
"""

import http.client
import json
import os
import threading
import time
import unittest
import urllib.parse
import uuid

URL = urllib.parse.urlparse(os.environ.get("BURROW_URL", "http://127.0.0.1:8888"))
DEFAULT_TTL = int(os.environ.get("BURROW_DEFAULT_TTL", "600"))


class InvalidArguments(Exception):
    pass


class NotFound(Exception):
    pass


def request(method, url, body=None):
    """Returns the list of items the Burrow client would yield."""
    connection = http.client.HTTPConnection(URL.hostname, URL.port or 80, timeout=120)
    try:
        connection.request(method, "/v1.0" + url, body=body)
        response = connection.getresponse()
        data = response.read()
        if 200 <= response.status < 300:
            if int(response.getheader("content-length")) == 0:
                return [True] if response.status == 201 else []
            if response.getheader("content-type")[:16] == "application/json":
                value = json.loads(data)
                return value if isinstance(value, list) else [value]
            return [data.decode("utf-8")]
        text = data.decode("utf-8") or response.reason
        if response.status == 400:
            raise InvalidArguments(text)
        if response.status == 404:
            raise NotFound(text)
        raise Exception("%d %s" % (response.status, text))
    finally:
        connection.close()


def query(**parameters):
    """Builds the query string the client builds: no encoding, in a fixed order."""
    order = ["ttl", "hide", "marker", "limit", "match_hidden", "detail", "wait"]
    parts = ["%s=%s" % (k, parameters[k]) for k in order if parameters.get(k) is not None]
    return ("?" + "&".join(parts)) if parts else ""


def first(items):
    return items[0] if items else None


class BurrowClientTest(unittest.TestCase):
    def setUp(self):
        self.a = "compat-" + uuid.uuid4().hex[:12]

    def tearDown(self):
        try:
            request("DELETE", "/%s" % self.a)
        except NotFound:
            pass

    def message(self, m, body, ttl=DEFAULT_TTL, hide=0):
        return dict(id=m, ttl=ttl, hide=hide, body=body)

    def assertMessages(self, expected, actual):
        """Compares messages; ttl and hide are remaining seconds, so they may be 1 below when a
        second boundary passes between the write and the read."""
        def snap(want, got):
            if isinstance(want, dict) and isinstance(got, dict):
                got = dict(got)
                for key in ("ttl", "hide"):
                    if want.get(key, 0) > 0 and got.get(key) == want[key] - 1:
                        got[key] = want[key]
            return got
        if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
            actual = [snap(w, g) for w, g in zip(expected, actual)]
        else:
            actual = snap(expected, actual)
        self.assertEqual(expected, actual)

    def test_create_replace_get_update_delete(self):
        self.assertEqual([True], request("PUT", "/%s/q/m" % self.a, "test1"))
        self.assertMessages(self.message("m", "test1"), first(request("GET", "/%s/q/m" % self.a)))
        self.assertEqual([], request("PUT", "/%s/q/m%s" % (self.a, query(ttl=100, hide=200)), "test2"))
        self.assertMessages(self.message("m", "test2", 100, 200), first(request("GET", "/%s/q/m" % self.a)))
        self.assertEqual([], request("POST", "/%s/q/m%s" % (self.a, query(ttl=0, hide=0))))
        self.assertEqual("m", first(request("GET", "/%s/q/m%s" % (self.a, query(detail="id")))))
        self.assertEqual("test2", first(request("GET", "/%s/q/m%s" % (self.a, query(detail="body")))))
        self.assertRaises(InvalidArguments, request, "POST", "/%s/q/m%s" % (self.a, query(ttl=5, detail="bad")))
        self.assertEqual([], request("DELETE", "/%s/q/m" % self.a))
        self.assertRaises(NotFound, request, "GET", "/%s/q/m" % self.a)
        self.assertRaises(NotFound, request, "GET", "/%s" % self.a)

    def test_listing_filters_and_detail(self):
        for m in ["m1", "m2", "m3"]:
            request("PUT", "/%s/q/%s" % (self.a, m), m)
        self.assertEqual(["m1", "m2", "m3"], request("GET", "/%s/q%s" % (self.a, query(detail="id"))))
        self.assertEqual(["m2"], request("GET", "/%s/q%s" % (self.a, query(marker="m1", limit=1, detail="id"))))
        claimed = request("POST", "/%s/q%s" % (self.a, query(hide=60, limit=1, detail="all")))
        self.assertMessages([self.message("m1", "m1", hide=60)], claimed)
        self.assertEqual(["m2", "m3"], request("GET", "/%s/q%s" % (self.a, query(detail="id"))))
        self.assertEqual(["m1", "m2", "m3"], request("GET", "/%s/q%s" % (self.a, query(match_hidden="True", detail="id"))))
        self.assertEqual(["q"], request("GET", "/%s" % self.a))
        self.assertEqual([dict(id="q")], request("GET", "/%s%s" % (self.a, query(detail="all"))))
        self.assertRaises(InvalidArguments, request, "GET", "/%s%s" % (self.a, query(detail="body")))
        self.assertRaises(InvalidArguments, request, "GET", "/%s/q%s" % (self.a, query(limit="ten")))
        self.assertEqual(["m2", "m3"], request("DELETE", "/%s/q%s" % (self.a, query(limit=100, detail="id"))))
        self.assertRaises(NotFound, request, "DELETE", "/%s/q" % self.a)

    def test_wait_returns_a_message_put_later(self):
        result = {}

        def waiter():
            result["items"] = request("GET", "/%s/q%s" % (self.a, query(wait=30)))

        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.2)
        request("PUT", "/%s/q/m%s" % (self.a, query(ttl=60)), "test")
        thread.join(60)
        self.assertMessages([self.message("m", "test", ttl=60)], result["items"])

    def test_workers_never_share_a_message(self):
        for i in range(50):
            request("PUT", "/%s/q/m%02d" % (self.a, i), "job %d" % i)
        got = []
        lock = threading.Lock()

        def worker():
            while True:
                try:
                    items = request("POST", "/%s/q%s" % (self.a, query(hide=600, limit=1, detail="id")))
                except NotFound:
                    return
                with lock:
                    got.extend(items)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(sorted("m%02d" % i for i in range(50)), sorted(got))


if __name__ == "__main__":
    unittest.main(verbosity=2)
