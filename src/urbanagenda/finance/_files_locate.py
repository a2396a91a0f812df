"""Where each value of a tabular file went in the plain data, so that a problem the parser
finds at a field path (``years[0].streams[1].categories[0].compliant``) is shown where the
user typed it: sheet 'Property tax', row 7, column 'compliant'."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from urbanagenda.ingest.report import Issue

__all__ = ["Cell", "Locator"]

_SEGMENT = re.compile(r"[^.\[\]]+|\[\d+\]")
_BOUNDS = {"central": "", "low": "_low", "high": "_high"}


@dataclass(frozen=True)
class Cell:
    """A place in a file: sheet (None in a CSV), 1-based row, column header."""

    sheet: str | None
    row: int | None
    column: str | None


class Locator:
    """Field paths of the plain data → the cells they came from."""

    def __init__(self) -> None:
        self._cells: dict[str, Cell] = {}
        self._columns: dict[str | None, set[str]] = {}

    def put(self, path: str, cell: Cell) -> None:
        """Record where ``path`` came from (the first record of a path wins: a stream is
        located at its first row)."""
        self._cells.setdefault(path, cell)
        if cell.column:
            self._columns.setdefault(cell.sheet, set()).add(cell.column)

    def know_columns(self, sheet: str | None, columns: Iterable[str]) -> None:
        """The columns a sheet has, so that a missing value is located in its column."""
        self._columns.setdefault(sheet, set()).update(columns)

    def find(self, path: str) -> Cell | None:
        """The cell of ``path``, or of its nearest recorded ancestor with the column of the
        field (a required value left blank is located in its own column)."""
        segments = _segments(path)
        for n in range(len(segments), 0, -1):
            cell = self._cells.get(_join(segments[:n]))
            if cell is None:
                continue
            column = _column(segments[n:], self._columns.get(cell.sheet, set()))
            return cell if column is None else dataclasses.replace(cell, column=column)
        return None

    def relocate(self, issues: Iterable[Issue], *, file: str) -> list[Issue]:
        """The parser's issues with sheet, row and column of the file where known."""
        out = []
        for issue in issues:
            cell = self.find(issue.column) if issue.column else None
            if cell is None:
                out.append(dataclasses.replace(issue, file=issue.file or file))
                continue
            out.append(
                dataclasses.replace(
                    issue,
                    file=issue.file or file,
                    sheet=cell.sheet,
                    row=cell.row,
                    column=cell.column,
                )
            )
        return out


def _segments(path: str) -> list[str]:
    """``a.b[1].c`` → ``['a', 'b', '[1]', 'c']``."""
    return _SEGMENT.findall(path)


def _join(segments: list[str]) -> str:
    text = ""
    for s in segments:
        text += s if s.startswith("[") or not text else f".{s}"
    return text


def _column(rest: list[str], columns: set[str]) -> str | None:
    """The column of the first field below a located record (``compliant``, or
    ``compliant_low`` for ``compliant.low``), when the sheet has it."""
    names = [s for s in rest if not s.startswith("[")]
    if not names:
        return None
    candidates = []
    if len(names) > 1 and names[1] in _BOUNDS:
        candidates.append(names[0] + _BOUNDS[names[1]])
    candidates.append(names[0])
    return next((c for c in candidates if c in columns), None)
