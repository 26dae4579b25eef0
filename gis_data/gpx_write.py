"""Write gpxpy documents as well-formed GPX 1.0 or 1.1, without touching them.

gpxpy's ``GPX.to_xml`` changes the document it writes (version, creator,
namespace map) and copies some strings into the XML unescaped: attribute
values (``link href``, ``creator``, ``email``) and the text of extensions. A
link such as ``https://example.org/?a=1&b=2`` would give a broken file. So
:func:`gpx_bytes` writes a shallow copy, in which only the objects holding
such strings are replaced by escaped copies, and maps the TopoGrafix schema
locations to the version written. :mod:`gis_data.gpx_stream` writes it a
few thousand points at a time, so :func:`write_gpx` holds no more than that.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import IO
from typing import TYPE_CHECKING
from typing import Any
from xml.sax.saxutils import escape

from gis_data.gpx_stream import xml_pieces

if TYPE_CHECKING:
    from collections.abc import Iterator

    import gpxpy.gpx

logger = logging.getLogger(__name__)

GPX_VERSIONS = ("1.0", "1.1")
_SPECIAL = frozenset('&<>"')
_ATTRIBUTE_FIELDS = ("link", "creator", "author_link", "copyright_author", "author_email")
_EXTENSION_FIELDS = ("extensions", "metadata_extensions")
_CHILD_LISTS = ("waypoints", "routes", "tracks", "segments", "points")


def gpx_bytes(gpx: gpxpy.gpx.GPX, *, version: str = "1.1") -> bytes:
    """Serialize a document as UTF-8 GPX XML; the document is left unchanged.

    Parameters
    ----------
    gpx
        The document.
    version
        ``"1.1"`` (default) or ``"1.0"``. GPX 1.0 has no extensions, so they
        are left out; GPX 1.1 has no ``speed``/``course``, likewise.

    Returns
    -------
    bytes
        The XML, starting with the XML declaration.

    Raises
    ------
    ValueError
        If ``version`` is not ``"1.0"`` or ``"1.1"``.

    Examples
    --------
    >>> import gpxpy.gpx
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.link = "https://example.org/?a=1&b=2"
    >>> b'href="https://example.org/?a=1&amp;b=2"' in gpx_bytes(doc), doc.version
    (True, None)
    """
    return b"".join(gpx_chunks(gpx, version=version))


def gpx_chunks(gpx: gpxpy.gpx.GPX, *, version: str = "1.1") -> Iterator[bytes]:
    """Yield the UTF-8 GPX XML of a document in pieces of at most a few thousand points.

    The pieces joined are :func:`gpx_bytes`; the document is left unchanged.

    Raises
    ------
    ValueError
        If ``version`` is not ``"1.0"`` or ``"1.1"`` (on the first piece).
    """
    _check_version(version)
    writable = copy.copy(_writable(gpx))
    # to_xml writes into these three: give the copy its own.
    writable.nsmap = dict(gpx.nsmap)
    writable.schema_locations = schema_locations_for(list(gpx.schema_locations), version)
    for piece in xml_pieces(writable, version):
        yield piece.encode("utf-8")


def write_gpx(gpx: gpxpy.gpx.GPX, target: Path | IO[bytes], *, version: str = "1.1") -> int:
    """Write a document to a file or binary stream as GPX, piece by piece; return the bytes written.

    Raises
    ------
    ValueError
        If ``version`` is not ``"1.0"`` or ``"1.1"``.
    OSError
        If the file cannot be written.
    """
    _check_version(version)
    if isinstance(target, Path):
        with target.open("wb") as stream:
            return write_gpx(gpx, stream, version=version)
    size = 0
    for chunk in gpx_chunks(gpx, version=version):
        target.write(chunk)
        size += len(chunk)
    logger.debug("wrote %s (%d bytes, GPX %s)", getattr(target, "name", "a stream"), size, version)
    return size


def _check_version(version: str) -> None:
    if version not in GPX_VERSIONS:
        msg = f"GPX version must be '1.0' or '1.1', got {version!r}"
        raise ValueError(msg)


def schema_locations_for(locations: list[str], version: str) -> list[str]:
    """Point the TopoGrafix entries of ``xsi:schemaLocation`` at ``version``.

    Examples
    --------
    >>> schema_locations_for(["http://www.topografix.com/GPX/1/0",
    ...                       "http://www.topografix.com/GPX/1/0/gpx.xsd"], "1.1")
    ['http://www.topografix.com/GPX/1/1', 'http://www.topografix.com/GPX/1/1/gpx.xsd']
    >>> schema_locations_for([], "1.1")
    []
    """
    other = "1/0" if version == "1.1" else "1/1"
    wanted = version.replace(".", "/")
    stem = "http://www.topografix.com/GPX/"
    return [loc.replace(stem + other, stem + wanted) if loc.startswith(stem) else loc for loc in locations]


def needs_escape(text: str | None) -> bool:
    """Return whether gpxpy would write ``text`` as broken XML.

    Examples
    --------
    >>> needs_escape("Po & Adda"), needs_escape("Po e Adda"), needs_escape(None)
    (True, False, False)
    """
    return bool(text) and not _SPECIAL.isdisjoint(text)  # type: ignore[arg-type]


def escape_attribute(text: str) -> str:
    """Escape text for a double-quoted XML attribute.

    Examples
    --------
    >>> escape_attribute('a="1" & b<2')
    'a=&quot;1&quot; &amp; b&lt;2'
    """
    return escape(text, {'"': "&quot;"})


def _element_needs_escape(element: Any) -> bool:
    for node in element.iter():
        if needs_escape(node.text) or needs_escape(node.tail):
            return True
        if any(needs_escape(value) for value in node.attrib.values()):
            return True
    return False


def _escaped_element(element: Any) -> Any:
    """Return a copy of an extension element with its text pre-escaped for gpxpy."""
    dup = copy.deepcopy(element)
    for node in dup.iter():
        if node.text:
            node.text = escape(node.text)
        if node.tail:
            node.tail = escape(node.tail)
        for key, value in node.attrib.items():
            node.set(key, escape_attribute(value))
    return dup


def _writable(obj: Any) -> Any:
    """Return ``obj``, or a shallow copy whose unsafe strings are escaped."""
    changes: dict[str, Any] = {}
    for name in _ATTRIBUTE_FIELDS:
        value = getattr(obj, name, None)
        if isinstance(value, str) and needs_escape(value):
            changes[name] = escape_attribute(value)
    for name in _EXTENSION_FIELDS:
        elements = getattr(obj, name, None)
        if elements and any(_element_needs_escape(e) for e in elements):
            changes[name] = [_escaped_element(e) for e in elements]
    for name in _CHILD_LISTS:
        items = getattr(obj, name, None)
        if not items:
            continue
        if name == "points":
            new = [_writable(p) if (p.link or p.extensions) else p for p in items]
        else:
            new = [_writable(item) for item in items]
        if any(a is not b for a, b in zip(new, items, strict=True)):
            changes[name] = new
    if not changes:
        return obj
    dup = copy.copy(obj)
    for name, value in changes.items():
        setattr(dup, name, value)
    return dup
