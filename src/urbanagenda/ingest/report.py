"""Validation problems as data: ``Issue`` records collected into a ``Report``.

Modelled on frictionless' reports: each problem has a stable ``code`` that tools and
tests can rely on, where it was found (file, sheet, row, column), what was found, what
was expected and how to fix it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ISSUE_CODES", "Issue", "Report"]

#: Stable issue codes.  Adding a code is fine; renaming one breaks users' scripts.
ISSUE_CODES: dict[str, str] = {
    "file-not-found": "The path does not exist or is not a file.",
    "empty-file": "The file has no bytes or no data rows.",
    "encoding-error": "The file is not valid UTF-8 text.",
    "not-a-zip": "An XLSX/ZIP file is not a valid ZIP archive (truncated or another format).",
    "unknown-format": "The file's format could not be recognised.",
    "parse-error": "The file could not be parsed (malformed or truncated).",
    "missing-column": "A required column is absent.",
    "missing-sheet": "A required worksheet is absent.",
    "unknown-series": "The series code is not in the catalogue.",
    "unknown-area": "The area code is not a known M49 area or city.",
    "unknown-code": "A dimension or attribute code is not in its code list.",
    "wrong-unit": "The unit differs from the unit the series declares.",
    "non-numeric-value": "The value is not a number.",
    "missing-value": "A required cell is empty.",
    "impossible-year": "The year is not a plausible reference year.",
    "duplicate-key": "Two rows give a value for the same series, area, year and breakdown.",
    "sdmx-error": "The SDMX message could not be read against the SDG DSD.",
    "unknown-field": "A field or column is not one the format knows (a misspelt name?).",
    "out-of-range": "A number is outside the range the field allows (e.g. negative).",
    "rule-broken": "Values break a rule that ties fields together (e.g. compliant > registered).",
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in an input file."""

    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    found: str | None = None
    expected: str | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {self.code!r}; add it to ISSUE_CODES")

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts) if parts else "(input)"

    def describe(self) -> str:
        text = f"[{self.code}] {self.location()}: {self.message}"
        if self.found is not None:
            text += f" Found: {self.found!r}."
        if self.expected is not None:
            text += f" Expected: {self.expected}."
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


@dataclass
class Report:
    """Every problem found while reading and validating some inputs."""

    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    #: issues beyond this many of one code in one file are counted, not kept
    max_per_code: int = 50
    overflow: Counter[tuple[str | None, str]] = field(default_factory=Counter)

    @property
    def valid(self) -> bool:
        return not self.issues

    def add(self, issue: Issue) -> None:
        key = (issue.file, issue.code)
        kept = sum(1 for i in self.issues if (i.file, i.code) == key)
        if kept >= self.max_per_code:
            self.overflow[key] += 1
            return
        self.issues.append(issue)

    def extend(self, issues: list[Issue]) -> None:
        for issue in issues:
            self.add(issue)

    @property
    def suppressed(self) -> int:
        return sum(self.overflow.values())

    def counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter(i.code for i in self.issues)
        for (_, code), n in self.overflow.items():
            counts[code] += n
        return dict(counts)

    def summary(self, limit: int | None = None) -> str:
        shown = self.issues if limit is None else self.issues[:limit]
        lines = [i.describe() for i in shown]
        hidden = len(self.issues) - len(shown) + self.suppressed
        if hidden > 0:
            lines.append(f"... and {hidden} more (counts by code: {self.counts()})")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "files": self.files,
            "rows_read": self.rows_read,
            "counts": self.counts(),
            "issues": [asdict(i) for i in self.issues],
            "suppressed": self.suppressed,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
