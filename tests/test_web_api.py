"""The planner's JSON API beyond routes: POIs, itineraries, downloads, PDF, OpenAPI; good and bad input."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from typing import Any

import gpxpy
import pytest
from openapi_spec_validator import validate

from gis_data.gpx import validate_gpx_schema
from tests.conftest import GPX_SCHEMA
from web import create_app
from web import printing
from web.errors import UnavailableError
from web.maps import roads_geojson
from web.plans import close_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import networkx as nx
    from flask import Flask
    from flask.testing import FlaskClient

PIAZZA = "45.1334,10.0246"
STATION = "45.1433,10.0180"
MUSEUM = "museum-museo-del-violino"  # Museo del Violino, Tu-Su 10:00-18:00
CITY_BBOX = "9.98,45.10,10.19,45.20"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    db = tmp_path_factory.mktemp("plans") / "plans.sqlite"
    app = create_app({"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{db}"})
    yield app
    close_store(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def get_json(client: FlaskClient, path: str, args: Any = None, status: int = 200) -> Any:
    resp = client.get(path, query_string=args)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_json()


# --- POIs ----------------------------------------------------------------------------------


def test_pois_in_bbox_of_a_category(client: FlaskClient) -> None:
    doc = get_json(client, "/api/pois", {"bbox": CITY_BBOX, "category": "museum", "lang": "en"})
    assert doc["type"] == "FeatureCollection"
    ids = [f["id"] for f in doc["features"]]
    assert MUSEUM in ids
    museum = next(f for f in doc["features"] if f["id"] == MUSEUM)
    props = museum["properties"]
    assert props["label"] == "Museum"
    assert props["opening_hours"] == "Tu-Su 10:00-18:00; Mo off"
    assert props["phone"]
    assert props["source"]
    assert props["attribution"]
    assert {f["properties"]["category"] for f in doc["features"]} == {"museum"}
    for f in doc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 9.98 <= lon <= 10.19
        assert 45.10 <= lat <= 45.20


def test_pois_labels_follow_the_language(client: FlaskClient) -> None:
    doc = get_json(client, "/api/pois", {"bbox": CITY_BBOX, "category": "museum", "lang": "it"})
    assert {f["properties"]["label"] for f in doc["features"]} == {"Museo"}


def test_pois_several_categories_and_limit(client: FlaskClient) -> None:
    args = [("bbox", CITY_BBOX), ("category", "museum"), ("category", "luthier,railway_station"), ("limit", "3")]
    doc = get_json(client, "/api/pois", args)
    assert len(doc["features"]) == 3
    assert {f["properties"]["category"] for f in doc["features"]} <= {"museum", "luthier", "railway_station"}


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"bbox": "10,45,9,46"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "10,45,11"}, "bbox"),
        ({"category": "spaceport"}, "category"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_pois_bad_input_names_the_parameter(client: FlaskClient, args: dict[str, str], parameter: str) -> None:
    body = get_json(client, "/api/pois", args, status=400)
    assert body["parameter"] == parameter


def test_categories_have_labels_and_counts(client: FlaskClient) -> None:
    rows = get_json(client, "/api/categories", {"lang": "it"})["categories"]
    museum = next(r for r in rows if r["id"] == "museum")
    assert museum["label"] == "Museo"
    assert museum["count"] >= 5


# --- routes with profiles and POI stops ----------------------------------------------------


def test_route_through_a_poi(client: FlaskClient) -> None:
    args = [("from", PIAZZA), ("via", f"poi:{MUSEUM}"), ("to", STATION)]
    props = get_json(client, "/api/route", args)["properties"]
    via = props["stops"][1]
    assert (via["parameter"], via["query"], via["name"]) == ("via", f"poi:{MUSEUM}", "Museo del Violino")
    assert via["kind"] == "poi:museum"
    assert props["points"][1]["snap_distance_m"] < 100  # the route passes by the museum


def test_route_profiles(client: FlaskClient) -> None:
    base = {"from": PIAZZA, "to": STATION}
    assert get_json(client, "/api/route", base)["properties"]["profile"] == "touring"
    assert get_json(client, "/api/route", {**base, "profile": "road"})["properties"]["profile"] == "road"
    wet = get_json(client, "/api/route", {**base, "profile": "gravel", "wet": "1"})
    assert wet["properties"]["profile"] == "gravel+wet"
    body = get_json(client, "/api/route", {**base, "profile": "racing"}, status=400)
    assert body["parameter"] == "profile"
    assert "touring" in body["error"]
    assert get_json(client, "/api/route", {**base, "wet": "maybe"}, status=400)["parameter"] == "wet"


def test_route_to_unknown_poi_is_404(client: FlaskClient) -> None:
    body = get_json(client, "/api/route", {"from": PIAZZA, "to": "poi:nowhere"}, status=404)
    assert body["parameter"] == "to"
    assert "nowhere" in body["error"]


def test_route_gpx_parts(client: FlaskClient) -> None:
    resp = client.get("/api/route.gpx", query_string={"from": PIAZZA, "to": STATION, "parts": "rte"})
    assert resp.status_code == 200
    assert validate_gpx_schema(resp.data, GPX_SCHEMA) == []
    gpx = gpxpy.parse(resp.get_data(as_text=True))
    assert (len(gpx.tracks), len(gpx.routes), len(gpx.waypoints)) == (0, 1, 0)
    bad = client.get("/api/route.gpx", query_string={"from": PIAZZA, "to": STATION, "parts": "trk,map"})
    assert bad.status_code == 400
    assert bad.get_json()["parameter"] == "parts"


# --- itineraries ---------------------------------------------------------------------------

TOUR = [
    ("kind", "tour"),
    ("from", STATION),
    ("via", f"poi:{MUSEUM}"),
    ("via", "Via Palestro"),
    ("to", PIAZZA),
    ("depart", "2026-06-09T10:00"),  # a Tuesday: the museum opens at 10
]


def test_itinerary_of_a_route_keeps_the_order(client: FlaskClient) -> None:
    args = [("from", PIAZZA), ("via", "Via Palestro"), ("to", STATION), ("profile", "family")]
    body = get_json(client, "/api/itinerary", args)
    doc = body["itinerary"]
    assert doc["format"] == "cremona-bike/itinerary"
    assert [s["name"] for s in doc["stops"]][1] == "Via Palestro"
    assert doc["request"]["keep_order"] is True
    assert doc["request"]["profile"] == "family"
    page = {"from": PIAZZA, "via": ["Via Palestro"], "to": STATION, "profile": "family"}
    assert doc["request"]["extra"]["page"] == page
    assert doc["summary"]["total_time_s"] == pytest.approx(doc["summary"]["riding_time_s"])  # no stops on a route
    assert body["explain"]["segments"]
    route = get_json(client, "/api/route", args)["properties"]
    assert doc["summary"]["length_m"] == pytest.approx(route["length_m"], rel=1e-6)


def test_itinerary_tour_has_times_and_hours(client: FlaskClient) -> None:
    body = get_json(client, "/api/itinerary", TOUR)
    stops = body["itinerary"]["stops"]
    assert [s["arrive"][:10] for s in stops] == ["2026-06-09"] * 4
    museum = next(s for s in stops if s["id"] == MUSEUM)
    assert museum["dwell_min"] == 90
    assert museum["opening"] == "open"
    assert stops[0]["arrive"] == "2026-06-09T10:00:00"
    assert body["itinerary"]["summary"]["total_time_s"] > body["itinerary"]["summary"]["riding_time_s"] + 90 * 60
    assert body["title"].endswith("→ Via Gherardo Patecchio")


def test_itinerary_tour_warns_of_a_closed_museum(client: FlaskClient) -> None:
    monday = [(k, "2026-06-08T10:00" if k == "depart" else v) for k, v in TOUR]
    doc = get_json(client, "/api/itinerary", monday)["itinerary"]
    assert any("Museo del Violino" in w and "closed" in w for w in doc["warnings"])


def test_itinerary_in_days(client: FlaskClient) -> None:
    body = get_json(client, "/api/itinerary", [*TOUR, ("days", "2")])
    stages = body["itinerary"]["stages"]
    # The first day ends early at an overnight place; the second still ends at the arrival: two days, as asked.
    assert [s["day"] for s in stages] == [1, 2]
    assert stages[-1]["end_km"] == pytest.approx(body["itinerary"]["summary"]["length_m"] / 1000, abs=0.01)
    lines = [f for f in body["days"]["features"] if f["properties"]["kind"] == "day"]
    assert [f["properties"]["day"] for f in lines] == [s["day"] for s in stages]
    assert stages[0]["bailout_station"]


def test_itinerary_loop(client: FlaskClient) -> None:
    body = get_json(client, "/api/itinerary", {"kind": "loop", "from": STATION, "km": "10"})
    summary = body["itinerary"]["summary"]
    assert 9000 <= summary["length_m"] <= 11000
    coords = body["itinerary"]["geometry"]["coordinates"]
    assert coords[0] == pytest.approx(coords[-1], abs=1e-3)  # back where it started


def test_itinerary_post_json_equals_get(client: FlaskClient) -> None:
    body = {"kind": "tour", "from": STATION, "via": [f"poi:{MUSEUM}", "Via Palestro"], "to": PIAZZA}
    posted = client.post("/api/itinerary", json=body)
    assert posted.status_code == 200
    got = get_json(client, "/api/itinerary", [(k, v) for k, v in TOUR if k != "depart"])
    assert posted.get_json()["itinerary"]["summary"] == got["itinerary"]["summary"]


def test_itinerary_post_a_saved_document_plans_it_again(client: FlaskClient) -> None:
    doc = get_json(client, "/api/itinerary", TOUR)["itinerary"]
    again = client.post("/api/itinerary", json=doc)
    assert again.status_code == 200
    assert again.get_json()["itinerary"]["summary"] == doc["summary"]
    newer = client.post("/api/itinerary", json={**doc, "version": 99})
    assert newer.status_code == 400
    assert "newer" in newer.get_json()["error"]


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"kind": "walk", "from": PIAZZA, "to": STATION}, "kind"),
        ({"kind": "tour", "to": STATION}, "from"),
        ({"kind": "tour", "from": PIAZZA}, "to"),
        ({"kind": "loop", "from": PIAZZA}, "km"),
        ({"kind": "loop", "from": PIAZZA, "km": "1000"}, "km"),
        ({"kind": "loop", "from": PIAZZA, "km": "10", "min_pois": "2"}, "min_pois"),
        ({"kind": "loop", "from": PIAZZA, "km": "10", "category": "nope"}, "category"),
        ({"from": PIAZZA, "to": STATION, "days": "99"}, "days"),
        ({"from": PIAZZA, "to": STATION, "days": "2", "km_per_day": "20"}, "days"),
        ({"from": PIAZZA, "to": STATION, "depart": "tomorrow"}, "depart"),
        ({"kind": "tour", "from": PIAZZA, "to": STATION, "return": "1"}, "return"),
        ({"from": PIAZZA, "to": STATION, "lunch": "perhaps"}, "lunch"),
    ],
)
def test_itinerary_bad_input_names_the_parameter(client: FlaskClient, args: dict[str, str], parameter: str) -> None:
    body = get_json(client, "/api/itinerary", args, status=400)
    assert body["parameter"] == parameter
    assert parameter in body["error"]


@pytest.mark.parametrize(
    ("data", "content_type", "parameter"),
    [
        ("not json", "application/json", "body"),
        ("[1, 2]", "application/json", "body"),
        ('{"from": "a", "to": "b"}', "text/plain", "body"),
        ('{"from": {"lat": 45}, "to": "b"}', "application/json", "from"),
    ],
)
def test_itinerary_post_bad_body(client: FlaskClient, data: str, content_type: str, parameter: str) -> None:
    resp = client.post("/api/itinerary", data=data, content_type=content_type)
    assert resp.status_code == 400
    assert resp.get_json()["parameter"] == parameter


def test_itinerary_gpx_whole_trip_and_one_day(client: FlaskClient) -> None:
    args = [*TOUR, ("days", "2")]
    whole = client.get("/api/itinerary.gpx", query_string=args)
    assert whole.status_code == 200
    assert whole.mimetype == "application/gpx+xml"
    assert validate_gpx_schema(whole.data, GPX_SCHEMA) == []
    gpx = gpxpy.parse(whole.get_data(as_text=True))
    days = len(gpx.tracks)
    assert days >= 2
    assert [w.name for w in gpx.waypoints][1] == "Museo del Violino"
    one = client.get("/api/itinerary.gpx", query_string=[*args, ("day", "2"), ("parts", "rte,wpt")])
    assert one.status_code == 200
    assert validate_gpx_schema(one.data, GPX_SCHEMA) == []
    assert one.headers["Content-Disposition"].endswith('_day-2.gpx"')
    day2 = gpxpy.parse(one.get_data(as_text=True))
    assert (len(day2.tracks), len(day2.routes), len(day2.waypoints)) == (0, 1, 2)
    bad = client.get("/api/itinerary.gpx", query_string=[*args, ("day", str(days + 1))])
    assert bad.status_code == 400
    assert bad.get_json()["parameter"] == "day"


def test_itinerary_geojson_download(client: FlaskClient) -> None:
    resp = client.get("/api/itinerary.geojson", query_string=TOUR)
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    assert resp.headers["Content-Disposition"].endswith('.geojson"')
    doc = json.loads(resp.data)
    kinds = [f["properties"]["kind"] for f in doc["features"]]
    assert kinds.count("stop") == 4
    assert kinds.count("day") == 1


def test_itinerary_pdf_without_sheets_is_501(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "SHEETS_MODULE", "web.no_such_module")
    resp = client.get("/api/itinerary.pdf", query_string=TOUR)
    assert resp.status_code == 501
    assert "not available" in resp.get_json()["error"]


def test_itinerary_pdf_calls_the_sheet_renderer(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake(itinerary: Any, G: Any, pois: Any, **kwargs: Any) -> bytes:
        calls.append({"title": itinerary.plan.visits[0].stop.name, **kwargs})
        return b"%PDF-1.7 fake"

    monkeypatch.setattr("web.sheets.sheet_pdf", fake)
    resp = client.get("/api/itinerary.pdf", query_string=[*TOUR, ("lang", "en")])
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    events = [call.pop("events") for call in calls]  # the published calendar, for the sheet's events section
    assert calls == [{"title": "Piazza Della Stazione", "lang": "en", "base_url": "http://localhost/", "plan_id": None}]
    assert any(e.id == "event-festa-del-torrone-2026" for e in events[0])


def test_printing_reports_a_missing_renderer(monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    monkeypatch.setattr(printing, "RENDERER", "no_such_function")
    with app.test_request_context(), pytest.raises(UnavailableError, match="no_such_function"):
        printing.itinerary_pdf(None, lang="it", base_url="http://x/")  # type: ignore[arg-type]


# --- the offline base layer ----------------------------------------------------------------


def test_roads_layer(client: FlaskClient, cremona_graph: nx.MultiDiGraph[int]) -> None:
    resp = client.get("/api/roads.geojson")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    assert resp.cache_control.max_age == 3600
    doc = resp.get_json()
    assert {f["properties"]["highway"] for f in doc["features"]} == {"primary", "secondary", "tertiary", "residential"}
    lines = sum(len(f["geometry"]["coordinates"]) for f in doc["features"])
    # Each two-way street once: about half the directed edges.
    assert cremona_graph.number_of_edges() / 2 <= lines < cremona_graph.number_of_edges()
    assert doc == roads_geojson(cremona_graph)


# --- OpenAPI -------------------------------------------------------------------------------


def test_openapi_is_valid_and_covers_every_api_route(client: FlaskClient, app: Flask) -> None:
    doc = get_json(client, "/api/openapi.json")
    validate(doc)
    routes = {
        rule.rule.replace("<", "{").replace(">", "}"): (rule.methods or set()) - {"HEAD", "OPTIONS"}
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert set(doc["paths"]) == set(routes)
    for path, methods in routes.items():
        assert {m.lower() for m in methods} == set(doc["paths"][path]), path


# --- errors --------------------------------------------------------------------------------


def test_unknown_plan_page_is_404(client: FlaskClient) -> None:
    assert client.get("/plan/AAAAAAAAAAAA").status_code == 404
    assert client.get("/plan/not-an-id").status_code == 404
    gpx = client.get("/plan/AAAAAAAAAAAA.gpx")
    assert gpx.status_code == 404
    assert gpx.get_json()["parameter"] == "plan_id"


def test_database_down_is_503(tmp_path: Path) -> None:
    # A folder is not a database file: the store cannot open.
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}"})
    resp = app.test_client().post("/api/plans", json={"from": PIAZZA, "to": STATION})
    close_store(app)
    assert resp.status_code == 503
    assert "plan store" in resp.get_json()["error"]
