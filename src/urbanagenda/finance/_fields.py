"""What the finance readers share: the issues of one input, numbers read from numbers or
numeric text, and field paths.

:mod:`._osr_read` (the OSR format) and :mod:`._invest_reader` (the project lists) each check
fields their own way and say so in their own words; both record a problem the same way, as an
:class:`~urbanagenda.ingest.report.Issue` naming the field path (``projects[2].sector``) in its
``column``, and go on, so that one run reports everything.  Private to the finance readers.
"""

from __future__ import annotations

import math
from typing import Any

from urbanagenda.ingest.report import Issue, Report

__all__ = ["SOURCE_FIELDS", "IssueLog", "join_path", "read_float"]

#: The fields of a source (both formats list their sources so, and cite them by id).
SOURCE_FIELDS: tuple[str, ...] = ("id", "citation", "url")


class IssueLog:
    """Collects the issues of one input (``file`` names it in every issue)."""

    def __init__(self, file: str | None = None) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def show(self, found: Any) -> str:
        """How a value found in the input is written in an issue."""
        return str(found)

    def add(
        self,
        code: str,
        path: str,
        message: str,
        *,
        found: Any = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.issues.append(
            Issue(
                code,
                message,
                file=self.file,
                column=path or None,
                found=None if found is None else self.show(found),
                expected=expected,
                fix=fix,
            )
        )

    def report(self) -> Report:
        """The issues collected so far, as the report a ``ValidationFailed`` carries."""
        report = Report(files=[self.file] if self.file else [])
        report.extend(self.issues)
        return report


def read_float(raw: Any, *, ignore: str = "_") -> float | None:
    """``raw`` as a finite number: a number (not a bool), or numeric text (PyYAML reads
    ``1.2e9`` as text, spreadsheets often hand over text) with the characters in ``ignore``
    (digit-group separators) left out; None when it is not one."""
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        for separator in ignore:
            text = text.replace(separator, "")
        try:
            value = float(text)
        except ValueError:
            value = None
    return value if value is not None and math.isfinite(value) else None


def join_path(path: str, key: str) -> str:
    """The path of field ``key`` of the mapping at ``path`` (``""``: the top)."""
    return f"{path}.{key}" if path else key
