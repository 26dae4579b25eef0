"""Property tests: whatever the input, the parsers of untrusted data raise only our documented errors.

Each parser is given text or structures drawn by hypothesis, from the plausible
(a coordinate pair, a TOML profile, a registry row) to the absurd (NaN, nested
lists, control characters, 10 000 spaces). It must either return a valid value
or raise one of the errors declared in ``gis_data.errors``, ``poi.errors`` or
``routing.errors``: never a ``TypeError``, ``KeyError``, ``RecursionError`` or
anything else, and never take long (hypothesis' deadline).
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import gis_data.errors
import poi.errors
import routing.errors
from gis_data.closures import read_closures
from gis_data.errors import PlaceNotFoundError
from gis_data.places import parse_latlon
from gis_data.places import resolve_place
from gis_data.profile_file import read_profile_file
from poi.errors import InvalidPoiError
from poi.events_data import read_event_table
from poi.events_ics import ics_rows
from poi.registry import read_registry
from poi.validate import Provenance
from routing.errors import ItineraryFormatError
from routing.errors import ProfileError
from routing.itinerary_doc import LIMITS
from routing.itinerary_doc import MAX_VISITS
from routing.itinerary_doc import request_from_document
from routing.profiles import Profile
from routing.profiles import profile_fields
from routing.profiles import profile_from_dict
from tests.fuzz_gpx import fuzz_hypothesis

if TYPE_CHECKING:
    from collections.abc import Iterator

    import networkx as nx


def _declared(module: Any) -> tuple[type[Exception], ...]:
    return tuple(value for value in vars(module).values() if isinstance(value, type) and issubclass(value, Exception))


#: Every error our packages declare: the only ones a parser may raise on bad input.
DOMAIN_ERRORS = _declared(gis_data.errors) + _declared(poi.errors) + _declared(routing.errors)
#: Domain errors must be ValueError or LookupError subclasses (DataNotFoundError, a FileNotFoundError, only
#: for files that do not exist, which these tests never give).
INPUT_ERRORS = tuple(e for e in DOMAIN_ERRORS if issubclass(e, ValueError | LookupError))

COMMON = settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def only_domain_errors() -> Iterator[None]:
    """Let a domain error pass; turn anything else into a test failure that names it."""
    try:
        yield
    except INPUT_ERRORS:
        pass
    except Exception as exc:  # the point of the test: nothing else may escape
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:500])


def _temp_file(suffix: str, data: bytes) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115 - closed right away
    with handle:
        handle.write(data)
    return Path(handle.name)


@contextmanager
def temp_file(suffix: str, data: bytes) -> Iterator[Path]:
    """Write ``data`` to a temporary file (hypothesis reruns a test many times: no tmp_path)."""
    path = _temp_file(suffix, data)
    try:
        yield path
    finally:
        path.unlink()


# --- strategies ------------------------------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, -1, 45.13, 10.02, 1e308, -1e308, 5e-324]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=30))
#: JSON/TOML-like values: scalars, lists and string-keyed tables, a few levels deep.
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
number_text = st.one_of(
    st.from_regex(r"\A[-+]?\d{1,4}(\.\d{1,8})?\Z"),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "1e400", "", " ", "0x10", "٣", "1_000", "45,1"]),
)
separators = st.sampled_from([",", ";", " ", ", ", " ; ", "\t", ",,", "", "\n"])
spaces = st.integers(min_value=0, max_value=10_000).map(lambda n: " " * n)


@st.composite
def coordinate_texts(draw: st.DrawFn) -> str:
    """Text that looks like ``LAT,LON``, with odd numbers, separators and long runs of spaces."""
    parts = [draw(spaces), draw(number_text), draw(separators), draw(spaces), draw(number_text), draw(spaces)]
    return "".join(parts) + draw(st.sampled_from(["", "x", "\x00", "é"]))


# --- place parsing ---------------------------------------------------------------------------------


@COMMON
@given(st.one_of(coordinate_texts(), st.text(max_size=300)))
def test_parse_latlon_returns_a_valid_pair_or_a_place_error(text: str) -> None:
    try:
        point = parse_latlon(text)
    except PlaceNotFoundError as exc:
        message = str(exc)
        assert len(message) < 400  # the text is shown cut short, however long it is
        return
    if point is not None:
        lat, lon = point
        assert math.isfinite(lat)
        assert math.isfinite(lon)
        assert -90 <= lat <= 90
        assert -180 <= lon <= 180


@COMMON
@given(st.one_of(coordinate_texts(), st.text(max_size=300), st.text(alphabet=" \t\n.,;'-", max_size=3000)))
def test_resolve_place_finds_a_place_or_raises_place_not_found(centre_graph: nx.MultiDiGraph[int], text: str) -> None:
    try:
        place = resolve_place(centre_graph, text)
    except PlaceNotFoundError as exc:
        query, message = exc.query, str(exc)
        assert query == text
        assert len(message) < 1000
        return
    assert -90 <= place.lat <= 90
    assert -180 <= place.lon <= 180


# --- profiles --------------------------------------------------------------------------------------

profile_keys = st.sampled_from(
    [
        *("name", "base", "wet", "forbidden", "speed_kmh", "unpaved_factor", "cobbles_factor", "maxspeed_factor"),
        *("stick_to_routes", "surface_speed", "road_factor", "infra_road_factor", "other"),
    ]
)
table_keys = st.sampled_from(["primary", "cycleway", "track", "paved", "gravel", "cobbles", "nowhere", ""])
profile_values = st.one_of(
    values,
    st.dictionaries(table_keys, st.one_of(numbers, st.text(max_size=5)), max_size=4),
    st.lists(st.sampled_from(["primary", "trunk", "bogus", ""]), max_size=3),
    st.sampled_from(["touring", "road", "gravel", "family", "wet", "touring+wet", "moped"]),
)


@COMMON
@given(st.dictionaries(profile_keys, profile_values, max_size=6))
def test_profile_from_dict_builds_a_profile_or_raises_profile_error(data: dict[str, Any]) -> None:
    try:
        profile = profile_from_dict(data)
    except ProfileError:
        return
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:500])
    assert isinstance(profile, Profile)
    assert 3 <= profile.speed_kmh <= 60
    assert set(profile_fields()) >= {"speed_kmh", "road_factor"}


toml_lines = st.one_of(
    st.builds(lambda k, v: f"{k} = {v}", profile_keys, st.sampled_from(["nan", "inf", "5", '"x"', "[1, [2]]", "{}"])),
    st.sampled_from(["[road_factor]", "primary = 5", "[[x]]", "a = [" * 50, "\x00", "base = 'road'", "= 1"]),
    st.text(max_size=40),
)


@COMMON
@given(st.lists(toml_lines, max_size=8))
def test_profile_files_give_a_profile_or_a_domain_error(lines: list[str]) -> None:
    with temp_file(".toml", "\n".join(lines).encode("utf-8", "surrogatepass")) as path, only_domain_errors():
        profile_from_dict(read_profile_file(path))


# --- POI registries and events (CSV, GeoJSON, iCalendar) --------------------------------------------

REGISTRY_COLUMNS = ["id", "name", "category", "lat", "lon", "comune", "address", "opening_hours", "last_checked"]
cells = st.one_of(
    st.text(max_size=20),
    number_text,
    st.sampled_from(["museum", "bike_shop", "Mo-Fr 09:00-18:00", "2026-13-40", "Cremona", "Via Palestro 1"]),
    spaces.map(lambda s: "Via" + s + "1!"),
)


@st.composite
def csv_documents(draw: st.DrawFn) -> bytes:
    """A CSV file: a header of real and odd columns, rows of any length; sometimes raw bytes."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    header = draw(st.lists(st.sampled_from([*REGISTRY_COLUMNS, "start_date", "end_date", "", "id"]), max_size=9))
    rows = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


@COMMON
@given(csv_documents())
def test_registry_csv_gives_a_report_or_a_domain_error(data: bytes) -> None:
    with temp_file(".csv", data) as path, only_domain_errors():
        report = read_registry(path, Provenance("hypothesis"))
        for poi in report.pois:
            if poi.latlon is not None:
                assert -90 <= poi.latlon[0] <= 90
                assert -180 <= poi.latlon[1] <= 180


@COMMON
@given(csv_documents())
def test_events_csv_gives_a_report_or_a_domain_error(data: bytes) -> None:
    with temp_file(".csv", data) as path, only_domain_errors():
        report = read_event_table(path, source="hypothesis", licence="CC0", max_bytes=1_000_000)
        for event in report.events:
            assert event.id
            assert event.start is None or event.end is None or event.start <= event.end


features = st.one_of(
    values,
    st.fixed_dictionaries(
        {"type": st.just("Feature"), "properties": values, "geometry": values},
    ),
    st.builds(
        lambda props, coords: {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": coords},
        },
        st.dictionaries(st.sampled_from([*REGISTRY_COLUMNS, "name", "start", "end", "buffer_m"]), scalars, max_size=5),
        st.one_of(values, st.lists(numbers, max_size=3)),
    ),
)
geojson_documents = st.one_of(
    st.builds(lambda f: {"type": "FeatureCollection", "features": f}, st.lists(features, max_size=5)),
    values,
)


def _json(doc: Any) -> bytes:
    return json.dumps(doc, allow_nan=True).encode()


@COMMON
@given(geojson_documents)
def test_registry_geojson_gives_a_report_or_a_domain_error(doc: Any) -> None:
    with temp_file(".geojson", _json(doc)) as path, only_domain_errors():
        read_registry(path, Provenance("hypothesis"))


closure_geometries = st.one_of(
    values,
    st.builds(
        lambda kind, coords: {"type": kind, "coordinates": coords},
        st.sampled_from(["Polygon", "LineString", "MultiPolygon", "Point", "GeometryCollection", "Nope"]),
        st.recursive(numbers, lambda inner: st.lists(inner, max_size=5), max_leaves=20),
    ),
)


@COMMON
@given(
    st.lists(
        st.builds(
            lambda props, geom: {"type": "Feature", "properties": props, "geometry": geom},
            st.one_of(values, st.dictionaries(st.sampled_from(["name", "start", "end", "buffer_m"]), scalars)),
            closure_geometries,
        ),
        max_size=4,
    )
)
def test_closures_give_closures_or_invalid_data(features: list[Any]) -> None:
    doc = {"type": "FeatureCollection", "features": features}
    with temp_file(".geojson", _json(doc)) as path, only_domain_errors():
        for closure in read_closures(path):
            assert closure.name
            assert 0 <= closure.buffer_m <= 5000


ICS_LINES = (
    *(
        "BEGIN:VCALENDAR",
        "END:VCALENDAR",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "UID:a@b",
        "SUMMARY:Fiera",
        "LOCATION:x, Crema",
    ),
    *("DTSTART:20260101", "DTSTART:2026", "DTEND;VALUE=DATE:20261301", "DTSTART;TZID=X/Y:20260101T100000"),
    *("CATEGORIES:a,b", "CATEGORIES:", "GEO:x", "RRULE:FREQ=DAILY", " folded", ":", ";;;", "DURATION:P1D"),
)
ics_lines = st.one_of(
    st.sampled_from(ICS_LINES),
    st.text(max_size=30),
)


@COMMON
@given(
    st.one_of(
        st.lists(ics_lines, max_size=16).map(lambda ls: "\r\n".join(ls).encode("utf-8", "surrogatepass")),
        st.binary(max_size=200),
    )
)
def test_icalendar_gives_rows_or_invalid_poi(data: bytes) -> None:
    try:
        rows = ics_rows(data, comune="Crema")
    except InvalidPoiError:
        return
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:500])
    assert all(isinstance(values, dict) for _, values in rows)


# --- saved itineraries -----------------------------------------------------------------------------

stops = st.fixed_dictionaries(
    {"id": scalars, "name": scalars, "lat": st.one_of(numbers, scalars), "lon": st.one_of(numbers, scalars)},
    optional={"dwell_min": st.one_of(numbers, scalars), "category": scalars},
)
requests = st.fixed_dictionaries(
    {"kind": st.sampled_from(["tour", "loop", "rocket", 5]), "start": st.one_of(stops, values)},
    optional={
        "visits": st.one_of(st.lists(stops, max_size=3), values),
        "km_per_day": st.one_of(numbers, scalars),
        "hours_per_day": numbers,
        "target_km": numbers,
        "min_pois": st.one_of(numbers, scalars),
        "seed": st.one_of(numbers, scalars),
        "depart": st.one_of(st.sampled_from(["2026-06-01T09:00", "9999-12-31T23:59", "0001-01-01", "x"]), scalars),
        "extra": st.one_of(st.fixed_dictionaries({"days": st.one_of(numbers, scalars)}), values),
        "categories": values,
    },
)


@COMMON
@given(
    st.one_of(
        st.fixed_dictionaries(
            {"format": st.just("cremona-bike/itinerary"), "version": st.just(1), "request": requests}
        ),
        values,
    )
)
def test_itinerary_documents_give_a_bounded_request_or_a_format_error(doc: Any) -> None:
    try:
        request = request_from_document(doc)
    except ItineraryFormatError:
        return
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:500])
    assert len(request.visits) <= MAX_VISITS
    for key in ("km_per_day", "hours_per_day", "target_km"):
        value = getattr(request, key)
        low, high = LIMITS[key]
        assert value is None or low <= value <= high
    assert all(-90 <= s.lat <= 90 and -180 <= s.lon <= 180 for s in (request.start, *request.visits))


# --- a short fuzzing run of the GPX importer (the long one: python -m tests.fuzz_gpx) -----------------


def test_gpx_importer_survives_a_short_fuzzing_run() -> None:
    report = fuzz_hypothesis(3.0, seed=1, batch=200)
    assert report.inputs >= 200
    assert not report.findings, report.lines()
