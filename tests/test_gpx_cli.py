"""``cremona-bike gpx ...`` through click's runner, on the corpus and on hostile files."""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from cli.gpx import gpx
from gis_data import settings
from gis_data.gpx import validate_gpx_schema
from gis_data.gpx_export import read_via_points
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_import import read_gpx
from gis_data.gpx_kml import parse_kml
from gis_data.gpx_model import route_point_count
from gis_data.gpx_model import track_point_count
from tests.conftest import DATA
from tests.conftest import GPX_SCHEMA
from tests.foreign_tracks import ev8_crossing
from tests.foreign_tracks import needs_shared
from tests.test_gpx_import import BILLION_LAUGHS

if TYPE_CHECKING:
    from pathlib import Path

    from click.testing import Result

CORPUS = DATA / "gpx-corpus"
KORITA = str(CORPUS / "korita-zbevnica.gpx")


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CREMONA_BIKE_DATA", raising=False)
    return CliRunner()


def run(runner: CliRunner, *args: str, stdin: bytes | None = None) -> Result:
    return runner.invoke(gpx, list(args), input=stdin, catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: "), lines
    return lines[0]


def test_info(runner: CliRunner) -> None:
    result = run(runner, "info", KORITA)
    assert result.exit_code == 0
    assert "tracks: 4 (4 segments, 871 points); routes: 0 (0 points); waypoints: 2" in result.stdout
    assert "distance: 14.91 km" in result.stdout
    assert "climb +738 m, descent -746 m (hysteresis 5 m)" in result.stdout
    figures = json.loads(run(runner, "info", "--json", KORITA).stdout)
    assert figures["track_points"] == 871
    assert figures["version"] == "1.0"


def test_validate_exit_status(runner: CliRunner) -> None:
    clean = run(runner, "validate", str(CORPUS / "gpx_with_garmin_extension.gpx"))
    assert (clean.exit_code, clean.stdout) == (0, "")
    assert "0 error(s), 0 warning(s)" in clean.stderr
    warned = run(runner, "validate", str(CORPUS / "track-with-empty-segment.gpx"))
    assert warned.exit_code == 0
    assert run(runner, "validate", "--strict", str(CORPUS / "track-with-empty-segment.gpx")).exit_code == 1
    bad = run(runner, "validate", str(CORPUS / "first_and_last_elevation.gpx"))
    assert bad.exit_code == 1
    assert bad.stdout.splitlines()[0] == (
        "error trk[1]/trkseg[1]/trkpt[10] (line 27): time goes back 3600 s from the previous point"
    )


def test_validate_reports_a_hostile_file(runner: CliRunner) -> None:
    result = run(runner, "validate", "-", stdin=BILLION_LAUGHS)
    assert result.exit_code == 1
    assert "document type declarations are not allowed" in result.stdout


@pytest.mark.parametrize("command", ["info", "reverse", "convert"])
def test_hostile_input_is_one_line_error(runner: CliRunner, tmp_path: Path, command: str) -> None:
    path = tmp_path / "lol.gpx"
    path.write_bytes(BILLION_LAUGHS)
    message = one_line_error(run(runner, command, str(path)))
    assert str(path) in message
    assert "document type declarations are not allowed" in message


def test_missing_and_oversize_input(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert one_line_error(run(runner, "info", "nowhere.gpx")) == "Error: nowhere.gpx: no such file"
    monkeypatch.setattr(settings, "gpx_max_bytes", 1000)
    message = one_line_error(run(runner, "info", KORITA))
    assert "88561 bytes is over the 1000-byte limit" in message
    message = one_line_error(run(runner, "info", "-", stdin=b"<gpx>" + b" " * 2000 + b"</gpx>"))
    assert "<stdin>: 1001 bytes is over the 1000-byte limit" in message


def test_commands_pipe(runner: CliRunner) -> None:
    small = run(runner, "simplify", "--max-points", "500", KORITA)
    assert small.exit_code == 0
    assert "871 → 497 points, max deviation 1.5 m" in small.stderr
    reversed_ = run(runner, "reverse", "-", stdin=small.stdout_bytes)
    info = run(runner, "info", "-", stdin=reversed_.stdout_bytes)
    assert "(4 segments, 497 points)" in info.stdout
    assert validate_gpx_schema(reversed_.stdout_bytes, GPX_SCHEMA) == []


@needs_shared
def test_convert_formats_and_parts(runner: CliRunner, tmp_path: Path) -> None:
    geojson = json.loads(run(runner, "convert", "--to", "geojson", KORITA).stdout)
    assert [f["properties"]["kind"] for f in geojson["features"]].count("track") == 4
    kml_path = tmp_path / "korita.kml"
    assert run(runner, "convert", KORITA, "-o", str(kml_path)).exit_code == 0
    assert track_point_count(parse_kml(kml_path.read_bytes())) == 871
    back = run(runner, "convert", "--to", "gpx", str(kml_path))
    assert track_point_count(parse_gpx(back.stdout_bytes)) == 871
    etrex = parse_gpx(run(runner, "convert", "--preset", "garmin-etrex-route", KORITA).stdout_bytes)
    assert (track_point_count(etrex), len(etrex.routes)) == (0, 3)
    assert all(len(r.points) <= 250 for r in etrex.routes)
    wpt = parse_gpx(run(runner, "convert", "--part", "wpt", KORITA).stdout_bytes)
    assert (track_point_count(wpt), route_point_count(wpt), len(wpt.waypoints)) == (0, 0, 2)
    timed = run(
        runner, "convert", "--strip", "times", "--fill-times", "20", "--start", "2025-05-17T09:00", str(ev8_crossing())
    )
    points = parse_gpx(timed.stdout_bytes).tracks[0].segments[0].points
    first, last = points[0].time, points[-1].time
    assert first is not None
    assert last is not None
    assert first.isoformat() == "2025-05-17T09:00:00+00:00"  # a start without zone is UTC
    assert 17 * 60 < (last - first).total_seconds() < 18 * 60  # 5.9 km at 20 km/h
    usage = run(runner, "convert", "--preset", "phone", "--part", "trk", KORITA)
    assert usage.exit_code == 2


def test_split_merge_crop(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "days"
    result = run(runner, "split", "--days", "3", KORITA, "-d", str(out))
    assert result.exit_code == 0
    files = sorted(out.glob("*.gpx"))
    assert [f.name for f in files] == [f"korita-zbevnica-0{n}.gpx" for n in (1, 2, 3)]
    merged = run(runner, "merge", "--as", "line", *map(str, files))
    doc = parse_gpx(merged.stdout_bytes)
    assert track_point_count(doc) == track_point_count(read_gpx(CORPUS / "korita-zbevnica.gpx"))
    assert run(runner, "split", KORITA).exit_code == 2  # no split mode chosen
    gap = one_line_error(run(runner, "split", "--at-km", "99", KORITA))
    assert gap == "Error: cannot split at 99 km: the track is 14.91 km long"
    cropped = run(runner, "crop", "--bbox", "45.38,14.0,45.47,14.2", KORITA)
    assert "871 → " in cropped.stderr
    bad_box = one_line_error(run(runner, "crop", "--bbox", "45.5,14.0,45.4,14.2", KORITA))
    assert "empty bounding box" in bad_box
    polygon = tmp_path / "area.geojson"
    polygon.write_text(
        json.dumps({"type": "Polygon", "coordinates": [[[14.0, 45.38], [14.2, 45.38], [14.2, 45.47], [14.0, 45.38]]]})
    )
    assert run(runner, "crop", "--polygon", str(polygon), KORITA).exit_code == 0


@needs_shared
def test_snap_writes_an_editable_itinerary(runner: CliRunner) -> None:
    result = run(runner, "snap", "--spacing", "200", str(ev8_crossing()))
    assert result.exit_code == 0, result.stderr
    doc = parse_gpx(result.stdout_bytes)
    stops = read_via_points(doc)
    assert stops[0][0] == "start"
    assert stops[-1][0] == "end"
    assert len(stops) >= 25
    assert "deviation from the track: max" in result.stderr
    assert validate_gpx_schema(result.stdout_bytes, GPX_SCHEMA) == []
    far = one_line_error(run(runner, "snap", str(CORPUS / "Mojstrovka.gpx")))
    assert "from the bicycle network" in far


def test_batch_with_one_broken_file(runner: CliRunner, tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    for name in ("korita-zbevnica.gpx", "route.gpx", "cerknicko-jezero.gpx"):
        (inbox / name).write_bytes((CORPUS / name).read_bytes())
    (inbox / "broken.gpx").write_bytes(BILLION_LAUGHS)
    (inbox / "notes.txt").write_text("not a track")
    result = run(runner, "batch", str(inbox), str(outbox), "-p", "garmin-edge", "-p", "garmin-etrex-route")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    written = sorted(p.name for p in outbox.glob("*.gpx"))
    assert written == sorted(
        f"{stem}-{preset}.gpx"
        for stem in ("korita-zbevnica", "route", "cerknicko-jezero")
        for preset in ("garmin-edge", "garmin-etrex-route")
    )
    for path in outbox.glob("*.gpx"):
        assert validate_gpx_schema(path.read_bytes(), GPX_SCHEMA) == []
    with (outbox / "summary.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 8
    broken = [r for r in rows if r["source"] == "broken.gpx"]
    assert {r["status"] for r in broken} == {"error"}
    assert "document type declarations are not allowed" in broken[0]["message"]
    for path in outbox.glob("*-garmin-etrex-route.gpx"):
        assert all(len(route.points) <= 250 for route in read_gpx(path).routes)
    assert "6 file(s) written, 1 input(s) failed" in result.stderr


def test_batch_bad_template(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    message = one_line_error(
        run(runner, "batch", str(tmp_path / "in"), str(tmp_path / "out"), "--template", "../{stem}.gpx")
    )
    assert "not a plain file name" in message
    message = one_line_error(run(runner, "batch", str(tmp_path / "in"), str(tmp_path / "o"), "--template", "x.gpx"))
    assert "add {preset}" in message
