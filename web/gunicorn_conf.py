"""Production settings for gunicorn: ``gunicorn -c python:web.gunicorn_conf "web:create_app()"``.

The app is created once in the master process with its graph and POIs loaded
(``preload_app`` and ``FLASK_PRELOAD=true``), and the workers are forked from
it: they start answering at once, and they share the loaded arrays and library
code with the master page by page (copy-on-write) instead of each holding its
own copy. Objects that exist at fork time are frozen out of the garbage
collector (:func:`gc.freeze`), whose sweeps would otherwise write to, and so
unshare, every page holding a Python object. The plan database and any
background thread are opened by each worker on first use, never in the master.

Everything else stays on the command line (``--bind``, ``--workers``), as in
the Makefile.
"""

from __future__ import annotations

import gc
import os
from typing import Any

preload_app = True
os.environ.setdefault("FLASK_PRELOAD", "true")


def when_ready(server: Any) -> None:
    """Freeze the preloaded objects just before the workers are forked."""
    gc.collect()
    gc.freeze()
