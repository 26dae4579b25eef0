"""Read a user's bicycle profile file (TOML); the routing layer checks its contents."""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING
from typing import Any

from gis_data.errors import InvalidDataError

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
        If the file is missing, too large or not valid TOML (with the line).
    """
    try:
        size = path.stat().st_size
        if size > MAX_PROFILE_BYTES:
            msg = f"Profile file {str(path)!r} is {size} bytes; the limit is {MAX_PROFILE_BYTES}"
            raise InvalidDataError(msg)
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        msg = f"Profile file {str(path)!r} is not valid TOML: {exc}"
        raise InvalidDataError(msg) from exc
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"Cannot read profile file {str(path)!r}: {exc}"
        raise InvalidDataError(msg) from exc
