"""Foreign GPX tracks built at test time from the shared EuroVelo 8 reference lines.

Those lines have no stated licence ("reference / test fixture only"), so we do not
redistribute them in this repository: the tests build the GPX files from
``../shared/data`` (present on the developers' machines and in CI, beside the
clone) and are skipped, with that reason, where it is absent.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import gpxpy.gpx
import pytest

from gis_data.gpx_write import gpx_bytes

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not (SHARED / "eurovelo8-po-cremona").is_dir(),
    reason="the EuroVelo 8 reference lines (not redistributable) are only in ../shared/data",
)
_OUT = Path(tempfile.gettempdir()) / "cremona-bike-foreign-tracks"


def _inside(path: Path) -> list[list[float]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    feature = next(f for f in doc["features"] if f["properties"].get("part") == "inside_province")
    coords: list[list[float]] = feature["geometry"]["coordinates"]
    return coords


def _write(name: str, coords: list[list[float]], title: str) -> Path:
    _OUT.mkdir(exist_ok=True)
    doc = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack(name=title)
    segment = gpxpy.gpx.GPXTrackSegment()
    for c in coords:
        segment.points.append(gpxpy.gpx.GPXTrackPoint(c[1], c[0], elevation=c[2] if len(c) > 2 else None))
    track.segments.append(segment)
    doc.tracks.append(track)
    path = _OUT / name
    path.write_bytes(gpx_bytes(doc))
    return path


def ev8_crossing() -> Path:
    """Return the 42-point, 5.9 km stretch of EuroVelo 8 crossing the city of Cremona (vertices 109-150)."""
    coords = _inside(SHARED / "eurovelo8-po-cremona" / "ev8_cremona_window.geojson")[109:151]
    return _write("ev8-cremona-crossing.gpx", coords, "EuroVelo 8 across Cremona")


def ev8_po_dense() -> Path:
    """Return the 704-point EuroVelo 8 line along the Po inside the province, with altitude."""
    coords = _inside(SHARED / "eurovelo8-po-dense-cremona" / "ev8_po_cremona_dense.geojson")
    return _write("ev8-po-dense-cremona.gpx", coords, "EuroVelo 8 along the Po")
