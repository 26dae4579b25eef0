"""The registry of the province's named cycle routes with their public figures (a CSV we ship)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gis_data import settings
from gis_data.errors import InvalidDataError

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class RegisteredRoute:
    """A named cycle route of the province as the public sources describe it."""

    id: str
    name: str
    patterns: tuple[str, ...]
    network: str
    ref: str
    official_km: float | None
    official_km_scope: str
    sources: str


def read_route_registry(path: Path | None = None) -> list[RegisteredRoute]:
    """Read the registry CSV (default: the one shipped in ``settings.data_folder``).

    Raises
    ------
    InvalidDataError
        Naming the line and the bad value.
    """
    path = path or settings.data_folder / "cycle-routes-cremona" / "registry.csv"
    routes = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            km = (row.get("official_km") or "").strip()
            try:
                official = float(km) if km else None
            except ValueError as exc:
                msg = f"{path.name} line {line}: official_km {km!r} is not a number"
                raise InvalidDataError(msg) from exc
            routes.append(
                RegisteredRoute(
                    id=row["id"],
                    name=row["name"],
                    patterns=tuple(p.strip().casefold() for p in row["patterns"].split("|") if p.strip()),
                    network=row["network"],
                    ref=row["ref"],
                    official_km=official,
                    official_km_scope=row["official_km_scope"],
                    sources=row["sources"],
                )
            )
    return routes
