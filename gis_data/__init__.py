"""The data layer: the only package that reads or writes files or the network."""

from gis_data.network import build_network
from gis_data.network import load_network
from gis_data.places import Place
from gis_data.places import resolve_place
from gis_data.places import search_places

__all__ = ["Place", "build_network", "load_network", "resolve_place", "search_places"]
