"""Usage counts gathered in memory and written to the database in the background.

A visitor's request only adds to an in-process :class:`collections.Counter`
under a lock (microseconds); a daemon thread writes what was gathered with one
UPSERT transaction (:func:`gis_data.usage_store.increment`) every few seconds,
and once more when the process exits. A failed write is logged and its counts
are kept for the next try, so a database outage never reaches a visitor and
loses nothing but what a killed process still held. The counters are bounded:
months times a closed set of values, never one entry per visit.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter
from typing import TYPE_CHECKING

from gis_data.usage_store import increment

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable

    import sqlalchemy as sa

    from gis_data.usage_store import UsageKey

logger = logging.getLogger(__name__)

#: Default seconds between two background writes.
FLUSH_INTERVAL_S = 5.0


class UsageBuffer:
    """Counts waiting to be written, and the thread that writes them.

    Parameters
    ----------
    engine
        Returns the database to write to (called at each write, so that it can
        be opened lazily).
    interval_s
        Seconds between two background writes.
    background
        Whether to write in a background thread and at exit; without it (tests)
        counts are written only by :meth:`flush`.
    """

    def __init__(
        self, engine: Callable[[], sa.Engine], *, interval_s: float = FLUSH_INTERVAL_S, background: bool = True
    ) -> None:
        if not interval_s > 0:
            msg = f"The usage flush interval must be positive, got {interval_s!r}"
            raise ValueError(msg)
        self._engine = engine
        self.interval_s = float(interval_s)
        self.background = background
        self._pending: Counter[UsageKey] = Counter()
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def add(self, keys: Iterable[UsageKey]) -> None:
        """Count each key once more; starts the writer thread of this process if needed."""
        with self._lock:
            self._pending.update(keys)
        # First use in this process: a worker forked from a preloaded master inherits no thread.
        if self.background and self._pid != os.getpid():
            self.start()

    def pending(self) -> dict[UsageKey, int]:
        """Return a copy of the counts not written yet."""
        with self._lock:
            return dict(self._pending)

    def flush(self) -> int:
        """Write the gathered counts now, in one transaction.

        Returns
        -------
        int
            How many counters were written; 0 when there was nothing to write or
            the write failed (the counts are then kept for the next try).
        """
        with self._writing:
            with self._lock:
                taken, self._pending = self._pending, Counter()
            if not taken:
                return 0
            try:
                return increment(self._engine(), taken)
            except Exception:
                # Anything from the driver or the pool: keep the counts, never raise into a request or exit.
                logger.exception("Could not write %d usage counters; keeping them for the next try", len(taken))
                with self._lock:
                    self._pending.update(taken)
                return 0

    def start(self) -> None:
        """Start the background writer of this process (once) and write the rest at exit."""
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="usage-flush", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

    def stop(self) -> None:
        """Stop the background writer and write what is left."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.interval_s + 5)
        self.flush()
        with self._lock:
            self._pid = 0
            self._thread = None
        atexit.unregister(self.flush)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.flush()
