"""The hostile-input corpus: files made on the spot, the commands that read them, and a measuring runner.

Nothing here is stored in the repository: :func:`make_corpus` writes every file
into a folder (the tests use ``tmp_path``), streaming the big ones to disk so
that not even the generator holds 200 MB. :data:`CASES` pairs each file (or
hostile command-line value) with a ``cremona-bike`` command and what its one
error line must say. :func:`run_measured` runs one case as a real subprocess
and measures its wall time and peak resident memory (``os.wait4``'s rusage).

Run the whole table, as subprocesses, for the release note::

    .venv/bin/python -m tests.hostile_corpus            # Markdown table on stdout
    .venv/bin/python -m tests.hostile_corpus --jobs 2   # two at a time
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Sequence

GPX_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="x">\n'
)
GPX_TAIL = b"</gpx>\n"
MB = 1024 * 1024
BIG_BYTES = 200 * MB
#: Two stops in the embedded Cremona graph, 2.7 km apart.
FROM, TO = "45.1334,10.0246", "45.1433,10.0180"
CREMONA_BIKE = str(Path(sys.executable).with_name("cremona-bike"))


# --- the files --------------------------------------------------------------------------------------


def _laughs() -> bytes:
    lines = ['<!ENTITY lol "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)]
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE gpx [\n'
        + "\n".join(lines).encode()
        + b'\n]>\n<gpx version="1.1" creator="x"><wpt lat="45.1" lon="10.0"><name>&lol9;</name></wpt></gpx>\n'
    )


def _quadratic() -> bytes:
    # One 64 KB entity referenced 300 times: 19 MB of text from an 84 KB file (no nesting to detect).
    entity = "a" * 65_536
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "{entity}">]>\n'
        f'<gpx version="1.1" creator="x"><wpt lat="45.1" lon="10.0"><name>{"&a;" * 300}</name></wpt></gpx>\n'
    ).encode()


def _doctype(declaration: str, body: str = "<name>&x;</name>") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{declaration}\n'
        f'<gpx version="1.1" creator="x"><wpt lat="45.1" lon="10.0">{body}</wpt></gpx>\n'
    ).encode()


def _write_streamed(path: Path, head: bytes, chunk: bytes, total: int, tail: bytes) -> None:
    """Write ``head``, then ``chunk`` repeated up to ``total`` bytes, then ``tail``, 1 MB at a time."""
    block = chunk * max(1, MB // len(chunk))
    with path.open("wb") as fh:
        fh.write(head)
        written = len(head)
        while written + len(block) <= total - len(tail):
            fh.write(block)
            written += len(block)
        fh.write(tail)


def _itinerary(**changes: Any) -> dict[str, Any]:
    stop = {"id": "duomo", "name": "Duomo", "lat": 45.1334, "lon": 10.0246}
    station = {"id": "station", "name": "Stazione di Cremona", "lat": 45.1433, "lon": 10.0180}
    request: dict[str, Any] = {"kind": "tour", "start": stop, "visits": [station], "extra": {}}
    request.update(changes)
    return {"format": "cremona-bike/itinerary", "version": 1, "request": request}


def _json_bytes(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def _deep_json(depth: int = 100_000) -> bytes:
    return b'{"type": "FeatureCollection", "features": ' + b"[" * depth + b"]" * depth + b"}"


def _ics(events: Iterable[str]) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


def _vevent(n: int) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:e{n}\r\nSUMMARY:Sagra {n}\r\n"
        "DTSTART;VALUE=DATE:20260601\r\nLOCATION:Crema\r\nEND:VEVENT\r\n"
    )


def small_files() -> dict[str, bytes]:
    """Return the hostile files that fit in memory, by file name."""
    rng = random.Random(9)
    point = b'<trkpt lat="45.1" lon="10.0"><ele>50</ele></trkpt>'
    track = b"<trk><trkseg>%s</trkseg></trk>"
    return {
        # XML: entity tricks, external resources, structure and encoding
        "billion_laughs.gpx": _laughs(),
        "quadratic_blowup.gpx": _quadratic(),
        "xxe_file.gpx": _doctype('<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
        "xxe_http.gpx": _doctype('<!DOCTYPE gpx [<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">]>'),
        "xxe_parameter.gpx": _doctype(
            '<!DOCTYPE gpx [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', body="<name>x</name>"
        ),
        "external_dtd.gpx": _doctype('<!DOCTYPE gpx SYSTEM "http://127.0.0.1:9/gpx.dtd">', body=""),
        "xinclude.gpx": GPX_HEAD.replace(b"creator", b'xmlns:xi="http://www.w3.org/2001/XInclude" creator')
        + b'<wpt lat="45.1" lon="10.0"><extensions><xi:include href="file:///etc/passwd" parse="text"/>'
        + b"</extensions></wpt>"
        + GPX_TAIL,
        "deep_nesting.gpx": GPX_HEAD
        + b'<wpt lat="45.1" lon="10.0"><extensions>'
        + b"<e>" * 100_000
        + b"</e>" * 100_000
        + b"</extensions></wpt>"
        + GPX_TAIL,
        "huge_text_node.gpx": GPX_HEAD
        + b'<wpt lat="45.1" lon="10.0"><name>'
        + b"a" * (15 * MB)
        + b"</name></wpt>"
        + GPX_TAIL,
        "invalid_utf8.gpx": GPX_HEAD + b'<wpt lat="45.1" lon="10.0"><name>Crem\xe0 \xc3\x28</name></wpt>' + GPX_TAIL,
        "nan_coords.gpx": GPX_HEAD + track % (point + b'<trkpt lat="NaN" lon="10.0"/>') + GPX_TAIL,
        "inf_coords.gpx": GPX_HEAD + track % (point + b'<trkpt lat="45.1" lon="-inf"/>') + GPX_TAIL,
        "out_of_range.gpx": GPX_HEAD + track % (point + b'<trkpt lat="45.1" lon="1e308"/>') + GPX_TAIL,
        "nan_elevation.gpx": GPX_HEAD
        + track % (point + b'<trkpt lat="45.1" lon="10.0"><ele>nan</ele></trkpt>')
        + GPX_TAIL,
        "empty.gpx": b"",
        "blank.gpx": b"\xef\xbb\xbf  \n\t\n",
        "not_gpx.xml": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><gpx/></svg>\n',
        "binary.gpx": bytes(rng.getrandbits(8) for _ in range(4096)),
        "truncated.gpx": GPX_HEAD + b'<trk><trkseg><trkpt lat="45.1" lon="10.0"><ele>5',
        # GeoJSON: for gpx info/convert, poi import and closures
        "deep_nesting.geojson": _deep_json(),
        "nan_coords.geojson": b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        b'{"id": "x", "name": "X", "category": "museum"}, '
        b'"geometry": {"type": "Point", "coordinates": [NaN, Infinity]}}]}',
        "junk_features.geojson": b'{"type": "FeatureCollection", "features": [1, "x", null, [], '
        b'{"type": "Feature", "properties": [], "geometry": {"type": "Point", "coordinates": 5}}]}',
        "invalid_utf8.geojson": b'{"type": "FeatureCollection", "features": [], "name": "Crem\xe0"}',
        "empty.geojson": b"",
        "not_json.geojson": b"<gpx/>",
        "bad_buffer.geojson": b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        b'{"name": "x", "buffer_m": 1e308}, '
        b'"geometry": {"type": "LineString", "coordinates": [[10, 45], [10.1, 45]]}}]}',
        # CSV: POI registries and events
        "invalid_utf8.csv": b"id,name,category,comune\nx,Crem\xe0,museum,Cremona\n",
        "empty.csv": b"",
        "huge_field.csv": b"id,name,category,comune\nx," + b"a" * 200_000 + b",museum,Cremona\n",
        "nan_coords.csv": b"id,name,category,lat,lon\na,A,museum,nan,10\nb,B,museum,45,inf\nc,C,museum,1e400,10\n",
        "nul_bytes.csv": b"id,name,category,comune\nx,\x00\x00,museum,Cremona\n",
        "address_redos.csv": b"id,name,category,comune,address\nx,X,museum,Cremona,Via" + b" " * 100_000 + b"1!\n",
        # iCalendar
        "deep_nesting.ics": ("BEGIN:VCALENDAR\r\n" + "BEGIN:VEVENT\r\n" * 20_000 + "END:VEVENT\r\n" * 20_000).encode()
        + b"END:VCALENDAR\r\n",
        "garbage.ics": bytes(rng.getrandbits(8) for _ in range(4096)),
        "empty.ics": b"",
        "invalid_utf8.ics": _ics([_vevent(1)]).replace(b"Sagra 1", b"Sagra \xe0"),
        "bad_date.ics": _ics([_vevent(1).replace("20260601", "99999999")]),
        "many_events.ics": _ics(_vevent(n) for n in range(50_000)),
        # saved itineraries
        "deep_nesting.json": b"[" * 100_000 + b"]" * 100_000,
        "invalid_utf8.json": _json_bytes(_itinerary()).replace(b"Duomo", b"Duom\xf2"),
        "empty.json": b"",
        "not_itinerary.json": b'{"type": "FeatureCollection", "features": []}',
        "nan_stop.json": _json_bytes(_itinerary(start={"id": "a", "name": "A", "lat": math_nan(), "lon": 10.0})),
        "days_1e9.json": _json_bytes(_itinerary(extra={"days": 10**9})),
        "days_text.json": _json_bytes(_itinerary(extra={"days": "x"})),
        "km_per_day_tiny.json": _json_bytes(_itinerary(km_per_day=1e-9)),
        "visits_3000.json": _json_bytes(
            _itinerary(visits=[{"id": f"v{i}", "name": "V", "lat": 45.14, "lon": 10.02} for i in range(3000)])
        ),
        "depart_9999.json": _json_bytes(_itinerary(depart="9999-12-31T23:59:00")),
        "seed_infinite.json": _json_bytes(_itinerary(kind="loop", target_km=10, seed=math_inf())),
        "loop_1e308_km.json": _json_bytes(_itinerary(kind="loop", target_km=1e308)),
        # bicycle profiles (TOML)
        "deep_nesting.toml": b"a = " + b"[" * 30_000 + b"]" * 30_000 + b"\n",
        "invalid_utf8.toml": b'name = "Crem\xe0"\n',
        "nan_speed.toml": b"speed_kmh = nan\n",
        "forbidden_number.toml": b"forbidden = 5\n",
        "not_toml.toml": b"<gpx/>\n",
        "empty.toml": b"",
    }


def math_nan() -> float:
    """Return NaN (``json.dumps`` writes it as the ``NaN`` literal Python's parser accepts)."""
    return float("nan")


def math_inf() -> float:
    """Return infinity (written as ``Infinity``)."""
    return float("inf")


def make_corpus(folder: Path) -> Path:
    """Write every hostile file into ``folder`` (created); return it.

    The 200 MB file is streamed to disk and linked under each importer's
    extension; the 10^6 waypoints and 10^6 CSV rows are streamed too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in small_files().items():
        (folder / name).write_bytes(data)
    big = folder / "big_200mb.gpx"
    point = b'<trkpt lat="45.13340" lon="10.02460"><ele>45.0</ele><time>2026-06-01T09:00:00Z</time></trkpt>\n'
    _write_streamed(big, GPX_HEAD + b"<trk><trkseg>\n", point, BIG_BYTES, b"</trkseg></trk>\n" + GPX_TAIL)
    for suffix in ("geojson", "csv", "ics", "json", "toml"):
        link = folder / f"big_200mb.{suffix}"
        link.unlink(missing_ok=True)
        os.link(big, link)
    waypoints = b'<wpt lat="45.1" lon="10.0"/>\n'
    _write_streamed(folder / "waypoints_1e6.gpx", GPX_HEAD, waypoints, len(waypoints) * 10**6, GPX_TAIL)
    # Just under the 20 MiB limit: the most the importer is ever asked to read.
    under = 20 * 10**6
    _write_streamed(folder / "waypoints_20mb.gpx", GPX_HEAD, waypoints, under, GPX_TAIL)
    trkpt = b'<trkpt lat="45.1" lon="10.0"/>\n'
    _write_streamed(
        folder / "track_20mb.gpx", GPX_HEAD + b"<trk><trkseg>\n", trkpt, under, b"</trkseg></trk>\n" + GPX_TAIL
    )
    for name, count in (("rows_1e6.csv", 10**6), ("rows_1e5.csv", 10**5)):
        with (folder / name).open("wb") as fh:
            fh.write(b"id,name,category\n")
            for start in range(0, count, 10_000):
                fh.write(b"".join(b"p%06d,M,museum\n" % n for n in range(start, start + 10_000)))
    with (folder / "problems_1e5.csv").open("wb") as fh:
        fh.write(b"id,name,category,comune\n")
        fh.write(b"".join(b"bad id %d,,nowhere,\n" % n for n in range(10**5)))
    return folder


# --- the cases --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile input given to one command, and what its last line on stderr must say.

    ``args`` holds ``{file}`` (the corpus file) and ``{out}`` (a fresh output
    folder). ``exit_codes`` lists the accepted exit statuses: 1 for a refused
    input, 2 for a usage error (a coordinate argument out of range), 0 for an
    input that is harmless and is accepted. ``heavy`` cases are also run as
    measured subprocesses by the test suite; cases not ``in_suite`` (loads at
    the limits, several seconds each) only by ``python -m tests.hostile_corpus``.
    """

    kind: str
    file: str
    args: tuple[str, ...]
    expect: str
    exit_codes: tuple[int, ...] = (1,)
    stdin: bool = False
    heavy: bool = False
    in_suite: bool = True

    @property
    def label(self) -> str:
        """Return a short id for test reports."""
        what = self.file or ascii(self.kind)[1:-1][:40]
        command = "-".join(self.args[:2]) if self.file else self.args[0]
        return f"{what}:{command}{':stdin' if self.stdin else ''}"

    def argv(self, folder: Path, out: Path) -> list[str]:
        """Return the command line, with the file and output folder filled in."""
        file = "-" if self.stdin else str(folder / self.file)
        return [a.replace("{file}", file).replace("{out}", str(out)) for a in self.args]


GPX_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("gpx", "info", "{file}"),
    ("gpx", "validate", "{file}"),
    ("gpx", "convert", "{file}", "-o", "{out}/out.geojson"),
    ("poi", "along", "{file}"),
    ("routes", "match", "{file}", "--name", "Ciclovia"),
)

#: What the refusal of each GPX file says (the GPX importer's messages).
GPX_FILES: dict[str, tuple[str, str]] = {
    "billion_laughs.gpx": ("XML: billion laughs", "document type declarations are not allowed"),
    "quadratic_blowup.gpx": ("XML: quadratic entity expansion", "document type declarations are not allowed"),
    "xxe_file.gpx": ("XML: external entity file:///etc/passwd", "document type declarations are not allowed"),
    "xxe_http.gpx": ("XML: external entity http://", "document type declarations are not allowed"),
    "xxe_parameter.gpx": ("XML: external parameter entity", "document type declarations are not allowed"),
    "external_dtd.gpx": ("XML: external DTD", "document type declarations are not allowed"),
    "big_200mb.gpx": ("GPX of 200 MB", "over the 20971520-byte limit"),
    "waypoints_1e6.gpx": ("GPX with 10^6 waypoints (29 MB)", "over the 20971520-byte limit"),
    "deep_nesting.gpx": ("XML nested 100 000 deep", "Excessive depth"),
    "huge_text_node.gpx": ("XML text node of 15 MB", "Text node too long"),
    "invalid_utf8.gpx": ("GPX with invalid UTF-8", "line 3"),
    "nan_coords.gpx": ("GPX with NaN latitude", "latitude nan is out of range [-90, 90]"),
    "inf_coords.gpx": ("GPX with infinite longitude", "longitude -inf is out of range [-180, 180]"),
    "out_of_range.gpx": ("GPX with longitude 1e308", "longitude 1e+308 is out of range [-180, 180]"),
    "nan_elevation.gpx": ("GPX with NaN elevation", "elevation nan is not a finite number"),
    "empty.gpx": ("empty GPX (0 bytes)", "empty document"),
    "blank.gpx": ("GPX of a BOM and blanks", "empty document"),
    "not_gpx.xml": ("non-GPX XML (SVG)", "not a GPX document"),
    "binary.gpx": ("4 KB of random bytes", "not well-formed XML"),
    "truncated.gpx": ("truncated GPX", "not well-formed XML"),
}
#: ``gpx validate`` prints its report on stdout and this count on stderr; the others fail with one error line.
VALIDATE_SUMMARY = "error(s)"


#: Where ``gpx validate`` words a problem its own way (a schema error comes first).
VALIDATE_SAYS = {"nan_elevation.gpx": "'nan' is not a valid value of the atomic type 'xs:decimal'"}


def _gpx_cases() -> list[Case]:
    cases = []
    for file, (kind, expect) in GPX_FILES.items():
        for command in GPX_COMMANDS:
            says = VALIDATE_SAYS.get(file, expect) if command[1] == "validate" else expect
            cases.append(Case(kind, file, command, says))
    cases.append(
        Case("GPX of 200 MB on stdin", "big_200mb.gpx", ("gpx", "info", "-"), "<stdin>: 20971521 bytes", stdin=True)
    )
    cases.append(
        Case(
            "GPX of 20 MB (under the limit): 640 000 bare track points",
            "track_20mb.gpx",
            ("gpx", "info", "{file}"),
            "",
            (0,),
            in_suite=False,
        )
    )
    cases.append(
        Case(
            "GPX of 20 MB (under the limit): 690 000 waypoints",
            "waypoints_20mb.gpx",
            ("gpx", "info", "{file}"),
            "longer than the 10 s budget",
            in_suite=False,
        )
    )
    cases.append(
        Case(
            "XML: XInclude of /etc/passwd (kept as an inert extension)",
            "xinclude.gpx",
            ("gpx", "info", "{file}"),
            "",
            (0,),
        )
    )
    return cases


HEAVY = {
    ("big_200mb.gpx", "info"),
    ("waypoints_1e6.gpx", "info"),
    ("billion_laughs.gpx", "info"),
    ("deep_nesting.gpx", "info"),
    ("huge_text_node.gpx", "info"),
}

CASES: tuple[Case, ...] = tuple(
    [
        *(replace(c, heavy=c.stdin or (c.file, c.args[1]) in HEAVY) for c in _gpx_cases()),
        # GeoJSON through the track converter
        Case("GeoJSON nested 100 000 deep", "deep_nesting.geojson", ("gpx", "info", "{file}"), "not valid JSON"),
        Case("GeoJSON with NaN coordinates", "nan_coords.geojson", ("gpx", "info", "{file}"), "is not a WGS84"),
        Case("GeoJSON of 200 MB", "big_200mb.geojson", ("gpx", "info", "{file}"), "over the 20971520-byte limit"),
        # POI registries
        Case(
            "registry GeoJSON nested 100 000 deep",
            "deep_nesting.geojson",
            ("poi", "import", "{file}"),
            "nested too deeply",
        ),
        Case(
            "registry GeoJSON with NaN coordinates",
            "nan_coords.geojson",
            ("poi", "import", "{file}"),
            "store is unchanged",
        ),
        Case(
            "registry GeoJSON with junk features",
            "junk_features.geojson",
            ("poi", "import", "{file}"),
            "store is unchanged",
        ),
        Case(
            "registry GeoJSON, invalid UTF-8",
            "invalid_utf8.geojson",
            ("poi", "import", "{file}"),
            "not UTF-8 text: byte 0xe0",
        ),
        Case("registry GeoJSON, empty", "empty.geojson", ("poi", "import", "{file}"), "not valid JSON"),
        Case("registry GeoJSON, not JSON", "not_json.geojson", ("poi", "import", "{file}"), "not valid JSON"),
        Case(
            "registry GeoJSON of 200 MB",
            "big_200mb.geojson",
            ("poi", "import", "{file}"),
            "over the 20971520-byte limit",
        ),
        Case(
            "registry CSV, invalid UTF-8", "invalid_utf8.csv", ("poi", "import", "{file}"), "not UTF-8 text: byte 0xe0"
        ),
        Case("registry CSV, empty", "empty.csv", ("poi", "import", "{file}"), "is empty"),
        Case(
            "registry CSV, 200 KB field", "huge_field.csv", ("poi", "import", "{file}"), "field larger than field limit"
        ),
        Case("registry CSV, NaN/inf/1e400 coordinates", "nan_coords.csv", ("poi", "import", "{file}"), "3 problem(s)"),
        Case("registry CSV with NUL bytes", "nul_bytes.csv", ("poi", "import", "{file}"), "has a NUL byte on line 2"),
        Case(
            "registry CSV, address of 100 000 spaces",
            "address_redos.csv",
            ("poi", "import", "{file}", "--dry-run"),
            "",
            (0,),
        ),
        Case(
            "registry CSV of 10^6 rows (15 MB)",
            "rows_1e6.csv",
            ("poi", "import", "{file}"),
            "more than the 100000 rows accepted",
            heavy=True,
        ),
        Case(
            "registry CSV of 10^5 good rows (the most accepted)",
            "rows_1e5.csv",
            ("poi", "import", "{file}"),
            "",
            (0,),
            in_suite=False,
        ),
        Case(
            "registry CSV, 10^5 bad rows",
            "problems_1e5.csv",
            ("poi", "import", "{file}"),
            "store is unchanged",
            heavy=True,
        ),
        Case(
            "registry CSV of 200 MB",
            "big_200mb.csv",
            ("poi", "import", "{file}"),
            "over the 20971520-byte limit",
            heavy=True,
        ),
        # events
        Case(
            "events CSV, invalid UTF-8", "invalid_utf8.csv", ("events", "import", "{file}"), "not UTF-8 text: byte 0xe0"
        ),
        Case("events CSV, empty", "empty.csv", ("events", "import", "{file}"), "is empty"),
        Case(
            "events CSV, 200 KB field",
            "huge_field.csv",
            ("events", "import", "{file}"),
            "field larger than field limit",
        ),
        Case("events CSV with NUL bytes", "nul_bytes.csv", ("events", "import", "{file}"), "has a NUL byte on line 2"),
        Case(
            "events CSV, 10^5 bad rows",
            "problems_1e5.csv",
            ("events", "import", "{file}"),
            "nothing imported",
        ),
        Case("events CSV of 200 MB", "big_200mb.csv", ("events", "import", "{file}"), "over the 5242880-byte limit"),
        Case(
            "iCalendar nested 20 000 deep",
            "deep_nesting.ics",
            ("events", "import", "{file}"),
            "nothing imported",
            heavy=True,
        ),
        Case("iCalendar of random bytes", "garbage.ics", ("events", "import", "{file}"), "Not UTF-8 text"),
        Case("iCalendar, empty", "empty.ics", ("events", "import", "{file}"), "Not an iCalendar file"),
        Case(
            "iCalendar, invalid UTF-8",
            "invalid_utf8.ics",
            ("events", "import", "{file}"),
            "Not UTF-8 text (RFC 5545): byte 0xe0",
        ),
        Case("iCalendar with a bad date", "bad_date.ics", ("events", "import", "{file}"), "Wrong date format"),
        Case("iCalendar of 200 MB", "big_200mb.ics", ("events", "import", "{file}"), "over the 5242880-byte limit"),
        Case(
            "iCalendar with 50 000 events (4.6 MB)",
            "many_events.ics",
            ("events", "import", "{file}"),
            "",
            (0,),
            in_suite=False,
        ),
        # saved itineraries
        Case(
            "itinerary JSON nested 100 000 deep",
            "deep_nesting.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "nested too deeply",
        ),
        Case(
            "itinerary, invalid UTF-8",
            "invalid_utf8.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "not UTF-8 text: byte 0xf2",
        ),
        Case("itinerary, empty", "empty.json", ("itinerary", "replan", "{file}", "-o", "{out}"), "not valid JSON"),
        Case(
            "itinerary, GeoJSON instead",
            "not_itinerary.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "Not a cremona-bike itinerary",
        ),
        Case(
            "itinerary, NaN latitude",
            "nan_stop.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "has no valid position (nan, 10.0)",
        ),
        Case(
            "itinerary, 10^9 days",
            "days_1e9.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "'days' is 1000000000",
            heavy=True,
        ),
        Case(
            'itinerary, days = "x"', "days_text.json", ("itinerary", "replan", "{file}", "-o", "{out}"), "'days' is 'x'"
        ),
        Case(
            "itinerary, 1e-9 km a day",
            "km_per_day_tiny.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "'km_per_day' is 1e-09",
        ),
        Case(
            "itinerary, 3000 visits",
            "visits_3000.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "3000 visits",
            heavy=True,
        ),
        Case(
            "itinerary, departure 9999-12-31",
            "depart_9999.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "not between the years",
        ),
        Case(
            "itinerary, seed = Infinity",
            "seed_infinite.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "OverflowError",
        ),
        Case(
            "itinerary, loop of 1e308 km",
            "loop_1e308_km.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "'target_km' is 1e+308",
        ),
        Case(
            "itinerary of 200 MB",
            "big_200mb.json",
            ("itinerary", "replan", "{file}", "-o", "{out}"),
            "over the 5242880-byte limit",
        ),
        # bicycle profiles
        Case(
            "profile TOML nested 30 000 deep",
            "deep_nesting.toml",
            ("route", FROM, TO, "--profile-file", "{file}"),
            "nested too deeply",
        ),
        Case(
            "profile TOML, invalid UTF-8",
            "invalid_utf8.toml",
            ("route", FROM, TO, "--profile-file", "{file}"),
            "not UTF-8 text: byte 0xe0",
        ),
        Case(
            "profile TOML, speed = nan",
            "nan_speed.toml",
            ("route", FROM, TO, "--profile-file", "{file}"),
            "'speed_kmh' must be a number, got nan",
        ),
        Case(
            "profile TOML, forbidden = 5",
            "forbidden_number.toml",
            ("route", FROM, TO, "--profile-file", "{file}"),
            "'forbidden' has 5",
        ),
        Case("profile, not TOML", "not_toml.toml", ("route", FROM, TO, "--profile-file", "{file}"), "not valid TOML"),
        Case(
            "profile TOML, empty (= touring)", "empty.toml", ("route", FROM, TO, "--profile-file", "{file}"), "", (0,)
        ),
        Case(
            "profile TOML of 200 MB",
            "big_200mb.toml",
            ("route", FROM, TO, "--profile-file", "{file}"),
            "over the 65536-byte limit",
        ),
        # closures and no-go areas
        Case(
            "closures GeoJSON nested 100 000 deep",
            "deep_nesting.geojson",
            ("route", FROM, TO, "--closures", "{file}"),
            "nested too deeply",
        ),
        Case(
            "closures with junk features",
            "junk_features.geojson",
            ("route", FROM, TO, "--closures", "{file}"),
            "feature 1: not a GeoJSON feature",
        ),
        Case(
            "closures with NaN coordinates",
            "nan_coords.geojson",
            ("route", FROM, TO, "--avoid", "{file}"),
            "feature 1: a coordinate is not a finite",
        ),
        Case(
            "closures, buffer_m = 1e308",
            "bad_buffer.geojson",
            ("route", FROM, TO, "--closures", "{file}"),
            "'buffer_m' must be",
        ),
        Case(
            "closures, invalid UTF-8",
            "invalid_utf8.geojson",
            ("route", FROM, TO, "--closures", "{file}"),
            "not UTF-8 text: byte 0xe0",
        ),
        Case("closures, empty", "empty.geojson", ("route", FROM, TO, "--closures", "{file}"), "not valid JSON"),
        Case(
            "closures of 200 MB",
            "big_200mb.geojson",
            ("route", FROM, TO, "--avoid", "{file}"),
            "over the 20971520-byte limit",
        ),
        # place strings
        Case("place of 120 000 characters", "", ("route", "Cremona" * 17_000, TO), "(119000 characters)"),
        Case(
            "place: 50 000 spaces, a digit, 50 000 spaces",
            "",
            ("route", " " * 50_000 + "1" + " " * 50_000 + "x", TO),
            "characters)",
            heavy=True,
        ),
        Case(
            "place with control characters", "", ("route", "\x01\x1b[31mCrema\u202e", TO), "\\x01\\x1b[31mCrema\\u202e"
        ),
        Case('place "nan,nan"', "", ("route", "nan,nan", TO), "No place matches 'nan,nan'"),
        Case('place "1e308,1e308"', "", ("route", "1e308,1e308", TO), "No place matches '1e308,1e308'"),
        Case("place: 400-digit latitude", "", ("route", "9" * 400 + ",1", TO), "no place name is that long"),
        Case('place "-91,10"', "", ("route", "--", "-91,10", TO), "are out of range", (2,)),
        Case("place: empty string", "", ("route", "", TO), "Empty place name"),
    ]
)


# --- running and measuring --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measured:
    """What one subprocess did."""

    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float

    @property
    def last_line(self) -> str:
        """Return the last line on stderr (the error line), or ``""``."""
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else ""


def cli_env(work: Path) -> dict[str, str]:
    """Return an environment that keeps the CLI's stores and caches inside ``work``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREMONA_BIKE_")}
    env["CREMONA_BIKE_CACHE"] = str(work / "cache")
    env["CREMONA_BIKE_POI_STORE"] = str(work / "store" / "poi_store.geojson")
    env["CREMONA_BIKE_EVENTS_STORE"] = str(work / "store" / "events_store.csv")
    env["PYTHONWARNINGS"] = "ignore"
    return env


#: Spawns the command from a small process and reports its exit status and peak RSS (see :func:`run_measured`).
_MEASURE = """
import os, signal, sys
report, timeout, program, *args = sys.argv[1:]
pid = os.posix_spawn(program, [program, *args], os.environ)
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
signal.alarm(max(1, int(float(timeout))))
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as f:
    f.write(f"{status} {usage.ru_maxrss}")
"""


def run_measured(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    stdin: Path | None = None,
    timeout_s: float = 120.0,
) -> Measured:
    """Run ``cremona-bike ARGV`` and measure its wall time and peak RSS.

    Linux counts in a child's peak RSS the memory of the process it was forked
    from, up to its ``exec``: started straight from a test run that holds a
    gigabyte, every command would seem to use a gigabyte. So the command is
    started by a small Python process (``_MEASURE``) that reaps it with
    ``os.wait4`` and reports its exit status and its own peak. Several can run at
    once from threads.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report"
        source = stdin.open("rb") if stdin is not None else subprocess.DEVNULL
        command = [sys.executable, "-c", _MEASURE, str(report), str(timeout_s), CREMONA_BIKE, *argv]
        try:
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdin=source, stdout=out, stderr=err, env=env)
        finally:
            if stdin is not None and not isinstance(source, int):
                source.close()
        proc.wait(timeout=timeout_s + 60)
        seconds = time.perf_counter() - started
        status, maxrss = (int(x) for x in report.read_text().split())
        out.seek(0)
        err.seek(0)
        return Measured(
            os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            maxrss / 1024,
        )


def prepare(work: Path) -> Path:
    """Make the corpus under ``work`` and the prepared graph its commands load; return the corpus folder."""
    corpus = make_corpus(work / "hostile")
    result = run_measured(["data", "prepare"], cli_env(work))
    if result.exit_code != 0:
        raise RuntimeError(result.stderr)
    return corpus


def run_case(case: Case, corpus: Path, work: Path, number: int) -> Measured:
    """Run one case as a subprocess, with its own output folder."""
    out = work / "out" / str(number)
    out.mkdir(parents=True, exist_ok=True)
    stdin = corpus / case.file if case.stdin else None
    return run_measured(case.argv(corpus, out), cli_env(work), stdin=stdin)


def run_all(cases: Sequence[Case], corpus: Path, work: Path, *, jobs: int = 2) -> list[Measured]:
    """Run cases in parallel (``jobs`` at a time), in order of the cases."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_case, case, corpus, work, n) for n, case in enumerate(cases)]
        return [f.result() for f in futures]


def markdown_table(cases: Sequence[Case], results: Sequence[Measured], shorten: Callable[[str], str]) -> str:
    """Return the measured table: input, command, exit status, message, seconds, peak MB."""
    rows = [
        "| input | command | exit | message (last stderr line) | s | peak MB |",
        "|---|---|---|---|---|---|",
    ]
    for case, result in zip(cases, results, strict=True):
        command = " ".join(ascii(a)[1:-1] if len(a) < 20 else "…" for a in case.args[:3])
        message = shorten(result.last_line).replace("|", "\\|")
        rows.append(
            f"| {case.kind} | `{command}` | {result.exit_code} | {message} "
            f"| {result.seconds:.2f} | {result.peak_mb:.0f} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Make the corpus in a temporary folder, run every case and print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once (1 gives the cleanest times)")
    parser.add_argument("--only", default="", help="run only cases whose kind or file contains this text")
    options = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cremona-hostile-"))
    try:
        corpus = prepare(work)
        cases = [c for c in CASES if options.only in c.kind or options.only in c.file]
        started = time.perf_counter()
        results = run_all(cases, corpus, work, jobs=options.jobs)
        print(markdown_table(cases, results, lambda s: s if len(s) <= 160 else s[:159] + "…"))
        failed = [c.label for c, r in zip(cases, results, strict=True) if r.exit_code not in c.exit_codes]
        print(
            f"\n{len(cases)} cases in {time.perf_counter() - started:.0f} s; unexpected exit status: {failed or 'none'}"
        )
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
