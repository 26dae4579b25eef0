"""Load the bicycle graph: build it once from a real input, then load the prepared copy.

The prepared graph is a pickle in :data:`gis_data.settings.cache_folder`, keyed by
the source's path and checked against its size, modification time and SHA-256,
so an edited source is rebuilt and an untouched one loads in milliseconds. It is
written atomically (temporary file + ``os.replace``); a corrupt or stale cache
is rebuilt with a log line, never a crash.

Unpickling thousands of shapely geometries one by one is what made loading
slow, so the file keeps the graph without them plus every edge's vertices in
one NumPy array, and the geometries are rebuilt with one vectorised
``shapely.linestrings`` call. It also keeps the graph's nested-dissection order
(:mod:`gis_data.ordering`), so routing need not compute it again.

Prepared graphs are pickles: load only the ones this program wrote.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

from gis_data import settings
from gis_data.collector import collector_paused
from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.graph_build import graph_from_raw
from gis_data.ordering import contraction_order
from gis_data.ordering import remember_order
from gis_data.readers import is_osm_file
from gis_data.readers import read_graph_geojson
from gis_data.readers import read_osm

logger = logging.getLogger(__name__)

#: Bumped whenever the graph's attributes change, so old caches are rebuilt.
FORMAT_VERSION = 4
PREPARED_SUFFIX = ".cbgraph"
_MAGIC = b"CREMONA-BIKE-GRAPH\n"


@dataclass(frozen=True, slots=True)
class SourceStamp:
    """What identifies the content of a source file."""

    size: int
    mtime_ns: int
    sha256: str


def resolve_source(source: str | os.PathLike[str] | None = None) -> Path:
    """Return the input file to use: the argument, ``$CREMONA_BIKE_DATA`` or the default.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    """
    chosen = source or os.environ.get("CREMONA_BIKE_DATA") or settings.default_network
    path = Path(chosen).expanduser()
    if not path.is_file():
        msg = f"Data source {str(path)!r} does not exist"
        raise DataNotFoundError(msg)
    return path


def build_network(source: str | os.PathLike[str]) -> nx.MultiDiGraph[int]:
    """Build the bicycle graph from a raw OSM extract or a nodes + edges GeoJSON.

    Parameters
    ----------
    source
        Path of an ``.osm.pbf``/``.osm``/``.osm.bz2`` extract or of a ``.geojson``
        graph export.

    Returns
    -------
    networkx.MultiDiGraph
        The bicycle graph (see :mod:`gis_data.graph_build`).

    Raises
    ------
    DataNotFoundError
        If the file is missing or of an unknown kind.
    InvalidDataError
        If the file cannot be read.
    """
    path = resolve_source(source)
    name = path.name.split(".")[0]
    if is_osm_file(path):
        raw = read_osm(path)
    elif path.suffix.lower() in {".geojson", ".json"}:
        raw = read_graph_geojson(path)
    else:
        msg = (
            f"Unknown data format {path.name!r}: expected one of .osm.pbf, .osm, .osm.bz2, "
            f".geojson or a prepared {PREPARED_SUFFIX} graph"
        )
        raise DataNotFoundError(msg)
    return graph_from_raw(raw, name=name, source=str(path))


def load_network(source: str | os.PathLike[str] | None = None) -> nx.MultiDiGraph[int]:
    """Load the prepared bicycle graph of a source, building and caching it if needed.

    Parameters
    ----------
    source
        An input file (see :func:`build_network`), a prepared ``.cbgraph`` file,
        or ``None`` for ``$CREMONA_BIKE_DATA`` or the embedded Cremona city graph.

    Returns
    -------
    networkx.MultiDiGraph
        The bicycle graph.

    Raises
    ------
    DataNotFoundError
        If the source is missing or of an unknown kind.
    InvalidDataError
        If the source cannot be read.
    """
    path = resolve_source(source)
    if path.suffix == PREPARED_SUFFIX:
        G, _ = _read_prepared(path)
        if G is None:
            msg = f"{str(path)!r} is not a prepared graph of this version"
            raise InvalidDataError(msg)
        return G
    cache = prepared_path(path)
    stat = path.stat()
    G, stamp = _read_prepared(cache) if cache.exists() else (None, None)
    if G is not None and stamp is not None:
        if (stamp.size, stamp.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            return G
        if stamp.sha256 == _sha256(path):
            return G
        logger.info("Source %s changed since it was prepared; rebuilding", path)
    started = time.perf_counter()
    G = build_network(path)
    logger.info("Built %s in %.2f s", path.name, time.perf_counter() - started)
    save_prepared(G, cache, SourceStamp(stat.st_size, stat.st_mtime_ns, _sha256(path)))
    return G


def prepared_path(source: Path) -> Path:
    """Return where the prepared graph of a source is cached.

    Examples
    --------
    >>> prepared_path(Path("/data/x.osm.pbf")).name.startswith("x.osm.pbf-")
    True
    """
    key = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:12]
    return Path(settings.cache_folder) / f"{source.name}-{key}{PREPARED_SUFFIX}"


def save_prepared(G: nx.MultiDiGraph[int], path: Path, stamp: SourceStamp | None = None) -> None:
    """Write a prepared graph atomically (a reader sees the old file or the new one).

    Parameters
    ----------
    G
        The graph.
    path
        The ``.cbgraph`` file to write.
    stamp
        What identifies the source the graph was built from.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"format": FORMAT_VERSION, "stamp": stamp}
    bare: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    bare.graph = G.graph
    bare.add_nodes_from(G.nodes(data=True))
    geoms = []
    for u, v, k, data in G.edges(keys=True, data=True):
        geoms.append(data["geometry"])
        bare.add_edge(u, v, k, **{name: value for name, value in data.items() if name != "geometry"})
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    counts = np.bincount(owner, minlength=len(geoms)).astype(np.int32)
    order = contraction_order(G)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC)
            pickle.dump((header, bare, coords, counts, order), fh, protocol=5)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info("Wrote prepared graph %s", path)


def _read_prepared(path: Path) -> tuple[nx.MultiDiGraph[int] | None, SourceStamp | None]:
    """Read a prepared graph, or return ``(None, None)`` when it is corrupt or outdated."""
    try:
        # The loader makes ~100k containers: no collection while it runs.
        with collector_paused(), path.open("rb") as fh:
            if fh.read(len(_MAGIC)) != _MAGIC:
                raise ValueError("bad magic")
            content = pickle.load(fh)
            info: dict[str, Any] = content[0]
            if info.get("format") != FORMAT_VERSION or not isinstance(content[1], nx.MultiDiGraph):
                logger.warning("Prepared graph %s is of another format; rebuilding", path)
                return None, None
            G = _with_geometries(*content[1:])
    except (
        OSError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        pickle.UnpicklingError,
        shapely.errors.ShapelyError,
    ) as exc:
        logger.warning("Prepared graph %s is unreadable (%s); rebuilding", path, exc)
        return None, None
    stamp = info.get("stamp")
    return G, stamp if isinstance(stamp, SourceStamp) else None


def _with_geometries(G: nx.MultiDiGraph[int], coords: Any, counts: Any, order: Any) -> nx.MultiDiGraph[int]:
    """Give every edge of a graph just read its LineString, built from the stored vertices."""
    if int(np.sum(counts)) != len(coords):
        raise ValueError("edge vertices do not match the edges")
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(counts)), counts)).tolist()
    # One line per edge, or zip raises ValueError (a graph of another count of edges is rebuilt).
    for (_, _, data), line in zip(G.edges(data=True), lines, strict=True):
        data["geometry"] = line
    remember_order(G, np.asarray(order, dtype=np.int64))
    return G


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
