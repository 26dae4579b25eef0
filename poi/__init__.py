"""Points of interest: categories, the embedded real data sets, registries and route queries."""

from poi.categories import CATEGORIES
from poi.categories import category_of
from poi.embedded import default_pois
from poi.export import attributions
from poi.export import pois_to_csv
from poi.export import pois_to_geojson
from poi.export import pois_to_gpx
from poi.model import Poi
from poi.model import gdf_to_pois
from poi.model import pois_to_gdf
from poi.registry import import_registry
from poi.registry import load_store
from poi.search import pois_along
from poi.search import pois_near
from poi.validate import ImportReport

__all__ = [
    "CATEGORIES",
    "ImportReport",
    "Poi",
    "attributions",
    "category_of",
    "default_pois",
    "gdf_to_pois",
    "import_registry",
    "load_store",
    "pois_along",
    "pois_near",
    "pois_to_csv",
    "pois_to_gdf",
    "pois_to_geojson",
    "pois_to_gpx",
]
