"""Shared fixtures: real graphs built once per session, in a private cache folder."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gis_data import settings
from gis_data.network import load_network

if TYPE_CHECKING:
    from collections.abc import Iterator

    import networkx as nx

DATA = Path(__file__).parent / "data"
LIECHTENSTEIN = DATA / "osm-samples" / "liechtenstein.osm.pbf"
ANDORRA = DATA / "osm-samples" / "andorra.osm.pbf"
CREMONA_CENTRE = DATA / "graph_cremona_centre.geojson"
GPX_SCHEMA = DATA / "gpx-schema" / "gpx-1.1.xsd"


@contextmanager
def empty_user_stores(folder: Path) -> Iterator[None]:
    """Point the user's POI and event stores at an empty folder: only the curated data is read."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "events_store", folder / "events_store.csv")
        mp.setattr(settings, "poi_store", folder / "poi_store.geojson")
        yield


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep prepared graphs of the test run out of the working tree."""
    old = settings.cache_folder
    settings.cache_folder = tmp_path_factory.mktemp("cache")
    yield
    settings.cache_folder = old


@pytest.fixture(scope="session")
def cremona_graph() -> nx.MultiDiGraph[int]:
    """The embedded default: the real OSM road graph of the city of Cremona."""
    return load_network(settings.default_network)


@pytest.fixture(scope="session")
def liechtenstein_graph() -> nx.MultiDiGraph[int]:
    """The real Liechtenstein extract, with its 15 bicycle route relations."""
    return load_network(LIECHTENSTEIN)


@pytest.fixture(scope="session")
def centre_graph() -> nx.MultiDiGraph[int]:
    """The historic centre of Cremona (307 nodes): small and real."""
    return load_network(CREMONA_CENTRE)
