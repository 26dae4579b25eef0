"""Read and write track documents in any of the supported formats: GPX, GeoJSON, KML.

The format is taken from the file's extension or, for a stream such as stdin,
sniffed from its first bytes; every reader is one of the hardened importers
(size limit, no entities, no network).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Literal

from gis_data.gpx_geojson import geojson_bytes
from gis_data.gpx_geojson import parse_geojson
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_kml import gpx_to_kml
from gis_data.gpx_kml import parse_kml
from gis_data.gpx_write import gpx_bytes

if TYPE_CHECKING:
    from pathlib import Path

    import gpxpy.gpx

Format = Literal["gpx", "geojson", "kml"]
FORMATS: tuple[Format, ...] = ("gpx", "geojson", "kml")
SUFFIXES: dict[str, Format] = {
    ".gpx": "gpx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
}


def format_of_path(path: Path) -> Format | None:
    """Return the format named by a file's extension, or ``None``.

    Examples
    --------
    >>> from pathlib import Path
    >>> format_of_path(Path("ride.GPX")), format_of_path(Path("po.geojson")), format_of_path(Path("x"))
    ('gpx', 'geojson', None)
    """
    return SUFFIXES.get(path.suffix.lower())


def sniff_format(data: bytes) -> Format:
    """Guess the format of a document from its first bytes (GPX when unsure).

    Examples
    --------
    >>> sniff_format(b' {"type": "Feature"}'), sniff_format(b'<?xml version="1.0"?><kml>')
    ('geojson', 'kml')
    >>> sniff_format(b"<gpx/>")
    'gpx'
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "geojson"
    if b"<kml" in head or b":kml" in head:
        return "kml"
    return "gpx"


def load_document(data: bytes, *, name: str, fmt: Format | None = None, max_bytes: int | None = None) -> gpxpy.gpx.GPX:
    """Read a GPX, GeoJSON or KML document into a new GPX object.

    Parameters
    ----------
    data
        The document.
    name
        Its name in error messages (the file name or ``<stdin>``).
    fmt
        The format; sniffed from ``data`` when ``None``.
    max_bytes
        Size limit; default ``gis_data.settings.gpx_max_bytes``.

    Raises
    ------
    InvalidGPXError
        If a GPX document is refused.
    InvalidDataError
        If a GeoJSON or KML document is refused.
    """
    chosen = fmt or sniff_format(data)
    if chosen == "geojson":
        return parse_geojson(data, name=name, max_bytes=max_bytes)
    if chosen == "kml":
        return parse_kml(data, name=name, max_bytes=max_bytes)
    return parse_gpx(data, name=name, max_bytes=max_bytes)


def dump_document(gpx: gpxpy.gpx.GPX, fmt: Format, *, version: str = "1.1") -> bytes:
    """Serialize a document as GPX (of ``version``), GeoJSON or KML.

    Examples
    --------
    >>> import gpxpy.gpx
    >>> dump_document(gpxpy.gpx.GPX(), "geojson")
    b'{"type":"FeatureCollection","features":[]}'
    """
    if fmt == "geojson":
        return geojson_bytes(gpx)
    if fmt == "kml":
        return gpx_to_kml(gpx)
    return gpx_bytes(gpx, version=version)
