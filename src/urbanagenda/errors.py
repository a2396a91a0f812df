"""The one exception tree of urbanagenda.

Every error says what was received, what was expected and how to fix it.  Third-party
errors are translated where they enter (``raise StoreError(...) from exc``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from urbanagenda.ingest.report import Report

__all__ = [
    "AuthError",
    "ConfigError",
    "DataError",
    "MethodError",
    "StoreError",
    "UrbanAgendaError",
    "ValidationFailed",
]


class UrbanAgendaError(Exception):
    """Base of every error raised by urbanagenda on purpose."""


class ConfigError(UrbanAgendaError):
    """A setting, a configuration file or a bundled data file is wrong or missing."""


class DataError(UrbanAgendaError):
    """Input data cannot be read or is not what was expected."""


class ValidationFailed(DataError):
    """A load or validation found problems; ``report`` lists every one of them.

    Nothing was written: loads are all or nothing.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        n = len(report.issues)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} found in the input; nothing was loaded.\n"
            + report.summary(limit=20)
        )


class MethodError(UrbanAgendaError):
    """A method cannot compute a result from the inputs it was given."""


class StoreError(UrbanAgendaError):
    """The database cannot be opened, migrated, read or written."""


class AuthError(UrbanAgendaError):
    """The user is not who they say, or may not do what they asked."""
