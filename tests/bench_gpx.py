"""Benchmark GPX reading and writing: our hardened importer and writer against plain gpxpy.

Run ``python -m tests.bench_gpx`` (``--points 100000,1000000`` for the sizes
of the generated tracks, ``--repeat R`` for the corpus timings). It measures,
in track/route/waypoint points per second:

* parse and write of the three largest files of the gpxpy corpus;
* parse and write of generated tracks of 100 000 and 1 000 000 points (with
  elevation and time, 12.5 and 125 MB, so the size limit and time budget are
  lifted for them), ours and plain gpxpy's, in one Markdown table;
* parse of the generated tracks into numpy columns
  (:func:`gis_data.gpx_columns.read_track_columns`, track points only);
* the tracemalloc peak of each of those runs (a separate run, as tracemalloc
  slows Python down). tracemalloc sees Python allocations only, not libxml2's;
  our importer frees the points' XML elements after every 64 kB chunk, so its
  peak is mostly the gpxpy objects themselves (and the input bytes are not
  counted: they exist before the parse). ``write_gpx`` streams to a file, so
  its peak is one batch of points; ``gpx_bytes`` and ``to_xml`` hold the whole
  output.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

import gpxpy
import gpxpy.gpx

from gis_data.gpx_columns import read_track_columns
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_write import gpx_bytes
from gis_data.gpx_write import write_gpx
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


def table_row(points: int, operation: str, library: str, seconds: float, peak: float | None) -> str:
    """Format one row of the generated-track table."""
    memory = f"{peak:8.1f} | {peak * 2**20 / points:5.0f}" if peak is not None else f"{'-':>8} | {'-':>5}"
    return f"| {points:>9,} | {operation:<5} | {library:<39} | {seconds:7.3f} | {points / seconds:>9,.0f} | {memory} |"


def bench_generated(points: int, *, gpxpy_too: bool, repeat: int) -> tuple[str, list[str]]:
    """Time and measure writing and parsing a generated track of ``points`` points, ours and gpxpy's.

    Returns a title line and the table rows. The streaming writer writes to
    ``/dev/null`` through an ordinary buffered file.
    """
    doc = generated(points)
    data = gpx_bytes(doc)
    parse = partial(parse_gpx, data, max_bytes=NO_LIMIT_BYTES, time_budget_s=NO_LIMIT_S)
    sink = open(os.devnull, "wb")  # noqa: SIM115 - closed below, after every case has used it
    cases: list[tuple[str, str, Callable[[], object]]] = [
        ("write", "gis_data.gpx_write.write_gpx (stream)", partial(write_gpx, doc, sink)),
        ("write", "gis_data.gpx_write.gpx_bytes", partial(gpx_bytes, doc)),
        ("parse", "gis_data.gpx_import.parse_gpx", parse),
        (
            "parse",
            "gis_data.gpx_columns.read_track_columns",
            partial(read_track_columns, data, max_bytes=NO_LIMIT_BYTES, time_budget_s=NO_LIMIT_S),
        ),
    ]
    if gpxpy_too:
        cases += [
            ("write", "gpxpy GPX.to_xml", partial(doc.to_xml, "1.1")),
            ("parse", "gpxpy.parse", partial(gpxpy.parse, data)),
        ]
    rows = []
    with sink:
        for operation, library, action in cases:
            seconds = best_time(action, repeat)
            rows.append(table_row(points, operation, library, seconds, peak_mib(action)))
    assert count_points(parse()) == points
    return f"generated track of {points:,} points: {len(data):,} bytes", rows


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the corpus lines and the generated-track table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--points", default="100000,1000000", help="sizes of the generated tracks, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="runs per corpus timing (best kept)")
    parser.add_argument(
        "--no-gpxpy", action="store_true", help="skip plain gpxpy on the generated files (slow: minutes)"
    )
    args = parser.parse_args(argv)
    bench_corpus(args.repeat)
    header = [
        "",
        "| points    | op    | library                                 |       s |     pts/s | peak MiB |   B/pt |",
        "|----------:|-------|-----------------------------------------|--------:|----------:|---------:|-------:|",
    ]
    rows: list[str] = []
    for size in (int(s) for s in args.points.split(",") if s):
        # Best of 3 runs under a million points, one run above (gpxpy takes a minute a run there).
        title, size_rows = bench_generated(size, gpxpy_too=not args.no_gpxpy, repeat=3 if size < 10**6 else 1)
        print(title)
        rows += size_rows
    print("\n".join(header + rows))


if __name__ == "__main__":
    main()
