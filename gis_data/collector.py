"""Pause Python's cyclic garbage collector while a big structure is built.

Building a GPX document's points or loading a prepared graph makes some
hundred thousand containers that all stay alive and form no cycle; the
collector would scan them all, several times, for nothing (doubling the time
of a big file).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration; leave it as it was after.

    Examples
    --------
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
