from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import gpxpy
import pytest

from gis_data.gpx import validate_gpx_schema
from routing import plan_route
from tests.conftest import GPX_SCHEMA
from web import create_app
from web.maps import ROUTE_CLASS
from web.maps import base_map
from web.maps import graph_bounds
from web.maps import map_parts
from web.maps import route_map

if TYPE_CHECKING:
    import networkx as nx
    from flask import Flask
    from flask.testing import FlaskClient

    from routing import Route

# Real places of the default Cremona city graph.
PIAZZA = "45.1334,10.0246"  # Piazza del Comune
STATION = "45.1433,10.0180"  # Cremona railway station
# A point on a small piece of road that does not join the rest of the network.
ISLAND = "45.1293199,9.9958624"
ASSETS = "/static/vendor"
CDN_HOSTS = ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn.com")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    # A database of its own: never the instance folder's, which `make run` fills.
    database = tmp_path_factory.mktemp("web") / "plans.sqlite"
    return create_app({"TESTING": True, "TILES": None, "DATABASE_URL": f"sqlite:///{database}"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def piazza_station(cremona_graph: nx.MultiDiGraph[int]) -> Route:
    return plan_route(cremona_graph, [(45.1334, 10.0246), (45.1433, 10.0180)])


def external_urls(html: str) -> list[str]:
    """Return the src/href URLs of a page that leave the server."""
    return re.findall(r"""(?:src|href)=["']((?:https?:)?//[^"']+)""", html)


# --- the page ------------------------------------------------------------------------------


def test_index_shows_form_and_base_map(client: FlaskClient) -> None:
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for field in ('name="from"', 'name="to"', 'name="via"', 'name="speed"'):
        assert field in html
    assert "network-extent" in html  # the area covered, drawn on the base map
    assert ROUTE_CLASS not in html
    assert '<option value="Via Palestro">' in html  # place names offered while typing


def test_index_draws_route_with_summary(client: FlaskClient, piazza_station: Route) -> None:
    resp = client.get("/", query_string={"from": PIAZZA, "to": STATION, "lang": "en"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f'"className": "{ROUTE_CLASS}"' in html
    assert html.count("L.marker(") == 2
    assert f"{piazza_station.length_m / 1000:.1f} km" in html
    assert "asphalt" in html  # surface shares
    assert "residential" in html  # highway shares
    assert "no signed cycle route" in html
    gpx_link = re.search(r'id="gpx-link" href="([^"]+)"', html)
    assert gpx_link is not None
    assert gpx_link.group(1).startswith("/api/route.gpx?")


def test_index_via_points_one_per_line(client: FlaskClient) -> None:
    resp = client.get(
        "/", query_string={"from": PIAZZA, "via": "Via Palestro\n\nCorso Campi\n", "to": STATION, "lang": "en"}
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert html.count("L.marker(") == 4
    assert "via Via Palestro, Corso Campi" in html
    assert "via=Via+Palestro&amp;via=Corso+Campi" in html  # the download links repeat via


def test_index_page_assets_are_local(client: FlaskClient) -> None:
    html = client.get("/", query_string={"from": PIAZZA, "to": STATION}).get_data(as_text=True)
    assert external_urls(html) == []
    assert not any(host in html for host in CDN_HOSTS)
    local = re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html)
    assert f"{ASSETS}/leaflet/leaflet.js" in local
    assert f"{ASSETS}/leaflet/leaflet.css" in local
    for url in local:
        resp = client.get(url)
        assert resp.status_code == 200, f"{url} is missing: run `make vendor`"
        resp.close()


@pytest.mark.parametrize(
    ("args", "status", "text"),
    [
        ({"from": "Cremna", "to": "Cremona"}, 404, "Did you mean: Cremona"),
        ({"from": "", "to": "Cremona"}, 400, "Missing parameter &#39;from&#39;"),
        ({"from": "Crema", "to": "Cremona"}, 422, "from the bicycle network"),
        ({"from": ISLAND, "to": STATION}, 422, "No bike route"),
        ({"from": PIAZZA, "to": STATION, "speed": "fast"}, 400, "Parameter &#39;speed&#39;"),
    ],
)
def test_index_shows_errors_in_page(client: FlaskClient, args: dict[str, str], status: int, text: str) -> None:
    resp = client.get("/", query_string=args)
    html = resp.get_data(as_text=True)
    assert resp.status_code == status
    assert resp.mimetype == "text/html"
    assert 'role="alert"' in html
    assert text in html
    assert "Traceback" not in html
    assert 'name="from"' in html  # the form stays, filled in
    assert f'value="{args["from"]}"' in html


# --- the JSON API --------------------------------------------------------------------------


def test_api_route_is_geojson_feature(client: FlaskClient, piazza_station: Route) -> None:
    resp = client.get("/api/route", query_string={"from": PIAZZA, "to": STATION})
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    feature: dict[str, Any] = resp.get_json()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "LineString"
    assert len(feature["geometry"]["coordinates"]) == len(piazza_station.geometry.coords)
    props = feature["properties"]
    assert props["length_m"] == pytest.approx(piazza_station.length_m, abs=0.1)
    assert props["duration_s"] > 0
    assert sum(props["surface_shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert sum(props["highway_shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert props["cycle_routes"] == []
    assert [s["parameter"] for s in props["stops"]] == ["from", "to"]
    # Clicked points are named after the street they lie on.
    assert props["name"] == "Via Gherardo Patecchio → Piazza Della Stazione"
    assert [s["query"] for s in props["stops"]] == [PIAZZA, STATION]


def test_api_route_repeated_via(client: FlaskClient, piazza_station: Route) -> None:
    args = [("from", PIAZZA), ("via", "Via Palestro"), ("via", "Corso Campi"), ("to", STATION)]
    resp = client.get("/api/route", query_string=args)
    assert resp.status_code == 200
    props = resp.get_json()["properties"]
    assert [s["query"] for s in props["stops"]] == [PIAZZA, "Via Palestro", "Corso Campi", STATION]
    assert [s["name"] for s in props["stops"]][1:3] == ["Via Palestro", "Corso Campi"]
    assert [s["parameter"] for s in props["stops"]] == ["from", "via", "via", "to"]
    assert props["length_m"] > piazza_station.length_m


def test_api_route_speed(client: FlaskClient) -> None:
    slow, fast = (
        client.get("/api/route", query_string={"from": PIAZZA, "to": STATION, "speed": speed}) for speed in ("10", "20")
    )
    assert slow.get_json()["properties"]["speed_kmh"] == 10
    assert fast.get_json()["properties"]["speed_kmh"] == 20
    assert fast.get_json()["properties"]["duration_s"] < slow.get_json()["properties"]["duration_s"]


def test_api_route_gpx_attachment(client: FlaskClient, piazza_station: Route) -> None:
    args = {"from": "Cremona", "via": "Via Palestro", "to": "Stazione di Cremona"}
    resp = client.get("/api/route.gpx", query_string=args)
    assert resp.status_code == 200
    assert resp.mimetype == "application/gpx+xml"
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="cremona-bike_cremona_stazione-di-cremona.gpx"'
    )
    assert validate_gpx_schema(resp.data, GPX_SCHEMA) == []
    gpx = gpxpy.parse(resp.get_data(as_text=True))
    assert [w.name for w in gpx.waypoints] == ["Cremona", "Via Palestro", "Stazione di Cremona"]
    assert [w.type for w in gpx.waypoints] == ["start", "via", "end"]
    assert len(gpx.tracks) == 1
    assert len(gpx.tracks[0].segments[0].points) > 10
    assert "via Via Palestro" in (gpx.description or "")


@pytest.mark.parametrize("path", ["/api/route", "/api/route.gpx"])
@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ([("to", STATION)], "from"),
        ([("from", PIAZZA)], "to"),
        ([("from", " "), ("to", STATION)], "from"),
        ([("from", PIAZZA), ("from", STATION), ("to", STATION)], "from"),
        ([("from", "x" * 201), ("to", STATION)], "from"),
        ([("from", PIAZZA), ("to", STATION), ("via", "x" * 201)], "via"),
        ([("from", PIAZZA), ("to", STATION), *[("via", "Cremona")] * 11], "via"),
        ([("from", PIAZZA), ("to", STATION), ("speed", "abc")], "speed"),
        ([("from", PIAZZA), ("to", STATION), ("speed", "0")], "speed"),
        ([("from", PIAZZA), ("to", STATION), ("speed", "nan")], "speed"),
    ],
)
def test_api_bad_parameter_is_400(client: FlaskClient, path: str, args: list[tuple[str, str]], parameter: str) -> None:
    resp = client.get(path, query_string=args)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["parameter"] == parameter
    assert repr(parameter) in body["error"]


def test_api_place_not_found_is_404_with_suggestions(client: FlaskClient) -> None:
    resp = client.get("/api/route", query_string={"from": PIAZZA, "to": "Cremna"})
    assert resp.status_code == 404
    body = resp.get_json()
    assert body["parameter"] == "to"
    assert body["query"] == "Cremna"
    assert "Cremona" in body["suggestions"]
    assert "'Cremna'" in body["error"]


def test_api_point_off_network_is_422(client: FlaskClient) -> None:
    # Crema is a real town 33 km away, outside the Cremona city graph.
    resp = client.get("/api/route", query_string={"from": PIAZZA, "via": "Crema", "to": STATION})
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["parameter"] == "via"
    assert body["place"] == "Crema"
    assert body["point"] == pytest.approx([45.36264, 9.68176])
    assert body["distance_m"] > 30_000
    assert "45.36264,9.68176" in body["error"]


def test_api_no_route_is_422_naming_both_points(client: FlaskClient) -> None:
    args = [("from", PIAZZA), ("via", ISLAND), ("to", STATION)]
    resp = client.get("/api/route", query_string=args)
    assert resp.status_code == 422
    body = resp.get_json()
    assert "No bike route" in body["error"]
    assert (body["from"]["parameter"], body["from"]["query"]) == ("from", PIAZZA)
    assert (body["to"]["parameter"], body["to"]["query"]) == ("via", ISLAND)
    assert len(body["points"]) == 3


def test_api_unknown_path_is_json_404(client: FlaskClient) -> None:
    resp = client.get("/api/nowhere")
    assert resp.status_code == 404
    assert "error" in resp.get_json()


def test_api_places(client: FlaskClient) -> None:
    resp = client.get("/api/places", query_string={"q": "palestro"})
    assert resp.status_code == 200
    names = [p["name"] for p in resp.get_json()["places"]]
    assert names == ["Via Palestro"]
    bad = client.get("/api/places", query_string={"limit": "many"})
    assert bad.status_code == 400
    assert bad.get_json()["parameter"] == "limit"


def test_missing_data_is_503_json_and_page_message(tmp_path: Any) -> None:
    config = {"DATA": str(tmp_path / "nowhere.geojson"), "DATABASE_URL": f"sqlite:///{tmp_path / 'plans.sqlite'}"}
    client = create_app({"TESTING": True, **config}).test_client()
    resp = client.get("/api/route", query_string={"from": PIAZZA, "to": STATION})
    assert resp.status_code == 503
    assert "not available" in resp.get_json()["error"]
    page = client.get("/")
    assert page.status_code == 503
    assert "not available" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


# --- the map builders (no Flask) -----------------------------------------------------------


def test_route_map_has_route_markers_and_bounds(piazza_station: Route) -> None:
    stops = [("Piazza del Comune", (45.1334, 10.0246)), ("Stazione", (45.1433, 10.0180))]
    m = route_map(piazza_station, stops, tiles=None, assets=ASSETS)
    (south, west), (north, east) = m.get_bounds()
    assert south is not None
    assert west is not None
    assert north is not None
    assert east is not None
    for lat, lon in piazza_station.latlon():
        assert south <= lat <= north
        assert west <= lon <= east
    html = m.get_root().render()
    lat, lon = piazza_station.latlon()[0]
    assert f"[[{lat}, {lon}], " in html  # the polyline's first vertex
    assert f'"className": "{ROUTE_CLASS}"' in html
    assert html.count("L.marker(") == 2
    assert "Start: Piazza del Comune" in html
    assert "End: Stazione" in html
    assert f'src="{ASSETS}/leaflet/leaflet.js"' in html
    assert external_urls(html) == []


def test_route_map_escapes_labels(piazza_station: Route) -> None:
    stops = [("<b>`${alert(1)}`</b>", (45.1334, 10.0246)), ("B", (45.1433, 10.0180))]
    html = route_map(piazza_station, stops, tiles=None).get_root().render()
    assert "<b>`${alert(1)}" not in html
    assert "&lt;b&gt;&#96;&#36;{alert(1)}" in html


def test_route_map_without_assets_uses_folium_cdn(piazza_station: Route) -> None:
    # The default keeps folium's links, for stand-alone HTML files.
    html = route_map(piazza_station, tiles=None).get_root().render()
    assert "cdn.jsdelivr.net/npm/leaflet@1.9.3" in html


def test_base_map_is_fitted_to_the_graph(cremona_graph: nx.MultiDiGraph[int]) -> None:
    m = base_map(cremona_graph, tiles=None, assets=ASSETS)
    bounds = graph_bounds(cremona_graph)
    assert m.get_bounds() == [list(bounds[0]), list(bounds[1])]
    parts = map_parts(m)
    assert f"{ASSETS}/fontawesome/css/all.min.css" in parts.header
    assert 'class="folium-map"' in parts.body
    assert "L.map(" in parts.script
    assert "glyphicons" not in parts.header
    assert external_urls(parts.header) == []


def test_page_script_writes_text_not_html() -> None:
    # POI names, hours and sources come from outside: the script must never parse them as HTML.
    script = (Path(__file__).parents[1] / "web" / "static" / "planner.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
