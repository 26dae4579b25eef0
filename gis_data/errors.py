"""Errors raised by the data layer."""

from __future__ import annotations


class DataNotFoundError(FileNotFoundError):
    """A data source does not exist or has an unknown format."""


class InvalidDataError(ValueError):
    """A data source exists but cannot be read as what it claims to be."""


class PlaceNotFoundError(LookupError):
    """A place name or coordinate string cannot be resolved."""

    def __init__(self, message: str, query: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.query = query
        self.suggestions = suggestions


class InvalidGPXError(ValueError):
    """A GPX document is malformed, hostile or not GPX at all."""


class DownloadError(ConnectionError):
    """A download failed or returned something unusable."""


class PlanNotFoundError(LookupError):
    """No saved plan has the given id."""

    def __init__(self, message: str, plan_id: str) -> None:
        super().__init__(message)
        self.plan_id = plan_id


class InvalidAccountError(ValueError):
    """A staff account's username, role, organisation or password is not acceptable."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class AccountNotFoundError(LookupError):
    """No staff account has the given id or username."""


class ContentNotFoundError(LookupError):
    """No curated item has the given kind and id, or it is not in a state the action needs."""


class StaleContentError(ValueError):
    """A curated item was changed by someone else since the edit started."""
