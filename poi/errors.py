"""Errors raised by the POI package."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from poi.validate import ImportReport


class UnknownCategoryError(ValueError):
    """A text names no POI category."""


class InvalidPoiError(ValueError):
    """A POI record has a bad value (coordinate, opening hours, date...)."""


class ImportRejectedError(ValueError):
    """A registry file has problems; nothing of it was imported."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report
