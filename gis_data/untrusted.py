"""Read small untrusted text files (JSON, TOML, CSV, iCalendar) within a size limit.

The XML importers have :mod:`gis_data.safe_xml`; this is its counterpart for
the other formats people hand to the planner: registries, closures, profiles,
events and saved itineraries. A reader here

* refuses anything that is not a regular file (a FIFO or ``/dev/zero`` has no
  end), and reads at most ``max_bytes + 1`` bytes, whatever ``stat`` says;
* decodes strict UTF-8 (a byte order mark is allowed) and names the offset of
  the first bad byte;
* turns every way a JSON parser can fail on hostile input, including the
  ``RecursionError`` of ``[[[[...]]]]`` nested 100 000 deep, into one error.

Errors name the file, as the other importers' do.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING
from typing import Any

from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)


def read_limited(
    path: Path,
    *,
    max_bytes: int | None = None,
    error: type[ValueError] = InvalidDataError,
) -> bytes:
    """Return the bytes of a regular file, refusing one over the limit.

    Parameters
    ----------
    path
        The file.
    max_bytes
        Largest size accepted; default ``gis_data.settings.import_max_bytes``.
    error
        The error class raised for an oversize file.

    Raises
    ------
    DataNotFoundError
        If the path does not exist or is not a regular file.
    InvalidDataError
        (or ``error``) if the file is over the limit or cannot be read.
    """
    limit = settings.import_max_bytes if max_bytes is None else int(max_bytes)
    if not path.is_file():
        msg = f"{str(path)!r} does not exist or is not a regular file"
        raise DataNotFoundError(msg)
    try:
        size = path.stat().st_size
        if size <= limit:
            with path.open("rb") as stream:
                data = stream.read(limit + 1)
            size = len(data)
    except OSError as exc:
        msg = f"Cannot read {str(path)!r}: {exc.strerror or exc}"
        raise InvalidDataError(msg) from exc
    # The file may grow between stat and read: the read itself is bounded too.
    if size > limit:
        msg = f"{str(path)!r} is {size} bytes, over the {limit}-byte limit"
        raise error(msg)
    return data


def decode_utf8(data: bytes, name: str, *, error: type[ValueError] = InvalidDataError) -> str:
    r"""Decode UTF-8 text (a byte order mark is dropped), naming the first bad byte.

    Examples
    --------
    >>> decode_utf8(b"\xef\xbb\xbfCrema", "a.csv")
    'Crema'
    >>> decode_utf8(b"Crem\xe0", "a.csv")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidDataError: 'a.csv' is not UTF-8 text: byte 0xe0 at offset 4
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{name!r} is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        raise error(msg) from None


def read_text(path: Path, *, max_bytes: int | None = None, error: type[ValueError] = InvalidDataError) -> str:
    """Return a regular UTF-8 text file within the size limit; see :func:`read_limited`."""
    return decode_utf8(read_limited(path, max_bytes=max_bytes, error=error), str(path), error=error)


def loads_json(text: str | bytes, name: str, *, error: type[ValueError] = InvalidDataError) -> Any:
    """Parse JSON from an untrusted source: any failure is ``error``, naming the document.

    Examples
    --------
    >>> loads_json('{"a": [1]}', "a.json")
    {'a': [1]}
    >>> loads_json("[" * 100_000, "deep.json")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidDataError: 'deep.json' is not valid JSON: nested too deeply
    """
    try:
        return json.loads(text)
    except RecursionError:
        msg = f"{name!r} is not valid JSON: nested too deeply"
        raise error(msg) from None
    except ValueError as exc:
        msg = f"{name!r} is not valid JSON: {exc}"
        raise error(msg) from exc


def read_json(path: Path, *, max_bytes: int | None = None, error: type[ValueError] = InvalidDataError) -> Any:
    """Read a JSON file within the size limit; every failure is ``error`` (or :class:`DataNotFoundError`)."""
    return loads_json(read_text(path, max_bytes=max_bytes, error=error), str(path), error=error)
