"""Errors raised while planning routes."""

from __future__ import annotations


class NoRouteError(LookupError):
    """No bicycle route joins the requested points."""

    def __init__(
        self, message: str, start: tuple[float, float] | None = None, end: tuple[float, float] | None = None
    ) -> None:
        super().__init__(message)
        self.start = start
        self.end = end


class PointOffNetworkError(ValueError):
    """A requested point lies farther from the bicycle network than allowed."""

    def __init__(self, message: str, point: tuple[float, float], distance_m: float) -> None:
        super().__init__(message)
        self.point = point
        self.distance_m = distance_m


class InvalidPointError(ValueError):
    """A requested point is not a finite WGS84 latitude/longitude pair."""


class ProfileError(ValueError):
    """A bicycle profile name, file or setting is not valid."""


class ItineraryFormatError(ValueError):
    """A saved itinerary is not of a format or version this program reads."""


class LanguageError(ValueError):
    """A language is not one the cue sheets and printed sheets are written in."""
