from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import shapely

from gis_data import settings
from gis_data.places import normalize_name
from gis_data.poi_sources import EMBEDDED
from gis_data.poi_sources import read_comuni
from poi.embedded import default_pois
from poi.geocode import geocode_street
from poi.geocode import street_index
from poi.geocode import street_of
from poi.model import gdf_to_pois

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx


@pytest.fixture(scope="module")
def embedded(cremona_graph: nx.MultiDiGraph[int]) -> gpd.GeoDataFrame:
    return default_pois(cremona_graph)


def test_every_shipped_data_set_has_its_provenance() -> None:
    for dataset in EMBEDDED.values():
        path = Path(settings.data_folder) / dataset.path
        assert path.is_file(), path
        assert (path.parent / "PROVENANCE.md").is_file()
    assert not (Path(settings.data_folder) / "poi-cremona-city-quiz").exists()


def test_counts_per_source(embedded: gpd.GeoDataFrame) -> None:
    counts = embedded.groupby("source").size().to_dict()
    assert counts == {
        "curated-pois-cremona": 95,
        "railway-stations-cremona": 33,
        "osm-drinking-water": 480,
        "osm-bicycle-parking": 161,
        "osm-toilets": 43,
        "alberi-monumentali": 24,  # one of 25 was removed from the official list
        "town-centres": 219,  # without the "Provincia di Cremona" centroid
    }
    assert embedded["id"].is_unique


def test_every_record_names_source_licence_and_attribution(embedded: gpd.GeoDataFrame) -> None:
    for column in ("source", "licence", "attribution"):
        assert (embedded[column].str.len() > 0).all(), column
    osm = embedded[embedded["source"].str.startswith("osm-")]
    assert (osm["licence"] == "ODbL 1.0").all()
    assert osm["source_url"].str.startswith("https://www.openstreetmap.org/node/").all()


def test_water_taps_are_not_called_drinking_water(embedded: gpd.GeoDataFrame) -> None:
    water = embedded[embedded["source"] == "osm-drinking-water"]
    assert water.groupby("category").size().to_dict() == {"drinking_water": 471, "water_tap": 9}


def test_curated_pois_are_placed_on_their_street_or_not_at_all(
    embedded: gpd.GeoDataFrame, cremona_graph: nx.MultiDiGraph[int]
) -> None:
    curated = embedded[embedded["source"] == "curated-pois-cremona"]
    placed = curated[curated.geometry.notna()]
    assert set(placed["precision"]) == {"street"}
    assert set(curated[curated.geometry.isna()]["precision"]) == {"none"}
    assert {"luthier-davide-sora", "museum-museo-del-violino", "lodging-bb-il-violino"} <= set(placed["id"])
    cremona = read_comuni()["Cremona"]
    index = street_index(cremona_graph)
    for poi in gdf_to_pois(placed):
        assert poi.comune == "Cremona"
        assert poi.latlon is not None
        point = shapely.Point(poi.latlon[1], poi.latlon[0])
        assert cremona.contains(point)
        street = street_of(poi.address)
        assert street is not None
        # On an edge of a street of that name (1e-6 degrees is about 10 cm).
        near = [n for n, lines in index.items() if any(ln.distance(point) < 1e-6 for ln in lines)]
        assert any(set(normalize_name(street).split()) <= set(n.split()) for n in near), poi.id


def test_other_towns_are_never_placed_on_cremona_streets(embedded: gpd.GeoDataFrame) -> None:
    elsewhere = embedded[(embedded["source"] == "curated-pois-cremona") & (embedded["comune"] != "Cremona")]
    assert len(elsewhere) > 30
    assert elsewhere.geometry.isna().all()
    # The Infopoint's square is not in the (road-only) Cremona graph: kept, unplaced.
    infopoint = embedded[embedded["id"] == "infopoint-cremona"].iloc[0]
    assert infopoint.geometry is None
    assert infopoint["address"].startswith("Piazza del Comune")


def test_bike_friendly_lodging_only_where_the_source_says_so(embedded: gpd.GeoDataFrame) -> None:
    friendly = set(embedded[embedded["bike_friendly"] == True]["id"])  # noqa: E712
    assert "lodging-hotel-visconti-cremona" in friendly
    assert set(embedded[embedded["id"].isin(friendly)]["category"]) == {"lodging"}
    assert embedded[embedded["source"] != "curated-pois-cremona"]["bike_friendly"].isna().all()


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("Via Decia 22, 26100 Cremona", "Via Decia"),
        ("Corso Vittorio Emanuele II 52, 26100 Cremona", "Corso Vittorio Emanuele II"),
        ("Via Massarotti 46 d/e, Cremona", "Via Massarotti"),
        ("Piazza del Comune n. 5 - 26100 Cremona", "Piazza del Comune"),
        ("Palazzo tra via Colletta e via Manna, 26100 Cremona", None),
        ("Cà de' Somenzi, Cremona", None),
        ("", None),
    ],
)
def test_street_of(address: str, street: str | None) -> None:
    assert street_of(address) == street


def test_geocode_street_respects_the_comune(cremona_graph: nx.MultiDiGraph[int]) -> None:
    comuni = read_comuni()
    where = geocode_street(cremona_graph, "Via Arisi 3, Cremona", within=comuni["Cremona"])
    assert where is not None
    assert comuni["Cremona"].contains(shapely.Point(where[1], where[0]))
    assert geocode_street(cremona_graph, "Via Arisi 3", within=comuni["Crema"]) is None
    assert geocode_street(cremona_graph, "Via Inesistente 1, Cremona") is None
