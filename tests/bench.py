"""Benchmark the route planner against osmnx and networkx (``make bench``; ``python -m tests.bench``).

What it measures, on the real extracts (Liechtenstein, the Cremona city graph):

* a complete query in-process (snap both points, search with the profile's
  weights, build geometry, summary and explanation: :func:`routing.plan_route`)
  on random pairs of junctions of the largest strongly connected component, for
  the ``shortest`` and ``touring`` profiles, against osmnx
  (``ox.distance.nearest_nodes`` + ``ox.routing.shortest_path``), plain networkx
  Dijkstra and networkx A* with the same weights. Every route cost must equal
  networkx Dijkstra's (relative 1e-9, absolute 1e-4 m or s for the zero-length
  edges counted as 1e-6): the benchmark exits with status 1 otherwise;
* building and loading the prepared graph, the first query after loading (it
  builds the compact arrays, the contraction hierarchy and the snapping index),
  and the process memory;
* scaling: the same on growing synthetic graphs, each a grid of copies of the
  Liechtenstein graph (shifted 0.3° apart, neighbouring copies joined by a
  two-way link between their outermost junctions), up to over a million edges.
  They only show growth; each size runs in its own process;
* the route API over HTTP: gunicorn serving ``web:create_app()`` on a free port
  of 127.0.0.1, a bounded number of requests from this process, p50/p99 and the
  worker's memory;
* GPX reading and writing, through ``tests/bench_gpx.py`` when it is there.

The report is a Markdown file in ``bench/results/`` and is printed too.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

    import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
LIECHTENSTEIN = DATA / "osm-samples" / "liechtenstein.osm.pbf"
RESULTS = ROOT / "bench" / "results"
PROFILES = ("shortest", "touring")
#: Untimed queries on other random pairs before the timed ones (a running server's caches).
WARMUP_PAIRS = 100
SCALE_COPIES = (1, 4, 16, 36, 80)
#: Copies of the tile per row of the synthetic grid, and the shift between neighbours (degrees).
GRID_SHIFT = 0.3
HTTP_REQUESTS = 300
HTTP_WORKERS = 2
#: Points of the many-to-many benchmark (a tour's cost matrix) and its runs.
MATRIX_POINTS = 20
MATRIX_RUNS = 20
HTTP_HEADER = ("requests", "failed", "first (ms)", "p50 (ms)", "p99 (ms)")
LIBRARIES = ("numpy", "scipy", "shapely", "pyproj", "networkx", "osmnx", "flask", "gunicorn")


@dataclass
class Timing:
    """Seconds per run of one tool on the pairs."""

    seconds: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        """Return the median in milliseconds."""
        return statistics.median(self.seconds) * 1e3 if self.seconds else math.nan

    @property
    def p95_ms(self) -> float:
        """Return the 95th percentile in milliseconds."""
        return percentile(self.seconds, 95) * 1e3

    def cell(self) -> str:
        """Format as ``median / p95`` milliseconds."""
        return f"{self.median_ms:.3f} / {self.p95_ms:.3f}"


def percentile(values: Sequence[float], q: float) -> float:
    """Return the q-th percentile (linear interpolation), NaN for no values.

    Examples
    --------
    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    """
    if not values:
        return math.nan
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100
    low = math.floor(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def memory_mib(pid: int | str = "self", *, peak: bool = False) -> float:
    """Return a process's resident memory (or its peak) in MiB, from ``/proc``."""
    wanted = "VmHWM:" if peak else "VmRSS:"
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(wanted):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def memory_shares(pid: int) -> dict[str, float]:
    """Return a process's resident (RSS), proportional (PSS) and unique (USS) memory in MiB.

    PSS counts each page shared with other processes (the forked workers and
    their master) divided by the number of sharers; USS counts only the pages
    no other process has, i.e. what one more worker costs.
    """
    fields: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                fields[name] = int(rest.split()[0]) / 1024
    except OSError:
        return {"rss": math.nan, "pss": math.nan, "uss": math.nan}
    uss = fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)
    return {"rss": fields.get("Rss", math.nan), "pss": fields.get("Pss", math.nan), "uss": uss}


def machine() -> list[tuple[str, str]]:
    """Describe the machine and the library versions."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    total = math.nan
    with contextlib.suppress(OSError, ValueError, IndexError):
        total = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    rows = [
        ("date (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
        ("machine", f"{cpu}, {os.cpu_count()} cores, {total:.1f} GiB"),
        ("system", platform.platform()),
        ("python", platform.python_version()),
    ]
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    rows.append(("libraries", ", ".join(versions)))
    return rows


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a Markdown table.

    Examples
    --------
    >>> print(table(["a", "b"], [[1, 2]]))
    | a | b |
    |---|---|
    | 1 | 2 |
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Run an action once; return the seconds it took and its result."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def node_pairs(G: nx.MultiDiGraph[int], count: int, seed: int) -> list[tuple[int, int]]:
    """Draw random ordered pairs of junctions of the largest strongly connected component."""

    component = sorted(largest_component(G))
    rng = random.Random(seed)
    return [(rng.choice(component), rng.choice(component)) for _ in range(count)]


def largest_component(G: nx.MultiDiGraph[int]) -> set[int]:
    """Return the largest strongly connected component's nodes."""
    import networkx as nx

    components: list[set[int]] = [set(c) for c in nx.strongly_connected_components(G)]
    largest = max(len(c) for c in components)
    return next(c for c in components if len(c) == largest)


def latlon(G: nx.MultiDiGraph[int], node: int) -> tuple[float, float]:
    """Return a node's (lat, lon)."""
    return float(G.nodes[node]["y"]), float(G.nodes[node]["x"])


# --- in-process queries ------------------------------------------------------------------------------------


@dataclass
class QueryResult:
    """One dataset and profile: timings of each tool and the cost check."""

    dataset: str
    profile: str
    pairs: int
    ours: Timing
    dijkstra: Timing
    astar: Timing
    osmnx: Timing
    mismatches: list[str]
    explained: Timing = field(default_factory=Timing)


def weighted(G: nx.MultiDiGraph[int], profile: str) -> tuple[nx.MultiDiGraph[int], str]:
    """Return the graph carrying the weight a profile minimises, and the weight's name."""
    from routing import add_bike_costs
    from routing import get_profile

    if profile == "shortest":
        return G, "length"
    return add_bike_costs(G, profile=get_profile(profile)), "bike_cost"


def lower_bound(W: nx.MultiDiGraph[int], weight: str) -> Callable[[int, int], float]:
    """Return an admissible A* heuristic: the great-circle distance times the cheapest weight per metre."""
    import numpy as np

    per_metre = min(float(d[weight]) / float(d["length"]) for _, _, d in W.edges(data=True) if float(d["length"]) > 0)
    # A little under, since lengths were measured in a UTM projection.
    factor = 0.99 * per_metre
    lon = {n: math.radians(float(d["x"])) for n, d in W.nodes(data=True)}
    lat = {n: math.radians(float(d["y"])) for n, d in W.nodes(data=True)}

    def heuristic(a: int, b: int) -> float:
        h = (
            math.sin((lat[b] - lat[a]) / 2) ** 2
            + math.cos(lat[a]) * math.cos(lat[b]) * math.sin((lon[b] - lon[a]) / 2) ** 2
        )
        return float(factor * 2 * 6_371_008.8 * np.arcsin(math.sqrt(min(h, 1.0))))

    return heuristic


def projected_copy(W: nx.MultiDiGraph[int]) -> nx.MultiDiGraph[int]:
    """Return a copy with node coordinates in the graph's UTM zone, for osmnx's k-d tree snapping.

    osmnx snaps on unprojected graphs with scikit-learn's ball tree, which this
    project does not install; on projected ones it uses SciPy.
    """
    from pyproj import Transformer

    P = W.copy()
    to_proj = Transformer.from_crs(4326, W.graph["proj_crs"], always_xy=True)
    for _, d in P.nodes(data=True):
        d["x"], d["y"] = to_proj.transform(d["x"], d["y"])
    P.graph["crs"] = W.graph["proj_crs"]
    return P


def bench_queries(
    name: str,
    G: nx.MultiDiGraph[int],
    pairs: Sequence[tuple[int, int]],
    profile: str,
    warmup: Sequence[tuple[int, int]] = (),
) -> QueryResult:
    """Time every tool on the pairs for one profile and check our costs against networkx Dijkstra.

    ``warmup`` pairs (other random ones) are planned first, untimed: the timed
    queries then meet the caches of a server that has been answering for a
    while (expanded shortcuts, twin edges), not those of a fresh process.
    """
    import networkx as nx
    import osmnx as ox
    from pyproj import Transformer

    from routing import plan_route

    W, weight = weighted(G, profile)
    P = projected_copy(W)
    to_proj = Transformer.from_crs(4326, W.graph["proj_crs"], always_xy=True)
    heuristic = lower_bound(W, weight)
    result = QueryResult(name, profile, len(pairs), Timing(), Timing(), Timing(), Timing(), [])
    for a, b in warmup or pairs[:1]:  # the first builds the indexes
        plan_route(G, [latlon(G, a), latlon(G, b)], profile=profile)
    points = [(latlon(G, a), latlon(G, b)) for a, b in pairs]
    # Each tool answers every pair in a loop of its own, as a server answers queries one after the other
    # (interleaving them would leave each tool's data out of the CPU caches by the time its turn comes).
    costs = []
    for pa, pb in points:
        seconds, route = timed(functools.partial(plan_route, G, [pa, pb], profile=profile))
        result.ours.seconds.append(seconds)
        costs.append(route.cost)
    for pa, pb in points:
        explained = functools.partial(lambda a, b: len(plan_route(G, [a, b], profile=profile).segments), pa, pb)
        result.explained.seconds.append(timed(explained)[0])
    expected = []
    for a, b in pairs:
        seconds, cost = timed(functools.partial(nx.dijkstra_path_length, W, a, b, weight=weight))
        result.dijkstra.seconds.append(seconds)
        expected.append(cost)
    by_astar = []
    for a, b in pairs:
        seconds, cost = timed(functools.partial(nx.astar_path_length, W, a, b, heuristic=heuristic, weight=weight))
        result.astar.seconds.append(seconds)
        by_astar.append(cost)

    def with_osmnx(pa: tuple[float, float], pb: tuple[float, float]) -> Any:
        xs, ys = to_proj.transform([pa[1], pb[1]], [pa[0], pb[0]])
        orig, dest = ox.distance.nearest_nodes(P, xs, ys)
        return ox.routing.shortest_path(P, int(orig), int(dest), weight=weight)

    for pa, pb in points:
        result.osmnx.seconds.append(timed(functools.partial(with_osmnx, pa, pb))[0])
    for (a, b), ours, astar, want in zip(pairs, costs, by_astar, expected, strict=True):
        for label, got in (("plan_route", ours), ("networkx A*", astar)):
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-4):
                result.mismatches.append(f"{name} {profile} {a}->{b}: {label} {got!r} != Dijkstra {want!r}")
    return result


@dataclass
class DatasetResult:
    """Building, loading and memory of one real dataset."""

    name: str
    nodes: int
    edges: int
    build_s: float
    load_ms: float
    first_query_ms: float
    rss_loaded_mib: float
    rss_ready_mib: float
    queries: list[QueryResult]
    matrix: dict[str, Any] = field(default_factory=dict)


def bench_dataset(name: str, source: Path, cache: Path, pairs: int, seed: int) -> DatasetResult:
    """Build, load and query one real dataset with a fresh cache folder."""
    import gc

    from gis_data import settings
    from gis_data.network import load_network
    from routing import plan_route

    settings.cache_folder = cache
    build_s, _ = timed(lambda: load_network(source))
    gc.collect()
    loads = []
    G = None
    for _ in range(7):
        seconds, G = timed(lambda: load_network(source))
        loads.append(seconds)
    assert G is not None
    rss_loaded = memory_mib()
    chosen = node_pairs(G, pairs, seed)
    a, b = chosen[0]
    first_s, _ = timed(lambda: plan_route(G, [latlon(G, a), latlon(G, b)], profile="touring"))
    rss_ready = memory_mib()
    warmup = node_pairs(G, WARMUP_PAIRS, seed + 1)
    queries = [bench_queries(name, G, chosen, profile, warmup) for profile in PROFILES]
    matrix = bench_matrix(G, seed)
    return DatasetResult(
        name=name,
        nodes=G.number_of_nodes(),
        edges=G.number_of_edges(),
        build_s=build_s,
        load_ms=statistics.median(loads) * 1e3,
        first_query_ms=first_s * 1e3,
        rss_loaded_mib=rss_loaded,
        rss_ready_mib=rss_ready,
        queries=queries,
        matrix=matrix,
    )


def bench_matrix(G: nx.MultiDiGraph[int], seed: int) -> dict[str, Any]:
    """Time a tour's cost matrix between random junctions and check it against one query per pair."""
    import numpy as np

    from routing.matrix import cost_matrix
    from routing.tour import route_matrices

    rng = random.Random(seed)
    points = [latlon(G, n) for n in rng.sample(sorted(largest_component(G)), MATRIX_POINTS)]
    cost_matrix(G, points)
    times = Timing([timed(lambda: cost_matrix(G, points))[0] for _ in range(MATRIX_RUNS)])
    pairwise_s, (expected, _) = timed(lambda: route_matrices(G, points))
    got = cost_matrix(G, points)
    finite = np.isfinite(expected)
    same_reach = bool((np.isfinite(got) == finite).all())
    equal = same_reach and bool(np.allclose(got[finite], expected[finite], rtol=1e-9, atol=1e-4))
    return {"points": MATRIX_POINTS, "times": times, "pairwise_ms": pairwise_s * 1e3, "equal": equal}


# --- scaling -----------------------------------------------------------------------------------------------


def tiled_graph(G: nx.MultiDiGraph[int], copies: int) -> nx.MultiDiGraph[int]:
    """Lay ``copies`` copies of a graph on a grid, joining neighbouring copies by a two-way link.

    Node ids of copy ``i`` are shifted by ``i * 10**11``; coordinates by
    :data:`GRID_SHIFT` degrees per column and row. Edge attributes (lengths
    included) are the original ones; the links get their great-circle length.
    """
    import networkx as nx
    import numpy as np
    import shapely
    from pyproj import Geod

    side = math.ceil(math.sqrt(copies))
    component = largest_component(G)
    east = max(component, key=lambda n: G.nodes[n]["x"])
    west = min(component, key=lambda n: G.nodes[n]["x"])
    north = max(component, key=lambda n: G.nodes[n]["y"])
    south = min(component, key=lambda n: G.nodes[n]["y"])
    edges = list(G.edges(keys=True, data=True))
    geoms = [d["geometry"] for _, _, _, d in edges]
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    T: nx.MultiDiGraph[int] = nx.MultiDiGraph(**{**G.graph, "name": f"{G.graph.get('name')} x{copies}"})
    geod = Geod(ellps="WGS84")
    for i in range(copies):
        dx, dy = GRID_SHIFT * (i % side), GRID_SHIFT * (i // side)
        shift = i * 10**11
        T.add_nodes_from((n + shift, {"x": d["x"] + dx, "y": d["y"] + dy}) for n, d in G.nodes(data=True))
        lines = shapely.linestrings(coords + np.array([dx, dy]), indices=owner).tolist()
        copied: list[Any] = [
            (u + shift, v + shift, k, {**d, "geometry": line}) for (u, v, k, d), line in zip(edges, lines, strict=True)
        ]
        T.add_edges_from(copied)
        neighbours = []
        if i % side and i - 1 >= 0:
            neighbours.append((west + shift, east + shift - 10**11))
        if i >= side:
            neighbours.append((south + shift, north + shift - side * 10**11))
        for a, b in neighbours:
            xa, ya, xb, yb = T.nodes[a]["x"], T.nodes[a]["y"], T.nodes[b]["x"], T.nodes[b]["y"]
            length = float(geod.inv(xa, ya, xb, yb)[2])
            for u, v in ((a, b), (b, a)):
                line = shapely.LineString([(T.nodes[u]["x"], T.nodes[u]["y"]), (T.nodes[v]["x"], T.nodes[v]["y"])])
                T.add_edge(u, v, highway="cycleway", osmid=-1, length=length, routes=(), geometry=line)
    return T


def scale_worker(copies: int, pairs: int, seed: int) -> dict[str, float]:
    """Measure one synthetic size in this process; return the figures (see :func:`bench_scaling`)."""
    from gis_data import settings
    from gis_data.network import load_network
    from gis_data.network import save_prepared
    from routing import plan_route

    tmp = Path(tempfile.mkdtemp(prefix="cremona-bench-"))
    try:
        settings.cache_folder = tmp
        base = load_network(LIECHTENSTEIN)
        started = time.perf_counter()
        T = tiled_graph(base, copies)
        path = tmp / f"tiled-{copies}.cbgraph"
        save_prepared(T, path)
        build_s = time.perf_counter() - started
        del T, base
        load_s = math.inf
        G = None
        for _ in range(2):
            seconds, G = timed(lambda: load_network(path))
            load_s = min(load_s, seconds)
        assert G is not None
        chosen = node_pairs(G, pairs, seed)
        a, b = chosen[0]
        first_s, _ = timed(lambda: plan_route(G, [latlon(G, a), latlon(G, b)], profile="touring"))
        for a, b in node_pairs(G, WARMUP_PAIRS, seed + 1):
            plan_route(G, [latlon(G, a), latlon(G, b)], profile="touring")
        times = Timing()
        for a, b in chosen:
            pa, pb = latlon(G, a), latlon(G, b)
            times.seconds.append(timed(functools.partial(plan_route, G, [pa, pb], profile="touring"))[0])
        return {
            "copies": copies,
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "build_s": build_s,
            "load_ms": load_s * 1e3,
            "first_query_ms": first_s * 1e3,
            "median_ms": times.median_ms,
            "p95_ms": times.p95_ms,
            "rss_mib": memory_mib(),
            "peak_mib": memory_mib(peak=True),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_scaling(sizes: Sequence[int], pairs: int, seed: int, timeout_s: float) -> list[dict[str, Any]]:
    """Run :func:`scale_worker` for each size in a fresh process (clean memory figures)."""
    rows: list[dict[str, Any]] = []
    for copies in sizes:
        command = [sys.executable, "-m", "tests.bench", "--scale-worker", str(copies), "--pairs", str(pairs)]
        command += ["--seed", str(seed)]
        try:
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        except (subprocess.SubprocessError, json.JSONDecodeError, IndexError) as exc:
            rows.append({"copies": copies, "error": type(exc).__name__})
            break
    return rows


# --- HTTP --------------------------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def children(pid: int) -> list[int]:
    """Return the ids of a process's children, from ``/proc``."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def bench_http(source: Path, cache: Path, G: nx.MultiDiGraph[int], pairs: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """Serve the app with gunicorn on 127.0.0.1 and time the route API; stop the server afterwards."""
    port = free_port()
    env = {**os.environ, "CREMONA_BIKE_CACHE": str(cache), "FLASK_DATA": json.dumps(str(source))}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:web.gunicorn_conf", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(HTTP_WORKERS)]
    server = subprocess.Popen(
        [*command, "web:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"

    def get(a: int, b: int) -> int:
        (la, lo), (lb, lob) = latlon(G, a), latlon(G, b)
        url = f"{base}/api/route?from={la:.7f},{lo:.7f}&to={lb:.7f},{lob:.7f}"
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            status: int = response.status
            return status

    try:
        deadline = time.monotonic() + 60
        first_s = math.nan
        while True:
            try:
                first_s, _ = timed(lambda: get(*pairs[0]))
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        for a, b in pairs[:10]:
            get(a, b)
        times = Timing()
        failed = 0
        for i in range(HTTP_REQUESTS):
            a, b = pairs[i % len(pairs)]
            try:
                seconds, _ = timed(functools.partial(get, a, b))
                times.seconds.append(seconds)
            except OSError:
                failed += 1
        workers = children(server.pid)
        shares = [memory_shares(w) for w in workers]
        return {
            "requests": HTTP_REQUESTS,
            "failed": failed,
            "first_ms": first_s * 1e3,
            "p50_ms": times.median_ms,
            "p99_ms": percentile(times.seconds, 99) * 1e3,
            "workers": len(workers),
            "master_rss_mib": memory_shares(server.pid)["rss"],
            **{f"worker_{k}_mib": max((m[k] for m in shares), default=math.nan) for k in ("rss", "pss", "uss")},
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- report ------------------------------------------------------------------------------------------------


def report(
    datasets: Sequence[DatasetResult],
    scaling: Sequence[dict[str, Any]],
    http: dict[str, Any] | None,
    gpx: str | None,
    pairs: int,
) -> str:
    """Lay the figures out as Markdown."""
    parts = ["# Route planner benchmark", "", table(["", ""], machine()), ""]
    parts += [
        f"## In-process route queries ({pairs} random junction pairs per row, milliseconds, median / p95)",
        "",
        "`ours` is a complete `plan_route`: snapping both points, the search with the profile's weights, the "
        "geometry and the summary (distance, time, cost, surface/highway/infrastructure shares, signed routes); "
        "its explanation, segment by segment, is grouped when first read, and `ours + explanation` reads it. "
        "osmnx is `nearest_nodes` + `shortest_path`; networkx Dijkstra and A* are searches only. "
        f"Before the timed pairs, {WARMUP_PAIRS} other random pairs are planned untimed, as a running server "
        "would have (its caches of expanded shortcuts hold what earlier requests needed).",
        "",
    ]
    rows = []
    for d in datasets:
        for q in d.queries:
            rows.append(
                [
                    d.name,
                    q.profile,
                    q.ours.cell(),
                    q.explained.cell(),
                    q.osmnx.cell(),
                    q.dijkstra.cell(),
                    q.astar.cell(),
                    f"{q.osmnx.median_ms / q.ours.median_ms:.0f}x",
                    f"{q.astar.median_ms / q.ours.median_ms:.0f}x",
                    "all equal" if not q.mismatches else f"**{len(q.mismatches)} differ**",
                ]
            )
    header = ["dataset", "profile", "ours", "ours + explanation", "osmnx", "networkx Dijkstra", "networkx A*"]
    parts += [table([*header, "osmnx / ours", "A* / ours", "costs vs Dijkstra"], rows), ""]
    rows = [
        [
            f"{d.name} ({d.nodes} nodes, {d.edges} edges)",
            f"{d.build_s:.2f}",
            f"{d.load_ms:.1f}",
            f"{d.first_query_ms:.1f}",
            f"{d.rss_loaded_mib:.0f}",
            f"{d.rss_ready_mib:.0f}",
        ]
        for d in datasets
    ]
    parts += [
        f"## Many-to-many: a tour's cost matrix ({MATRIX_POINTS} x {MATRIX_POINTS} random junctions, touring)",
        "",
        "`routing.matrix.cost_matrix` (one hierarchy search per point and direction) against one `plan_route` "
        "search per ordered pair (`routing.tour.route_matrices`); costs must be equal.",
        "",
        table(
            ["dataset", "matrix median / p95 (ms)", "one query per pair (ms)", "costs"],
            [
                [
                    d.name,
                    d.matrix["times"].cell(),
                    f"{d.matrix['pairwise_ms']:.1f}",
                    "all equal" if d.matrix["equal"] else "**differ**",
                ]
                for d in datasets
            ],
        ),
        "",
    ]
    parts += ["## Loading and memory", ""]
    header = ["dataset", "build + prepare (s)", "load prepared (ms)", "first query (ms)"]
    parts += [table([*header, "RSS loaded (MiB)", "RSS after first query (MiB)"], rows), ""]
    if scaling:
        parts += [
            "## Scaling (synthetic grids of Liechtenstein copies, touring profile)",
            "",
            "Build = tile + write the prepared graph (nested-dissection order included); first query = "
            "compact arrays, contraction hierarchy, snapping index; median and p95 after the same warm-up as "
            "above; memory = the worker process.",
            "",
        ]
        rows = []
        for r in scaling:
            if "error" in r:
                rows.append([r["copies"], "-", "-", f"failed: {r['error']}", "-", "-", "-", "-", "-"])
                continue
            rows.append(
                [
                    r["copies"],
                    r["nodes"],
                    r["edges"],
                    f"{r['build_s']:.1f}",
                    f"{r['load_ms']:.0f}",
                    f"{r['first_query_ms']:.0f}",
                    f"{r['median_ms']:.3f}",
                    f"{r['p95_ms']:.3f}",
                    f"{r['rss_mib']:.0f} / {r['peak_mib']:.0f}",
                ]
            )
        header = ["copies", "nodes", "edges", "build (s)", "load (ms)", "first query (ms)", "median (ms)"]
        parts += [table([*header, "p95 (ms)", "RSS / peak (MiB)"], rows), ""]
    if http is not None:
        parts += [
            f"## Route API over HTTP (gunicorn -c python:web.gunicorn_conf, {http['workers']} workers preloaded, "
            "127.0.0.1, Liechtenstein, touring)",
            "",
            "Memory of the largest worker after the requests: RSS counts the pages it shares with the master "
            "and the other worker (libraries, the graph loaded before the fork), PSS divides them among the "
            "sharers, USS is what it holds alone (the cost of one more worker).",
            "",
            table(
                [*HTTP_HEADER, "worker RSS / PSS / USS (MiB)", "master RSS (MiB)"],
                [
                    [
                        http["requests"],
                        http["failed"],
                        f"{http['first_ms']:.1f}",
                        f"{http['p50_ms']:.2f}",
                        f"{http['p99_ms']:.2f}",
                        f"{http['worker_rss_mib']:.0f} / {http['worker_pss_mib']:.0f} / {http['worker_uss_mib']:.0f}",
                        f"{http['master_rss_mib']:.0f}",
                    ]
                ],
            ),
            "",
        ]
    if gpx is not None:
        parts += ["## GPX (tests/bench_gpx.py)", "", "```", gpx.rstrip(), "```", ""]
    mismatches = [m for d in datasets for q in d.queries for m in q.mismatches]
    if mismatches:
        parts += ["## Cost mismatches", "", *[f"- {m}" for m in mismatches[:50]], ""]
    return "\n".join(parts)


def bench_gpx() -> str | None:
    """Run the GPX benchmark of ``tests/bench_gpx.py`` if it exists; return what it printed."""
    if not (Path(__file__).parent / "bench_gpx.py").exists():
        return None
    import importlib

    module = importlib.import_module("tests.bench_gpx")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        module.main([])
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, write and print the report; return 1 if any route cost differs."""
    from gis_data import settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pairs", type=int, default=100, help="random junction pairs per dataset")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--sizes", default=",".join(map(str, SCALE_COPIES)), help="copies per scaling row")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-gpx", action="store_true")
    parser.add_argument("--scale-worker", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_worker:
        print(json.dumps(scale_worker(args.scale_worker, args.pairs, args.seed)))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="cremona-bench-"))
    try:
        sources = {"Liechtenstein": LIECHTENSTEIN, "Cremona city": Path(settings.default_network)}
        datasets = [
            bench_dataset(name, source, tmp / name.replace(" ", "-"), args.pairs, args.seed)
            for name, source in sources.items()
        ]
        scaling = []
        if not args.no_scaling:
            sizes = [int(s) for s in args.sizes.split(",") if s]
            scaling = bench_scaling(sizes, args.pairs, args.seed, timeout_s=400)
        http = None
        if not args.no_http:
            from gis_data.network import load_network

            settings.cache_folder = tmp / "Liechtenstein"
            G = load_network(LIECHTENSTEIN)
            http = bench_http(LIECHTENSTEIN, tmp / "Liechtenstein", G, node_pairs(G, args.pairs, args.seed))
        gpx = None if args.no_gpx else bench_gpx()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = report(datasets, scaling, http, gpx, args.pairs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.md"
    out.write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\nwritten to {out.relative_to(ROOT)}")
    mismatches = sum(len(q.mismatches) for d in datasets for q in d.queries)
    mismatches += sum(not d.matrix["equal"] for d in datasets)
    if mismatches:
        print(f"{mismatches} route costs differ from networkx Dijkstra", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
