"""Download the whole province from Overpass, for users with internet.

One query fetches, inside the province polygon plus a margin: every ``highway``
way with its nodes, the ``route=bicycle`` relations (with their parent
super-routes) and the nodes carrying the tags POIs are made from. The answer is
OSM XML, streamed to a temporary file and moved into place only when complete,
then read by the same pipeline as any ``.osm`` extract.

The endpoint, user agent and timeout are osmnx's settings
(``osmnx.settings.overpass_url``, ``http_user_agent``, ``requests_timeout``), so
a mirror or a local Overpass can be used the way osmnx users already do.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import osmnx as ox
import requests
import shapely
from pyproj import Transformer
from shapely import MultiPolygon
from shapely import Polygon
from shapely.geometry import shape

from gis_data import settings
from gis_data.errors import DownloadError

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

#: POI tag filters sent to Overpass (nodes only; the POI layer maps them to categories).
POI_FILTERS: tuple[str, ...] = (
    '["tourism"]',
    '["amenity"~"^(drinking_water|toilets|bicycle_parking|bicycle_repair_station|bicycle_rental|'
    'charging_station|cafe|restaurant|place_of_worship|theatre|arts_centre|concert_hall)$"]',
    '["shop"~"^(bicycle|musical_instrument|farm|cheese|confectionery|deli|butcher|wine)$"]',
    '["craft"]',
    '["historic"]',
    '["railway"="station"]',
    '["place"~"^(city|town|village|hamlet|suburb)$"]',
)


def province_polygon(*, margin_m: float = 2000.0, simplify_m: float = 250.0) -> Polygon:
    """Return the province of Cremona (ISTAT boundary) grown by a margin, in WGS84.

    Parameters
    ----------
    margin_m
        Buffer around the boundary, so routes along the Po, Adda and Oglio keep
        the bridges and the far banks.
    simplify_m
        Simplification tolerance, which keeps the Overpass query short.

    Returns
    -------
    shapely.Polygon
        The query polygon (lon/lat).
    """
    path = settings.data_folder / "istat-boundaries-cremona" / "provincia_cremona.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    boundary = shape(doc["features"][0]["geometry"])
    to_utm = Transformer.from_crs(4326, 32632, always_xy=True)
    to_wgs = Transformer.from_crs(32632, 4326, always_xy=True)
    grown = shapely.transform(boundary, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
    grown = grown.buffer(margin_m).simplify(simplify_m)
    polygon = shapely.transform(grown, lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))
    if isinstance(polygon, MultiPolygon):
        polygon = max(polygon.geoms, key=lambda p: p.area)
    if not isinstance(polygon, Polygon):
        msg = f"The province boundary in {path} is not a polygon"
        raise DownloadError(msg)
    return polygon


def overpass_query(polygon: Polygon, *, timeout_s: int = 300) -> str:
    """Build the Overpass QL query for the bicycle network, cycle routes and POIs in a polygon.

    Examples
    --------
    >>> q = overpass_query(Polygon([(10.0, 45.1), (10.1, 45.1), (10.1, 45.2)]))
    >>> q.startswith("[out:xml]") and 'relation["route"="bicycle"]' in q
    True
    """
    ring = " ".join(f"{y:.6f} {x:.6f}" for x, y in polygon.exterior.coords[:-1])
    area = f'(poly:"{ring}")'
    pois = "".join(f"node{f}{area};" for f in POI_FILTERS)
    return (
        f"[out:xml][timeout:{timeout_s}];"
        f'(way["highway"]{area};'
        f'relation["route"="bicycle"]{area};'
        f"{pois});"
        "(._;rel(br);>;);"
        "out body;"
    )


def download_osm(
    destination: Path,
    *,
    polygon: Polygon | None = None,
    url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Download the province's OSM data to a file, atomically.

    Parameters
    ----------
    destination
        The ``.osm`` file to write; it appears only once the download is complete.
    polygon
        Area to fetch; default :func:`province_polygon`.
    url
        Overpass API base URL; default ``osmnx.settings.overpass_url``.
    progress
        Called with the number of bytes received so far, after each chunk.

    Returns
    -------
    pathlib.Path
        ``destination``.

    Raises
    ------
    DownloadError
        If the server cannot be reached, answers with an error, or sends
        something that is not OSM XML.
    """
    base = (url or ox.settings.overpass_url).rstrip("/")
    query = overpass_query(polygon or province_polygon())
    endpoint = f"{base}/interpreter"
    headers = {"User-Agent": ox.settings.http_user_agent, "Accept-Language": "en"}
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=destination.name, suffix=".part")
    received = 0
    try:
        with (
            requests.post(
                endpoint,
                data={"data": query},
                headers=headers,
                timeout=ox.settings.requests_timeout,
                stream=True,
            ) as answer,
            os.fdopen(fd, "wb") as out,
        ):
            if answer.status_code != 200:
                msg = f"Overpass at {endpoint} answered HTTP {answer.status_code}: {answer.text[:200]!r}"
                raise DownloadError(msg)
            for chunk in answer.iter_content(chunk_size=1 << 16):
                out.write(chunk)
                received += len(chunk)
                if progress is not None:
                    progress(received)
            out.flush()
            os.fsync(out.fileno())
        _check_osm_xml(Path(tmp), endpoint)
        os.replace(tmp, destination)
    except requests.RequestException as exc:
        Path(tmp).unlink(missing_ok=True)
        msg = f"Cannot download from {endpoint}: {exc}"
        raise DownloadError(msg) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info("Downloaded %d bytes from %s to %s", received, endpoint, destination)
    return destination


def _check_osm_xml(path: Path, endpoint: str) -> None:
    with path.open("rb") as fh:
        head = fh.read(512)
    if b"<osm" not in head:
        msg = f"Overpass at {endpoint} did not send OSM XML (starts with {head[:80]!r})"
        raise DownloadError(msg)
    if path.stat().st_size < 200 or b"<remark>" in _tail(path):
        msg = f"Overpass at {endpoint} sent no data or a runtime error (see {path.name})"
        raise DownloadError(msg)


def _tail(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - size, 0))
        return fh.read()
