"""Read untrusted XML documents (GPX, KML) without letting them harm the reader.

Every document is treated as hostile, in the manner of ``defusedxml``:

* it is refused before parsing when it is larger than
  ``gis_data.settings.gpx_max_bytes``;
* lxml parses it with entity expansion, DTD loading and network access
  switched off (no billion laughs, no ``file:///etc/passwd``, no fetching);
* a document that declares a ``DOCTYPE`` at all is refused: neither GPX nor
  KML needs one, and refusing it closes the door on entity tricks;
* callers that walk big documents check a deadline
  (``gis_data.settings.gpx_time_budget_s``) as they go.

Errors name the document and, where lxml knows it, the line.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from lxml import etree

from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidGPXError

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger(__name__)


#: A document of nothing but white space and byte order marks.
_BLANK = re.compile(rb"[ \t\r\n\xef\xbb\xbf]*")
#: Events between two looks at the clock while walking a document.
CLOCK_EVERY = 4096
#: How every untrusted document is parsed: no entities, no DTD, no network, libxml2's size limits.
_SAFE_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


@dataclass(frozen=True, slots=True)
class Deadline:
    """The moment by which reading one document must be over."""

    name: str
    budget_s: float
    ends_at: float

    def check(self, line: int | None = None, *, error: type[ValueError] = InvalidGPXError) -> None:
        """Raise ``error`` if the budget is spent."""
        if time.monotonic() > self.ends_at:
            where = f" (reached line {line})" if line else ""
            msg = (
                f"{self.name}: reading took longer than the {self.budget_s:g} s budget"
                f"{where}; raise gis_data.settings.gpx_time_budget_s to allow it"
            )
            raise error(msg)


def safe_parser() -> etree.XMLParser:
    """Return an lxml parser that expands no entity, loads no DTD and fetches nothing.

    Examples
    --------
    >>> etree.fromstring(b"<gpx><!-- a comment --></gpx>", safe_parser()).text is None
    True
    """
    parser: etree.XMLParser = etree.XMLParser(**_SAFE_OPTIONS)
    return parser


def start_deadline(name: str, budget_s: float | None = None) -> Deadline:
    """Start the clock for reading ``name`` (default budget: ``settings.gpx_time_budget_s``).

    Examples
    --------
    >>> start_deadline("ride.gpx", 5.0).budget_s
    5.0
    """
    budget = settings.gpx_time_budget_s if budget_s is None else float(budget_s)
    return Deadline(name=name, budget_s=budget, ends_at=time.monotonic() + budget)


def check_size(
    size: int,
    name: str,
    max_bytes: int | None = None,
    *,
    error: type[ValueError] = InvalidGPXError,
) -> None:
    """Refuse a document of ``size`` bytes above the limit (default ``settings.gpx_max_bytes``).

    Examples
    --------
    >>> check_size(10, "a.gpx", 100)
    >>> check_size(101, "a.gpx", 100)
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidGPXError: a.gpx: 101 bytes is over the 100-byte limit (gpx_max_bytes)
    """
    limit = settings.gpx_max_bytes if max_bytes is None else int(max_bytes)
    if size > limit:
        msg = f"{name}: {size} bytes is over the {limit}-byte limit (gpx_max_bytes)"
        raise error(msg)


def read_source(
    source: Path | IO[bytes],
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    error: type[ValueError] = InvalidGPXError,
) -> bytes:
    """Read a file or binary stream (e.g. stdin), refusing more than the size limit.

    Parameters
    ----------
    source
        A path, or an open binary stream.
    name
        How to call the document in messages; default the path or ``<stdin>``.
    max_bytes
        Size limit; default ``gis_data.settings.gpx_max_bytes``.
    error
        The error class raised for an oversize document.

    Returns
    -------
    bytes
        The document, at most ``max_bytes`` long.

    Raises
    ------
    DataNotFoundError
        If the path does not exist or is not a file.
    InvalidGPXError
        (or ``error``) if the document is over the limit.
    """
    limit = settings.gpx_max_bytes if max_bytes is None else int(max_bytes)
    if isinstance(source, Path):
        label = name or str(source)
        if not source.is_file():
            msg = f"{label}: no such file"
            raise DataNotFoundError(msg)
        check_size(source.stat().st_size, label, limit, error=error)
        with source.open("rb") as stream:
            data = stream.read(limit + 1)
    else:
        label = name or "<stdin>"
        data = source.read(limit + 1)
    # The file may grow between stat and read, and a stream has no size at all.
    check_size(len(data), label, limit, error=error)
    return data


def syntax_message(name: str, exc: Exception) -> str:
    """Describe an lxml syntax error on one line, naming the document and the line.

    Examples
    --------
    >>> try:
    ...     etree.fromstring(b"<gpx><a></gpx>")
    ... except etree.XMLSyntaxError as exc:
    ...     syntax_message("a.gpx", exc)
    'a.gpx: line 1: not well-formed XML: Opening and ending tag mismatch: a line 1 and gpx'
    """
    text = str(getattr(exc, "msg", None) or exc) or "no element found"
    line = getattr(exc, "lineno", 0) or 0
    # lxml repeats the position at the end of its message; say it once, in front.
    text = text.split(", line ")[0]
    if text in {"no element found", "Document is empty"}:
        return f"{name}: empty document (no XML element)"
    where = f"line {line}: " if line else ""
    return f"{name}: {where}not well-formed XML: {text}"


def refuse_blank(data: bytes, name: str, *, error: type[ValueError] = InvalidGPXError) -> None:
    r"""Raise ``error`` for a document of nothing but white space (or a byte order mark).

    Examples
    --------
    >>> refuse_blank(b"<gpx/>", "a.gpx")
    >>> refuse_blank(b" \n", "a.gpx")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidGPXError: a.gpx: empty document (no XML element)
    """
    # A match, not strip(): stripping a document that ends in a newline copies all of it.
    if _BLANK.fullmatch(data):
        msg = f"{name}: empty document (no XML element)"
        raise error(msg)


def refuse_doctype(root: Any, name: str, *, error: type[ValueError] = InvalidGPXError) -> None:
    """Raise ``error`` if the document of ``root`` declares a DOCTYPE."""
    doctype = root.getroottree().docinfo.doctype
    if doctype:
        msg = (
            f"{name}: document type declarations are not allowed "
            f"({' '.join(doctype.split())[:80]}); refusing possible entity expansion "
            "or external fetch"
        )
        raise error(msg)


#: Bytes handed to the parser at a time by :func:`iter_events`.
CHUNK_BYTES = 1 << 16
#: The pseudo-event :func:`iter_events` yields after each chunk.
FED = "fed"
#: The pseudo-event :func:`iter_events` yields before it raises a syntax error.
BROKEN = "broken"


def iter_events(
    data: bytes,
    name: str,
    *,
    events: tuple[Literal["start", "end"], ...] = ("start", "end"),
    tags: tuple[str, ...] | None = None,
    error: type[ValueError] = InvalidGPXError,
    keep_blank_text: bool = False,
) -> Iterator[tuple[str, Any]]:
    """Yield lxml parse events of an untrusted document, safely, a chunk at a time.

    The document is fed to a pull parser :data:`CHUNK_BYTES` at a time; the
    events of each chunk are yielded, then ``(FED, root)``, so the caller can
    take the finished children out of a big element while it is still being
    parsed (of an open element, every child but the last is complete).
    ``tags`` (e.g. ``("{*}trkseg",)``) limits the events to those elements,
    which makes walking big documents much faster. When no element matches,
    the root is yielded once as an ``"end"`` event, so the caller can say what
    it is. A DOCTYPE is refused at the first event; syntax errors become
    ``error`` with the document's name and line, after the events before them
    and ``(BROKEN, None)``: the parser has stopped, the tree may be changed at will.
    The whitespace between elements (indentation) is dropped unless
    ``keep_blank_text``: big indented documents parse faster and hold fewer
    nodes (libxml2 keeps the whitespace-only content of an element without
    children), but then an element's ``tail`` no longer tells that it was closed.

    Examples
    --------
    >>> [(event, getattr(e, "tag", e)) for event, e in iter_events(b"<gpx><wpt/></gpx>", "a.gpx", events=("end",))]
    [('end', 'wpt'), ('end', 'gpx'), ('fed', None)]
    """
    refuse_blank(data, name, error=error)
    parser = etree.XMLPullParser(events=events, tag=tags, remove_blank_text=not keep_blank_text, **_SAFE_OPTIONS)
    view = memoryview(data)
    first = True
    root = None
    for start in (*range(0, len(data), CHUNK_BYTES), None):
        failure = None
        try:
            if start is None:
                root = parser.close()
            else:
                parser.feed(bytes(view[start : start + CHUNK_BYTES]))
        except etree.XMLSyntaxError as exc:
            failure = exc
        for event, element in parser.read_events():
            if first:
                refuse_doctype(element, name, error=error)
                first = False
            yield event, element
        if failure is not None:
            yield BROKEN, None
            raise error(syntax_message(name, failure)) from failure
        if start is not None:
            yield FED, None
    if first and root is not None:
        refuse_doctype(root, name, error=error)
        yield "end", root


def parse_tree(data: bytes, name: str, *, error: type[ValueError] = InvalidGPXError) -> Any:
    """Parse an untrusted document whole and return its root element.

    For small documents (KML, schema checks); walk big GPX with :func:`iter_events`.
    """
    refuse_blank(data, name, error=error)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise error(syntax_message(name, exc)) from exc
    if root is None:
        msg = f"{name}: empty document (no XML element)"
        raise error(msg)
    refuse_doctype(root, name, error=error)
    return root


def local_name(tag: object) -> str:
    """Return the tag name without its namespace.

    Examples
    --------
    >>> local_name("{http://www.topografix.com/GPX/1/1}trkpt"), local_name("gpx")
    ('trkpt', 'gpx')
    """
    text = str(tag)
    return text.rpartition("}")[2]


def namespace_of(tag: object) -> str | None:
    """Return the namespace URI of a Clark-notation tag, or ``None``.

    Examples
    --------
    >>> namespace_of("{http://www.opengis.net/kml/2.2}kml"), namespace_of("gpx")
    ('http://www.opengis.net/kml/2.2', None)
    """
    text = str(tag)
    return text[1:].partition("}")[0] if text.startswith("{") else None
