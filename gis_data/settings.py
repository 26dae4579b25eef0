"""Data defaults for the planner, read by the code each time it is called.

Module globals, in the manner of ``osmnx.settings``. Change them at run time
(``gis_data.settings.snap_limit_m = 500``) or, in tests, with
``monkeypatch.setattr``. Code reads ``settings.<name>`` when it runs and never
copies a value at import time.

Attributes
----------
data_folder : pathlib.Path
    Folder of the embedded real data sets (each with its ``PROVENANCE.md``).
    Default: the ``data`` folder inside this package.
default_network : pathlib.Path
    Source of the bicycle graph used when no other is named: the OSM road graph
    of the city of Cremona shipped in ``data_folder``. The environment variable
    ``CREMONA_BIKE_DATA`` overrides it.
cache_folder : pathlib.Path
    Where prepared graphs are cached. Default: ``gis_data/cache`` (git-ignored),
    or ``$CREMONA_BIKE_CACHE`` when set.
snap_limit_m : float
    Farthest a requested point may lie from the network, in metres. Default 1000.
attribution : str
    Attribution line for OpenStreetMap-derived output.
poi_store : pathlib.Path
    GeoJSON file holding the curated POIs imported with ``cremona-bike poi
    import`` (Infopoint registries and the like), rewritten atomically on each
    import. Default: ``$CREMONA_BIKE_POI_STORE``, else
    ``$XDG_DATA_HOME/cremona-bike/poi_store.geojson`` (``~/.local/share`` when
    ``XDG_DATA_HOME`` is unset): user data, not a cache, so it survives
    ``make clean``.
events_store : pathlib.Path
    CSV file of the events imported with ``cremona-bike events import``, rewritten
    atomically on each import. Default: ``$CREMONA_BIKE_EVENTS_STORE``, else
    ``events_store.csv`` beside ``poi_store``.
gpx_max_bytes : int
    Largest GPX, KML or GeoJSON document the importers accept, in bytes; a
    bigger one is refused before it is parsed. Default 20 MiB (20 * 1024 * 1024).
gpx_time_budget_s : float
    Longest the GPX importer may spend on one document, in seconds; a slower
    one is refused. Default 10.
import_max_bytes : int
    Largest POI registry (CSV or GeoJSON) or closures file the importers
    accept, in bytes; a bigger one is refused before it is parsed. Default
    20 MiB (20 * 1024 * 1024).
import_max_records : int
    Most records (CSV rows or GeoJSON features) in one POI registry or events
    file; a registry with more is refused. Default 100 000.
"""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent

data_folder: Path = _HERE / "data"
default_network: Path = data_folder / "osm-roads-cremona-city" / "graph_cremona_large.geojson"
cache_folder: Path = Path(os.environ.get("CREMONA_BIKE_CACHE", _HERE / "cache"))
snap_limit_m: float = 1000.0
attribution: str = "© OpenStreetMap contributors (ODbL 1.0)"
poi_store: Path = Path(
    os.environ.get("CREMONA_BIKE_POI_STORE")
    or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "cremona-bike" / "poi_store.geojson"
)
events_store: Path = Path(os.environ.get("CREMONA_BIKE_EVENTS_STORE") or Path(poi_store).with_name("events_store.csv"))
gpx_max_bytes: int = 20 * 1024 * 1024
gpx_time_budget_s: float = 10.0
import_max_bytes: int = 20 * 1024 * 1024
import_max_records: int = 100_000
