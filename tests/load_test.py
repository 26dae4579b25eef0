"""Bounded load test of the production server on 127.0.0.1 (``make load``): mixed requests, latency, memory.

gunicorn serves ``web:create_app()`` on the embedded Cremona data with two workers on a free loopback port.
Eight client threads send a fixed mix — route JSON (60 %), POIs in a box (20 %), route GPX (20 %) — for a fixed
number of requests or seconds, whichever ends first, to 127.0.0.1 only. The workers' resident memory is sampled
every second, so growth over the run shows. The report (requests/s, p50/p99 per endpoint, errors, memory over
time) is printed and written to ``bench/results/load-*.md``; the exit code is 1 on any failed request or when
the workers' memory grew by more than 20 % between the first and the last quarter of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime

from tests.bench import RESULTS
from tests.bench import ROOT
from tests.bench import children
from tests.bench import free_port
from tests.bench import memory_mib
from tests.bench import percentile
from tests.bench import table

#: Real places of the city of Cremona, as (lat, lon).
PLACES = [
    (45.1334, 10.0246),  # Piazza del Comune
    (45.1433, 10.0180),  # railway station
    (45.1398, 10.0198),  # Via Palestro
    (45.1270, 10.0120),  # towards the Po
    (45.1385, 10.0330),  # east of the centre
    (45.1455, 10.0050),  # north-west
]


def _url(base: str, kind: str, rng: random.Random) -> str:
    a, b = rng.sample(PLACES, 2)
    if kind == "route":
        return f"{base}/api/route?from={a[0]},{a[1]}&to={b[0]},{b[1]}"
    if kind == "gpx":
        return f"{base}/api/route.gpx?from={a[0]},{a[1]}&to={b[0]},{b[1]}"
    lat, lon = a
    return f"{base}/api/pois?bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"


def run(requests: int, seconds: float, threads: int, seed: int) -> str:
    """Start the server, load it, stop it; return the Markdown report."""
    port = free_port()
    env = {**os.environ, "FLASK_TILES": "null"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:web.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "web:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    memory: list[tuple[float, float]] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/openapi.json", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        for _ in range(4):  # each worker loads the graph on its first request
            urllib.request.urlopen(_url(base, "route", random.Random(0)), timeout=30).read()
        started = time.monotonic()

        def sample() -> None:
            while not stop.is_set():
                rss = sum(memory_mib(pid) for pid in children(server.pid))
                memory.append((time.monotonic() - started, rss))
                stop.wait(1.0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        kinds = ["route"] * 6 + ["pois"] * 2 + ["gpx"] * 2

        def one(i: int) -> None:
            if stop.is_set() or time.monotonic() - started > seconds:
                return
            rng = random.Random(seed + i)
            kind = rng.choice(kinds)
            url = _url(base, kind, rng)
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                if exc.code >= 500:
                    with lock:
                        errors.append(f"{exc.code} {url}")
            except OSError as exc:
                with lock:
                    errors.append(f"{exc} {url}")
            with lock:
                latencies[kind].append(time.perf_counter() - t0)

        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, range(requests)))
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    done = sum(len(v) for v in latencies.values())
    rows = [
        [kind, len(v), f"{percentile(v, 50) * 1e3:.1f}", f"{percentile(v, 99) * 1e3:.1f}"]
        for kind, v in sorted(latencies.items())
    ]
    quarter = max(1, len(memory) // 4)
    first = sum(m for _, m in memory[:quarter]) / quarter
    last = sum(m for _, m in memory[-quarter:]) / quarter
    growth = (last - first) / first if first else 0.0
    lines = [
        f"# Load test ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"gunicorn, 2 workers, 127.0.0.1, embedded Cremona data; {threads} client threads; "
        f"{done} requests in {elapsed:.1f} s = {done / elapsed:.0f} requests/s; failed: {len(errors)}",
        "",
        table(["endpoint", "requests", "p50 (ms)", "p99 (ms)"], rows),
        "",
        "Workers' memory (MiB, sum of both) over time: "
        + ", ".join(f"{t:.0f}s {m:.0f}" for t, m in memory[:: max(1, len(memory) // 12)]),
        "",
        f"First quarter {first:.0f} MiB, last quarter {last:.0f} MiB: growth {growth:+.1%}",
        *[f"- error: {e}" for e in errors[:20]],
    ]
    text = "\n".join(lines)
    if errors or growth > 0.20:
        text += "\n\nFAILED: errors or memory growth above 20 %"
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the load test and write its report; exit 1 on errors or memory growth."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    text = run(args.requests, args.seconds, args.threads, args.seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{datetime.now(UTC):%Y%m%d-%H%M%S}.md"
    out.write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\nwritten to {out.relative_to(ROOT)}")
    print(json.dumps({"failed": "FAILED" in text}))
    return 1 if "FAILED" in text else 0


if __name__ == "__main__":
    raise SystemExit(main())
