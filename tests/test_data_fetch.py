"""The province download path, against a loopback Overpass stand-in that serves real OSM data.

The stand-in answers like Overpass would for our query: the highway ways of the
Liechtenstein extract with their nodes, its route=bicycle relations and its
place/POI nodes, as OSM XML. The real HTTP client code runs; nothing of ours is
mocked.
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING
from typing import ClassVar

import osmium
import pytest
from click.testing import CliRunner

from cli.main import cli
from gis_data.download import download_osm
from gis_data.download import overpass_query
from gis_data.download import province_polygon
from gis_data.errors import DownloadError
from gis_data.network import load_network
from gis_data.places import resolve_place
from routing import plan_route
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(scope="module")
def overpass_answer(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """What Overpass would send for our query, cut from the real Liechtenstein extract."""
    wanted_nodes: set[int] = set()
    for way in osmium.FileProcessor(str(LIECHTENSTEIN), osmium.osm.WAY):
        if "highway" in way.tags and isinstance(way, osmium.osm.Way):
            wanted_nodes.update(n.ref for n in way.nodes)
    path = tmp_path_factory.mktemp("overpass") / "answer.osm"
    writer = osmium.SimpleWriter(str(path))
    for obj in osmium.FileProcessor(str(LIECHTENSTEIN)):
        if isinstance(obj, osmium.osm.Node):
            keep = obj.id in wanted_nodes or "place" in obj.tags or "amenity" in obj.tags
        elif isinstance(obj, osmium.osm.Way):
            keep = "highway" in obj.tags
        else:
            keep = obj.tags.get("route") == "bicycle"
        if keep:
            writer.add(obj)
    writer.close()
    return path.read_bytes()


class _Overpass(BaseHTTPRequestHandler):
    answer: ClassVar[bytes] = b""
    status: ClassVar[int] = 200
    queries: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length).decode()
        type(self).queries.append(urllib.parse.parse_qs(body)["data"][0])
        if self.path != "/api/interpreter":
            self.send_error(404)
            return
        self.send_response(self.status)
        self.send_header("Content-Type", "application/osm3s+xml")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def overpass(overpass_answer: bytes) -> Iterator[str]:
    _Overpass.answer = overpass_answer
    _Overpass.status = 200
    _Overpass.queries = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Overpass)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api"
    server.shutdown()
    server.server_close()


def test_query_covers_the_province_with_routes_and_pois() -> None:
    polygon = province_polygon()
    minx, miny, maxx, maxy = polygon.bounds
    assert minx < 9.46
    assert maxx > 10.59
    assert miny < 44.94
    assert maxy > 45.50
    query = overpass_query(polygon)
    assert 'way["highway"](poly:"' in query
    assert 'relation["route"="bicycle"]' in query
    assert '["amenity"~' in query
    assert '["railway"="station"]' in query
    assert len(query) < 30_000


def test_fetch_builds_a_graph_that_routes(overpass: str, tmp_path: Path) -> None:
    target = tmp_path / "provincia.osm"
    result = CliRunner().invoke(cli, ["data", "fetch", "--url", overpass, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "bicycle routes" in result.output
    assert target.exists()
    assert not list(tmp_path.glob("*.part"))
    (query,) = _Overpass.queries
    assert query == overpass_query(province_polygon())
    G = load_network(target)
    assert "EuroVelo 15" in {r["name"] for r in G.graph["routes"].values()}
    vaduz, schaan = resolve_place(G, "Vaduz"), resolve_place(G, "Schaan")
    route = plan_route(G, [vaduz.latlon, schaan.latlon])
    assert 3000 < route.length_m < 6000
    assert route.cycle_routes


def test_server_error_leaves_no_file(overpass: str, tmp_path: Path) -> None:
    _Overpass.status = 504
    target = tmp_path / "provincia.osm"
    with pytest.raises(DownloadError, match="HTTP 504"):
        download_osm(target, url=overpass)
    assert not target.exists()
    assert not list(tmp_path.glob("*.part"))
    result = CliRunner().invoke(cli, ["data", "fetch", "--url", overpass, "-o", str(target)])
    assert result.exit_code == 1
    assert "HTTP 504" in result.output
    assert "Traceback" not in result.output


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Overpass)
    port = server.server_port
    server.server_close()  # nothing listens there now
    with pytest.raises(DownloadError, match=f"127.0.0.1:{port}"):
        download_osm(tmp_path / "x.osm", url=f"http://127.0.0.1:{port}/api")


def test_answer_that_is_not_osm_is_refused(overpass: str, tmp_path: Path) -> None:
    _Overpass.answer = b'{"elements": []}'
    with pytest.raises(DownloadError, match="did not send OSM XML"):
        download_osm(tmp_path / "x.osm", url=overpass)
