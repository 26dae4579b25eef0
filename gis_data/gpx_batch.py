"""Batch export for tour operators: a folder of tracks in, device-ready GPX files out.

Every GPX, KML or GeoJSON file of the input folder is read with the hardened
importers and written once per device preset (:data:`gis_data.gpx_export.PRESETS`)
under a name made from a template such as ``"{stem}-{preset}.gpx"``. A file
that cannot be read or exported is reported in its rows and the others are
still written; :func:`write_summary_csv` records what happened to each.
"""

from __future__ import annotations

import csv
import logging
import string
from dataclasses import astuple
from dataclasses import dataclass
from dataclasses import fields
from typing import TYPE_CHECKING

from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.errors import InvalidGPXError
from gis_data.gpx_export import PRESETS
from gis_data.gpx_export import apply_preset
from gis_data.gpx_formats import SUFFIXES
from gis_data.gpx_formats import load_document
from gis_data.gpx_model import route_point_count
from gis_data.gpx_model import track_point_count
from gis_data.gpx_write import gpx_bytes
from gis_data.safe_xml import read_source

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import gpxpy.gpx

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = frozenset({"stem", "preset", "n"})
DEFAULT_TEMPLATE = "{stem}-{preset}.gpx"
#: Errors that mean "this one file is bad": reported, and the batch goes on.
FILE_ERRORS = (InvalidGPXError, InvalidDataError, DataNotFoundError, OSError)


@dataclass(frozen=True, slots=True)
class BatchRow:
    """What happened to one input file for one preset."""

    source: str
    preset: str
    status: str
    output: str
    track_points: int
    route_points: int
    waypoints: int
    bytes: int
    message: str


def output_name(template: str, *, stem: str, preset: str, n: int = 1) -> str:
    """Fill a naming template; the result must be a plain file name.

    Fields: ``{stem}`` (input name without extension), ``{preset}`` and ``{n}``
    (the input's number in the batch, from 1; format specs such as ``{n:03d}``
    work).

    Raises
    ------
    ValueError
        If the template uses another field, or gives a path or an empty name.

    Examples
    --------
    >>> output_name("{stem}-{preset}.gpx", stem="po-day1", preset="phone")
    'po-day1-phone.gpx'
    >>> output_name("{n:02d}_{stem}.gpx", stem="adda", preset="phone", n=3)
    '03_adda.gpx'
    """
    used = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    unknown = used - TEMPLATE_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        msg = f"unknown field {{{field}}} in template {template!r}: use {{stem}}, {{preset}}, {{n}}"
        raise ValueError(msg)
    name = template.format(stem=stem, preset=preset, n=n)
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\0" in name:
        msg = f"template {template!r} gives {name!r}, which is not a plain file name"
        raise ValueError(msg)
    return name


def input_files(folder: Path) -> list[Path]:
    """Return the GPX, KML and GeoJSON files of a folder (not recursive), sorted by name."""
    if not folder.is_dir():
        msg = f"{folder}: no such folder"
        raise DataNotFoundError(msg)
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def batch_export(
    in_dir: Path,
    out_dir: Path,
    *,
    presets: Sequence[str],
    template: str = DEFAULT_TEMPLATE,
    version: str = "1.1",
) -> tuple[BatchRow, ...]:
    """Export every track file of ``in_dir`` for each preset into ``out_dir``.

    Parameters
    ----------
    in_dir, out_dir
        Input and output folders; ``out_dir`` is created if needed.
    presets
        Names from :data:`gis_data.gpx_export.PRESETS`.
    template
        Output file name template (see :func:`output_name`).
    version
        GPX version written.

    Returns
    -------
    tuple of BatchRow
        One row per input file and preset, status ``written``, ``skipped``
        (nothing to write) or ``error``.

    Raises
    ------
    ValueError
        If a preset is unknown, or the template is bad or gives two presets the
        same file name.
    DataNotFoundError
        If ``in_dir`` is not a folder.
    """
    unknown = [p for p in presets if p not in PRESETS]
    if unknown or not presets:
        msg = f"unknown preset {unknown[0]!r}" if unknown else "no preset given"
        raise ValueError(f"{msg}: use {', '.join(PRESETS)}")
    names = {output_name(template, stem="x", preset=p) for p in presets}
    if len(names) < len(presets):
        msg = f"template {template!r} gives every preset the same file name: add {{preset}}"
        raise ValueError(msg)
    sources = input_files(in_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[BatchRow] = []
    for n, source in enumerate(sources, start=1):
        try:
            data = read_source(source)
            gpx = load_document(data, name=source.name, fmt=SUFFIXES[source.suffix.lower()])
        except FILE_ERRORS as exc:
            logger.info("%s", exc)
            rows.extend(BatchRow(source.name, p, "error", "", 0, 0, 0, 0, str(exc)) for p in presets)
            continue
        for preset in presets:
            target = out_dir / output_name(template, stem=source.stem, preset=preset, n=n)
            rows.append(_export_one(gpx, source, preset, target, version))
    return tuple(rows)


def _export_one(gpx: gpxpy.gpx.GPX, source: Path, preset: str, target: Path, version: str) -> BatchRow:
    try:
        if target.resolve() == source.resolve():
            msg = f"{target}: would overwrite its own input"
            raise InvalidDataError(msg)
        out = apply_preset(gpx, PRESETS[preset])
        counts = track_point_count(out), route_point_count(out), len(out.waypoints)
        if not any(counts):
            return BatchRow(
                source.name,
                preset,
                "skipped",
                "",
                0,
                0,
                0,
                0,
                f"nothing for {preset}: no track, route or waypoint",
            )
        data = gpx_bytes(out, version=version)
        target.write_bytes(data)
    except FILE_ERRORS as exc:
        logger.info("%s (%s): %s", source.name, preset, exc)
        return BatchRow(source.name, preset, "error", "", 0, 0, 0, 0, str(exc))
    return BatchRow(source.name, preset, "written", str(target), *counts, len(data), "")


def write_summary_csv(rows: Sequence[BatchRow], path: Path) -> None:
    """Write the batch rows as CSV with a header line (UTF-8)."""
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([f.name for f in fields(BatchRow)])
        writer.writerows(astuple(row) for row in rows)
