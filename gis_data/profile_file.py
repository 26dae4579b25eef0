"""Read a user's bicycle profile file (TOML); the routing layer checks its contents."""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING
from typing import Any

from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.untrusted import read_text

if TYPE_CHECKING:
    from pathlib import Path

#: Largest profile file accepted, in bytes (a profile is a few lines).
MAX_PROFILE_BYTES = 64 * 1024


def read_profile_file(path: Path) -> dict[str, Any]:
    """Parse a TOML profile file into a mapping.

    Parameters
    ----------
    path
        A ``.toml`` file, e.g. ``base = "touring"`` / ``speed_kmh = 14`` /
        ``[road_factor]`` ``primary = 5``.

    Returns
    -------
    dict
        The parsed table, for :func:`routing.profiles.profile_from_dict`.

    Raises
    ------
    InvalidDataError
        If the file is missing, too large, not UTF-8 or not valid TOML (with the line).
    """
    try:
        text = read_text(path, max_bytes=MAX_PROFILE_BYTES)
    except (InvalidDataError, DataNotFoundError) as exc:
        msg = f"Cannot read profile file: {exc}"
        raise InvalidDataError(msg) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"Profile file {str(path)!r} is not valid TOML: {exc}"
        raise InvalidDataError(msg) from exc
    except RecursionError:
        msg = f"Profile file {str(path)!r} is not valid TOML: nested too deeply"
        raise InvalidDataError(msg) from None
