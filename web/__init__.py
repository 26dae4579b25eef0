"""The route planner's web front end: a Flask app built by :func:`create_app`.

Shaped like flaskr: ``create_app`` loads the defaults, overlays the instance
``config.py`` and ``FLASK_<KEY>`` environment variables (values parsed as JSON,
e.g. ``FLASK_TILES=null``), or else the test configuration, sets up the app's
resources (graph, POIs, plan database: each loaded on first use), the
languages, the error handlers, and registers the ``planner`` (pages) and
``api`` blueprints. Serve it with ``gunicorn "web:create_app()"``; workers share
nothing but the plan database.

Configuration keys
------------------
DATA : str or None
    Graph source passed to :func:`gis_data.network.load_network`; ``None`` uses
    ``$CREMONA_BIKE_DATA`` or the embedded Cremona city graph.
PRELOAD : bool
    Load the graph while the app is created instead of on first use
    (``gunicorn -c python:web.gunicorn_conf`` sets it, so the workers fork
    with the graph loaded and share it).
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
    Largest request body Flask accepts, in bytes (default 64 KiB; the posted
    plans are small JSON objects).
DATABASE_URL : str or None
    Where saved plans live: ``sqlite:///path/plans.sqlite`` or
    ``postgresql://user:password@host:5432/dbname`` (psycopg 3). ``None`` (the
    default) uses ``plans.sqlite`` in the instance folder. Set it with
    ``FLASK_DATABASE_URL``.
LANGUAGES : list of str
    Interface languages, the default first (``["it", "en"]``).
CONTENT_CHECK_S : float
    Seconds between two looks at the content staff publish (default 5; see
    :mod:`web.content`).
SECRET_KEY, COOKIE_SECURE, STAFF_SESSION_HOURS
    Staff sign-in sessions: see :mod:`web.auth`.
INDICATORS_FLUSH_S : float
    Seconds between two writes of the usage counts (default 5; see
    :mod:`web.indicators`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask import Flask

from web import api
from web import auth
from web import content
from web import curation
from web import errors
from web import graph
from web import i18n
from web import indicators
from web import open_data
from web import plans
from web import pois
from web import security
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
        PRELOAD=False,
        TILES="OpenStreetMap",
        SNAP_LIMIT_M=None,
        MAX_VIA=10,
        MAX_PLACE_LENGTH=200,
        MAX_CONTENT_LENGTH=64 * 1024,
        DATABASE_URL=None,
        LANGUAGES=list(i18n.LANGUAGES),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)

    graph.init_app(app)
    pois.init_app(app)
    content.init_app(app)
    plans.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(open_data.bp)
    auth.init_app(app)
    app.register_blueprint(curation.bp)
    indicators.init_app(app)
    return app
