"""The route planner's web front end: a Flask app built by :func:`create_app`.

Shaped like flaskr: ``create_app`` loads the defaults, overlays the instance
``config.py`` and ``FLASK_<KEY>`` environment variables (values parsed as JSON,
e.g. ``FLASK_TILES=null``), or else the test configuration, sets up the graph resource
(:func:`web.graph.init_app`), the error handlers (:func:`web.errors.init_app`)
and registers the ``planner`` blueprint. Serve it with
``gunicorn "web:create_app()"``.

Configuration keys
------------------
DATA : str or None
    Graph source passed to :func:`gis_data.network.load_network`; ``None`` uses
    ``$CREMONA_BIKE_DATA`` or the embedded Cremona city graph.
TILES : str or None
    Folium tile layer of the maps (default ``"OpenStreetMap"``, fetched from the
    internet when there is one); ``None`` draws the route on a blank background.
SNAP_LIMIT_M : float or None
    Farthest a requested point may be from the network, in metres; ``None``
    uses ``gis_data.settings.snap_limit_m``.
MAX_VIA : int
    Most via points a request may name (default 10).
MAX_PLACE_LENGTH : int
    Longest accepted place text, in characters (default 200).
MAX_CONTENT_LENGTH : int
    Largest request body Flask accepts, in bytes (default 64 KiB; the planner
    only answers GET requests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask import Flask

from web import errors
from web import graph
from web import views

if TYPE_CHECKING:
    from collections.abc import Mapping


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the planner app.

    Parameters
    ----------
    test_config
        Settings that replace the instance ``config.py`` and the ``FLASK_*``
        environment variables, e.g. ``{"TESTING": True, "TILES": None}``.

    Returns
    -------
    flask.Flask
        The configured app; the graph is loaded on the first request that needs it.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATA=None,
        TILES="OpenStreetMap",
        SNAP_LIMIT_M=None,
        MAX_VIA=10,
        MAX_PLACE_LENGTH=200,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)

    graph.init_app(app)
    errors.init_app(app)
    app.register_blueprint(views.bp)
    return app
