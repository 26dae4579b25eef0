"""Fuzz the GPX importer: any bytes in, only ``InvalidGPXError`` (or a document) out.

Two engines, for as long as asked:

* ``atheris`` (coverage-guided libFuzzer, when the package is installed:
  ``pip install atheris``), seeded with the gpxpy corpus and the hostile files;
* ``hypothesis`` (always available): a mutation fuzzer whose mutations
  (bit flips, cut, repeat and splice chunks, GPX/XML tokens such as
  ``<!DOCTYPE``, ``&#0;``, ``lat="nan"``) hypothesis draws and shrinks.

Each input goes through :func:`check_one`: the importer, the validator and the
format sniffer must raise nothing but our input errors, and a document the
importer accepts must be written out and read back with the same points and
only in-range coordinates. Run it::

    .venv/bin/python -m tests.fuzz_gpx --seconds 300                 # hypothesis
    .venv/bin/python -m tests.fuzz_gpx --seconds 300 --engine atheris

The hypothesis engine prints the inputs tried and each finding, shrunk (exit
status 1 if any); atheris stops at the first finding, writes it to
``--artifacts`` and prints libFuzzer's own summary.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import random
import sys
import time
import traceback
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import NoReturn

import hypothesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from gis_data.errors import InvalidDataError
from gis_data.errors import InvalidGPXError
from gis_data.gpx_formats import load_document
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_validate import validate_gpx
from gis_data.gpx_write import gpx_bytes

if TYPE_CHECKING:
    from collections.abc import Sequence

    import gpxpy.gpx

logger = logging.getLogger(__name__)

CORPUS = Path(__file__).parent / "data" / "gpx-corpus"
#: Small limits, so that one input never takes long (the limits themselves are tested elsewhere).
MAX_BYTES = 256 * 1024
TIME_BUDGET_S = 2.0
TOKENS: tuple[bytes, ...] = (
    b"<!DOCTYPE gpx [<!ENTITY a 'x'>]>",
    b"&a;",
    b"&#0;",
    b"&#x110000;",
    b"<![CDATA[x]]>",
    b"<?xml version='1.0' encoding='UTF-16'?>",
    b"\xef\xbb\xbf",
    b'lat="nan"',
    b'lon="1e400"',
    b'lat="-0"',
    b"<trkpt lat='45.1' lon='10.0'/>",
    b"<trkseg>",
    b"</trkseg>",
    b"<trk>",
    b"<rte><rtept lat='1' lon='2'/></rte>",
    b"<wpt lat='1' lon='2'><name>x</name></wpt>",
    b"<ele>x</ele>",
    b"<time>2026-13-45T25:61:61Z</time>",
    b"<extensions><a:b xmlns:a='urn:x'>1</a:b></extensions>",
    b'xmlns="http://www.topografix.com/GPX/1/0"',
    b'version="1.0"',
    b'version="2"',
    b"<gpx>",
    b"</gpx>",
    b"\x00",
    b"\xff\xfe",
    b"<kml>",
    b'{"type": "LineString", "coordinates": [[1, 2], [NaN, 3]]}',
)


@dataclass(slots=True)
class Report:
    """What a fuzzing run did: inputs tried, seconds spent, and the findings by kind."""

    engine: str
    inputs: int = 0
    seconds: float = 0.0
    findings: dict[str, bytes] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """Return the summary, one finding per line."""
        rate = self.inputs / self.seconds if self.seconds else 0.0
        out = [
            f"{self.engine}: {self.inputs} inputs in {self.seconds:.0f} s ({rate:.0f}/s), "
            f"{len(self.findings)} finding(s)"
        ]
        out += [f"  {kind}: input {data[:120]!r}" for kind, data in self.findings.items()]
        return out


class FindingError(AssertionError):
    """An input made the importer fail in a way it must not."""

    fuzz_input: bytes = b""


def seeds() -> list[bytes]:
    """Return the seed inputs: the gpxpy corpus files that fit the limit, and a few hostile ones."""
    found = [p.read_bytes() for p in sorted(CORPUS.glob("*.gpx")) if p.stat().st_size <= MAX_BYTES]
    found += [b"", b"<gpx/>", b"<gpx version='1.1'><trk><trkseg><trkpt lat='1' lon='2'/></trkseg></trk></gpx>"]
    return found


def _points(gpx: gpxpy.gpx.GPX) -> list[tuple[float, float]]:
    points = [(p.latitude, p.longitude) for p in gpx.waypoints]
    points += [(p.latitude, p.longitude) for r in gpx.routes for p in r.points]
    points += [(p.latitude, p.longitude) for t in gpx.tracks for s in t.segments for p in s.points]
    return points


def check_one(data: bytes) -> None:
    """Run one input through the importer, the validator and the sniffer.

    Raises
    ------
    FindingError
        If anything but an input error escapes, or an accepted document breaks an invariant.

    Examples
    --------
    >>> check_one(b"<gpx version='1.1'><wpt lat='45.1' lon='10.0'/></gpx>")
    >>> check_one(b"<!DOCTYPE gpx><gpx/>")
    """
    try:
        doc = parse_gpx(data, name="fuzz.gpx", max_bytes=MAX_BYTES, time_budget_s=TIME_BUDGET_S)
    except InvalidGPXError:
        doc = None
    except Exception as exc:
        raise FindingError(f"parse_gpx: {type(exc).__name__}: {exc}") from exc
    if doc is not None:
        points = _points(doc)
        bad = [(lat, lon) for lat, lon in points if not (-90 <= lat <= 90 and -180 <= lon <= 180)]
        if bad:
            raise FindingError(f"parse_gpx accepted the coordinate {bad[0]}")
        try:
            again = parse_gpx(gpx_bytes(doc), name="round-trip.gpx", max_bytes=4 * MAX_BYTES + 65_536)
        except Exception as exc:
            raise FindingError(f"round trip: {type(exc).__name__}: {exc}") from exc
        if len(_points(again)) != len(points):
            raise FindingError(f"round trip: {len(points)} points became {len(_points(again))}")
    try:
        validate_gpx(data, name="fuzz.gpx", max_bytes=MAX_BYTES, time_budget_s=TIME_BUDGET_S)
    except Exception as exc:
        raise FindingError(f"validate_gpx: {type(exc).__name__}: {exc}") from exc
    try:
        load_document(data, name="fuzz", max_bytes=MAX_BYTES)
    except (InvalidGPXError, InvalidDataError):
        pass
    except Exception as exc:
        raise FindingError(f"load_document: {type(exc).__name__}: {exc}") from exc


def mutate(data: bytes, choices: Sequence[int], others: Sequence[bytes]) -> bytes:
    """Apply mutations chosen by ``choices`` (small integers) to ``data``.

    Examples
    --------
    >>> mutate(b"<gpx/>", [3, 5, 7], [b""])
    b'<gpx/lat="nan">'
    """
    out = bytearray(data)
    steps = iter(choices)
    for kind in steps:
        at = next(steps, 0) % (len(out) + 1)
        arg = next(steps, 1)
        match kind % 6:
            case 0:  # repeat a chunk
                out[at:at] = out[at : at + 1 + arg % 64]
            case 1:  # cut a chunk
                del out[at : at + 1 + arg % 64]
            case 2:  # flip a byte
                if out:
                    out[at % len(out)] ^= 1 << (arg % 8)
            case 3:  # insert a token
                out[at:at] = TOKENS[arg % len(TOKENS)]
            case 4:  # splice another seed in
                other = others[arg % len(others)]
                out[at:] = other[len(other) // 2 :]
            case _:  # a random byte
                out[at:at] = bytes([arg % 256])
    return bytes(out[:MAX_BYTES])


def fuzz_hypothesis(seconds: float, *, seed: int = 0, batch: int = 500) -> Report:
    """Fuzz with hypothesis-drawn mutations of the seeds until ``seconds`` have passed."""
    report = Report("hypothesis")
    corpus = seeds()
    started = time.perf_counter()
    rng = random.Random(seed)

    @settings(
        max_examples=batch,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.sampled_from(corpus),
        st.lists(st.integers(min_value=0, max_value=2**16), max_size=24),
        st.one_of(st.none(), st.binary(max_size=200)),
    )
    def run(base: bytes, choices: list[int], raw: bytes | None) -> None:
        report.inputs += 1
        data = raw if raw is not None else mutate(base, choices, corpus)
        try:
            check_one(data)
        except FindingError as exc:
            exc.fuzz_input = data  # hypothesis re-raises the error of the shrunk input: keep that input
            raise

    while time.perf_counter() - started < seconds:
        try:
            hypothesis.seed(rng.getrandbits(32))(run)()
        except FindingError as exc:
            report.findings.setdefault(str(exc).splitlines()[0][:160], exc.fuzz_input)
    report.seconds = time.perf_counter() - started
    return report


def fuzz_atheris(seconds: float, artifacts: Path) -> NoReturn:  # pragma: no cover - needs the atheris package
    """Fuzz with atheris (coverage-guided libFuzzer) for ``seconds``; libFuzzer then ends the process.

    A finding stops the run: libFuzzer prints the traceback and writes the input
    as ``artifacts/crash-*``; its last line gives the inputs run and the seconds.
    """
    atheris: Any = importlib.import_module("atheris")  # optional: only this engine needs it
    atheris.instrument_all()  # coverage of every module loaded: gis_data, gpxpy, the standard library
    seed_folder, found = artifacts / "seeds", artifacts / "corpus"
    for folder in (seed_folder, found):
        folder.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(seeds()):
        (seed_folder / f"seed-{n}").write_bytes(data)
    argv = [sys.argv[0], f"-max_total_time={int(seconds)}", f"-artifact_prefix={artifacts}/", "-rss_limit_mb=2048"]
    argv += [f"-max_len={64 * 1024}", str(found), str(seed_folder)]
    atheris.Setup(argv, check_one)
    atheris.Fuzz()
    raise SystemExit(0)  # not reached: libFuzzer exits


def main(argv: Sequence[str] | None = None) -> int:
    """Fuzz for ``--seconds`` with the chosen engine and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--artifacts", type=Path, default=Path("/tmp/cremona-fuzz"), help="atheris: corpus, crashes")
    options = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the importer logs every refusal at debug level; keep the output to the report
    if options.engine == "atheris":
        fuzz_atheris(options.seconds, options.artifacts)
    report = fuzz_hypothesis(options.seconds, seed=options.seed)
    for line in report.lines():
        print(line)
    for data in report.findings.values():
        traceback.print_exception(_rerun(data))
    return 1 if report.findings else 0


def _rerun(data: bytes) -> BaseException:
    try:
        check_one(data)
    except FindingError as exc:
        return exc.__cause__ or exc
    return FindingError("the finding did not reproduce")


if __name__ == "__main__":
    sys.exit(main())
