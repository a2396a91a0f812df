"""What every reader produces: chunks of raw observation rows with their location.

A reader turns one input file into :class:`Chunk` objects.  ``frame`` holds the columns of
:data:`urbanagenda.model.observations.COLUMNS` that the format has (optional ones may be
missing and are then defaulted) *as read*: codes are not yet checked against the catalogue
and ``value`` may still be text.  Two extra columns locate each row for error messages:

* ``_row``: the 1-based row (line) number in the file or sheet, as a person opening the file
  would count it (the header is row 1 in a CSV with one header line);
* ``_sheet``: the worksheet name, or ``""`` for formats without sheets.

Problems the reader itself finds (a missing column, a file that is not an XLSX, ...) are
returned as :class:`~urbanagenda.ingest.report.Issue` objects in ``issues``; the reader
stops yielding after a fatal one.  Checking codes, units, numbers, years and duplicate keys
is the validator's job (:mod:`urbanagenda.ingest.validate`), not the reader's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from urbanagenda.ingest.report import Issue

__all__ = ["Chunk", "Reader"]


@dataclass
class Chunk:
    frame: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)


class Reader(Protocol):
    """A reader of one input format."""

    #: short name of the format, as used by ``urbanagenda load --format``
    format_name: str

    def sniff(self, path: Path) -> bool:
        """True when this reader recognises the file (cheap: name and first bytes)."""
        ...

    def read(self, path: Path, *, chunk_rows: int = 100_000) -> Iterator[Chunk]:
        """Yield the file's rows in chunks; see the module docstring for the contract."""
        ...
