"""The bicycle graph as an app resource, loaded once per app (flaskr's ``get_db``).

A database connection lives for one request; the graph is read-only and costly
to load, so it lives as long as the app: it is kept in ``app.extensions`` and
shared by every request and thread.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from flask import current_app

from gis_data.network import load_network
from routing.profiles import DEFAULT_PROFILE
from routing.profiles import get_profile
from routing.snapping import edge_index
from routing.weighting import search_index

if TYPE_CHECKING:
    import networkx as nx
    from flask import Flask

EXTENSION = "cremona_bike.graph"


class _GraphSlot:
    """The app's graph, once loaded, and the lock that makes it load once."""

    __slots__ = ("graph", "lock")

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph[int] | None = None
        self.lock = threading.Lock()


def get_graph() -> nx.MultiDiGraph[int]:
    """Return the current app's bicycle graph, loading it on first use.

    Returns
    -------
    networkx.MultiDiGraph
        The graph of ``app.config["DATA"]`` (see :func:`gis_data.network.load_network`).

    Raises
    ------
    gis_data.errors.DataNotFoundError
        If the configured source does not exist.
    gis_data.errors.InvalidDataError
        If it cannot be read.
    """
    slot: _GraphSlot = current_app.extensions[EXTENSION]
    if slot.graph is None:
        # Threaded servers: the first requests must not each load their own copy.
        with slot.lock:
            if slot.graph is None:
                started = time.perf_counter()
                G = load_network(current_app.config["DATA"])
                current_app.logger.info(
                    "Loaded graph %r (%d nodes, %d edges) in %.2f s",
                    G.graph.get("name"),
                    G.number_of_nodes(),
                    G.number_of_edges(),
                    time.perf_counter() - started,
                )
                # Build the snapping index and the default profile's search index now, so the
                # first visitor does not wait for them (about 0.1-0.3 s).
                edge_index(G)
                search_index(G, get_profile(DEFAULT_PROFILE))
                slot.graph = G
    return slot.graph


def init_app(app: Flask) -> None:
    """Give an app its graph slot, loaded on first use (or now, when ``PRELOAD`` is set).

    Parameters
    ----------
    app
        The app being created.
    """
    app.extensions[EXTENSION] = _GraphSlot()
    if app.config.get("PRELOAD"):
        with app.app_context():
            get_graph()
