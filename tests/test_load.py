"""A load test of serve, bounded and on loopback: 20 clients, 400 requests mixing the seed's
cheap page with pathological formulas. No request fails but those refused by design (busy,
a bad formula's 400 never happens here: the caret is a 200 page), and no worker process is
left afterwards. Latencies are measured and printed, never asserted (the machine may be
busy); the note quotes them."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

CLIENTS, REQUESTS = 20, 400
SEED = {"f": "3*(x1**2 + x2*x3)", "at": "2,3,4", "view": "table"}
PATHOLOGICAL = [{"f": "x**x**x**x**x", "at": "3", "view": "table"},
                {"f": "*".join(f"(x + {k})" for k in range(1, 120)), "at": "0.5",
                 "view": "derivation"},
                {"f": "x**", "at": "1"},  # the parser's caret message, a 200 page
                {"f": "sin(x)", "at": "1,2,3"}]  # a point that does not fit: its message


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in (b"Z", b"X"):
                found.append(int(entry))
    return found


@pytest.mark.timeout(170)
def test_twenty_clients_four_hundred_requests():
    server = subprocess.Popen([sys.executable, "-m", "diffcompare", "serve", "--port", "0",
                               "--no-browser", "--budget", "0.2"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        address = server.stdout.readline().strip()
        outcomes: list[tuple[str, int, float]] = []
        lock = threading.Lock()

        def client(k: int):
            for j in range(REQUESTS // CLIENTS):
                kind = "pathological" if (k + j) % 5 == 0 else "seed"
                params = PATHOLOGICAL[(k + j) % len(PATHOLOGICAL)] if kind != "seed" else SEED
                url = address + "?" + urllib.parse.urlencode(params)
                start = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=60) as response:
                        status = response.status
                        response.read()
                except urllib.error.HTTPError as error:
                    status = error.code
                with lock:
                    outcomes.append((kind, status, time.perf_counter() - start))

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(150)
        elapsed = time.perf_counter() - start
        assert len(outcomes) == REQUESTS
        refused = [o for o in outcomes if o[1] == 503]  # busy: refused by design
        failed = [o for o in outcomes if o[1] not in (200, 503)]
        if failed:
            server.terminate()
            _, errors = server.communicate(timeout=30)
            raise AssertionError(f"{len(failed)} failed: {failed[:3]}; the server said "
                                 f"{errors[-3000:]}")
        seed = sorted(t for kind, status, t in outcomes if kind == "seed" and status == 200)
        assert seed  # the seed's page was served
        print(f"\nload: {REQUESTS} requests from {CLIENTS} clients in {elapsed:.1f} s; "
              f"{len(refused)} busy; seed page median {statistics.median(seed) * 1e3:.0f} ms,"
              f" p95 {seed[int(0.95 * (len(seed) - 1))] * 1e3:.0f} ms")
        deadline = time.monotonic() + 30  # the last computations' workers end with them
        while _children(server.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _children(server.pid) == []  # no worker left behind
    finally:
        server.terminate()
        server.wait(30)
