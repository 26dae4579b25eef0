"""Benchmark GPX reading and writing: our hardened importer and writer against plain gpxpy.

Run ``python -m tests.bench_gpx`` (``--points N`` for the size of the generated
file, ``--repeat R`` for the corpus timings). It measures, in track/route/waypoint
points per second:

* parse and write of the three largest files of the gpxpy corpus;
* parse and write of a generated file of one million track points (with
  elevation and time, about 125 MB, so the size limit and time budget are
  lifted for it);
* the tracemalloc peak of parsing that file. tracemalloc sees Python
  allocations only, not libxml2's; our importer frees each point's XML element
  as soon as the point is built, so its peak is mostly the gpxpy objects
  themselves.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

import gpxpy
import gpxpy.gpx

from gis_data.gpx_import import parse_gpx
from gis_data.gpx_write import gpx_bytes
from tests.conftest import DATA

if TYPE_CHECKING:
    from collections.abc import Callable

CORPUS = DATA / "gpx-corpus"
NO_LIMIT_BYTES = 10**12
NO_LIMIT_S = 1e9


def count_points(doc: gpxpy.gpx.GPX) -> int:
    """Return every track, route and waypoint point of a document."""
    tracks = sum(len(s.points) for t in doc.tracks for s in t.segments)
    return tracks + sum(len(r.points) for r in doc.routes) + len(doc.waypoints)


def best_time(action: Callable[[], object], repeat: int) -> float:
    """Return the fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def generated(points: int) -> gpxpy.gpx.GPX:
    """Build a track of ``points`` points wandering round Cremona, one a second."""
    doc = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack(name=f"{points} generated points")
    segment = gpxpy.gpx.GPXTrackSegment()
    t0 = datetime(2025, 5, 17, 8, tzinfo=UTC)
    for i in range(points):
        lat = 45.1334 + (i % 20_000) * 1e-6
        lon = 10.0246 + (i // 20_000) * 1e-4
        point = gpxpy.gpx.GPXTrackPoint(
            round(lat, 7), round(lon, 7), elevation=40 + (i % 97) / 10, time=t0 + timedelta(seconds=i)
        )
        segment.points.append(point)
    track.segments.append(segment)
    doc.tracks.append(track)
    return doc


def row(label: str, points: int, seconds: float) -> str:
    """Format one result line."""
    return f"{label:<46} {points:>9} pts {seconds:9.3f} s {points / seconds:>12,.0f} pts/s"


def bench_corpus(repeat: int) -> None:
    """Parse and write the corpus' largest files, ours against gpxpy."""
    largest = sorted(CORPUS.glob("*.gpx"), key=lambda p: p.stat().st_size, reverse=True)[:3]
    for path in largest:
        data = path.read_bytes()
        doc = parse_gpx(data, name=path.name)
        points = count_points(doc)
        print(f"{path.name} ({len(data):,} bytes)")
        timings: dict[str, Callable[[], object]] = {
            "parse: gis_data.gpx_import.parse_gpx": partial(parse_gpx, data),
            "parse: gpxpy.parse": partial(gpxpy.parse, data),
            "write: gis_data.gpx_write.gpx_bytes": partial(gpx_bytes, doc),
            "write: gpxpy GPX.to_xml": partial(doc.to_xml, "1.1"),
        }
        for label, action in timings.items():
            print(row(f"  {label}", points, best_time(action, repeat)))


def peak_mib(action: Callable[[], object]) -> float:
    """Return the tracemalloc peak of ``action``, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def bench_generated(points: int, *, gpxpy_too: bool) -> None:
    """Write and parse a generated file of ``points`` points; the peak memory of parsing it."""
    doc = generated(points)
    start = time.perf_counter()
    data = gpx_bytes(doc)
    ours_write = time.perf_counter() - start
    print(f"generated track ({len(data):,} bytes)")
    print(row("  write: gis_data.gpx_write.gpx_bytes", points, ours_write))
    if gpxpy_too:
        start = time.perf_counter()
        doc.to_xml("1.1")
        print(row("  write: gpxpy GPX.to_xml", points, time.perf_counter() - start))
    del doc
    start = time.perf_counter()
    parsed = parse_gpx(data, max_bytes=NO_LIMIT_BYTES, time_budget_s=NO_LIMIT_S)
    print(row("  parse: gis_data.gpx_import.parse_gpx", count_points(parsed), time.perf_counter() - start))
    del parsed
    if gpxpy_too:
        start = time.perf_counter()
        reference = gpxpy.parse(data)
        print(row("  parse: gpxpy.parse", count_points(reference), time.perf_counter() - start))
        del reference
    ours = peak_mib(lambda: parse_gpx(data, max_bytes=NO_LIMIT_BYTES, time_budget_s=NO_LIMIT_S))
    print(f"  tracemalloc peak, parse_gpx:  {ours:8.1f} MiB ({ours * 2**20 / points:.0f} B/point)")
    if gpxpy_too:
        theirs = peak_mib(lambda: gpxpy.parse(data))
        print(f"  tracemalloc peak, gpxpy.parse: {theirs:8.1f} MiB ({theirs * 2**20 / points:.0f} B/point)")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--points", type=int, default=1_000_000, help="size of the generated track")
    parser.add_argument("--repeat", type=int, default=5, help="runs per corpus timing (best kept)")
    parser.add_argument("--no-gpxpy", action="store_true", help="skip plain gpxpy on the generated file (slow: ~1 min)")
    args = parser.parse_args(argv)
    bench_corpus(args.repeat)
    bench_generated(args.points, gpxpy_too=not args.no_gpxpy)


if __name__ == "__main__":
    main()
