"""Putting the rows of an OSR analysis (from a CSV or a workbook: :mod:`._files_osr_read`)
together as the plain data of the YAML format (``urbanagenda-osr/1``), locating every value.

Rows are grouped by year and by stream (kind and name, in the order they first appear);
a stream's own fields (``estimated`` of a property tax, ``actual_reported``, ``sources``,
``note``) may be given on any one of its rows, or the same on several.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from urbanagenda.finance._files_layout import (
    ANALYSIS_KEYS,
    FISCAL_FIELDS,
    ITEM_FIELDS,
    STREAM_FIELDS,
    columns_of,
    item_key,
)
from urbanagenda.finance._files_locate import Cell, Locator
from urbanagenda.finance._files_rows import Fields, Record
from urbanagenda.ingest.report import Issue

__all__ = ["CSV_FACTS", "CSV_OSR_COLUMNS", "OsrBuilder"]

#: The header facts a CSV repeats on its rows (the analysis note is not in the CSV).
CSV_FACTS: tuple[str, ...] = tuple(k for k in ANALYSIS_KEYS if k != "note")
_ALL_ITEM = tuple(dict.fromkeys(f for fs in ITEM_FIELDS.values() for f in fs))
#: Every column a CSV of an analysis may have.
CSV_OSR_COLUMNS: tuple[str, ...] = (
    *CSV_FACTS,
    "year",
    "stream_kind",
    "stream_name",
    "item",
    *columns_of(_ALL_ITEM),
    "actual_reported",
    *columns_of(FISCAL_FIELDS),
    "note",
    "citation",
    "url",
)


@dataclass
class _Stream:
    kind: str
    name: str | None
    cell: Cell
    fields: Fields = field(default_factory=dict)
    items: list[Record] = field(default_factory=list)


@dataclass
class _Year:
    cell: Cell
    fiscal: Record | None = None
    streams: dict[tuple[str, str | None], _Stream] = field(default_factory=dict)


@dataclass
class OsrBuilder:
    """Rows in, the analysis' plain data out (:meth:`assemble`), with the layout's issues."""

    file: str
    issues: list[Issue] = field(default_factory=list)
    locator: Locator = field(default_factory=Locator)
    facts: dict[str, Any] = field(default_factory=dict)
    sources: list[Record] = field(default_factory=list)
    years: dict[int, _Year] = field(default_factory=dict)

    def issue(self, code: str, cell: Cell, message: str, **kw: Any) -> None:
        self.issues.append(
            Issue(
                code,
                message,
                file=self.file,
                sheet=cell.sheet,
                row=cell.row,
                column=cell.column,
                **kw,
            )
        )

    def year_of(self, record: Record) -> _Year | None:
        value, cells = record.fields.pop("year", (None, {}))
        cell = cells.get("", record.cell_of("year"))
        if value is None:
            self.issue(
                "missing-value",
                cell,
                "the row has no year; it is not read.",
                expected="a year such as 2019",
                fix="give the year on every row",
            )
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            code = "non-numeric-value" if isinstance(value, str) else "impossible-year"
            self.issue(
                code,
                cell,
                "the year is not a whole number.",
                found=str(value),
                expected="a year such as 2019",
                fix="write the year as four digits",
            )
            return None
        return self.years.setdefault(value, _Year(cell))

    def fiscal(self, record: Record) -> None:
        year = self.year_of(record)
        if year is None:
            return
        record.cell = record.cell_of("year")
        if year.fiscal is not None:
            self.issue(
                "duplicate-key",
                record.cell_of("year"),
                f"a second row of fiscal figures for the same year (the first is row "
                f"{year.fiscal.cell.row}); it is not read.",
                fix="keep one fiscal row per year",
            )
            return
        year.fiscal = record

    def source(self, record: Record) -> None:
        self.sources.append(record)

    def stream(self, record: Record, kind: str) -> None:
        year = self.year_of(record)
        if year is None:
            return
        name_value, name_cells = record.fields.pop("stream_name", (None, {}))
        name = None if name_value is None else str(name_value)
        cell = name_cells.get("", record.cell_of("stream_name"))
        stream = year.streams.setdefault((kind, name), _Stream(kind, name, cell))
        for own in STREAM_FIELDS[kind]:
            if own not in record.fields:
                continue
            value, cells = record.fields.pop(own)
            if own in stream.fields and stream.fields[own][0] != value:
                self.issue(
                    "duplicate-key",
                    cells[""],
                    f"the stream's {own!r} differs from the one on row "
                    f"{stream.fields[own][1][''].row}.",
                    found=str(value),
                    expected=str(stream.fields[own][0]),
                    fix=f"give the stream's {own} once (on any of its rows) or the same on each",
                )
                continue
            stream.fields.setdefault(own, (value, cells))
        if record.fields:  # a category or charge (a row of stream fields only is not one)
            stream.items.append(record)

    def assemble(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.facts)
        if self.sources:
            data["sources"] = [
                _put(self.locator, f"sources[{i}]", r.cell, r.fields)
                for i, r in enumerate(self.sources)
            ]
        years = []
        for yi, number in enumerate(sorted(self.years)):
            year, prefix = self.years[number], f"years[{yi}]"
            self.locator.put(prefix, year.cell)
            self.locator.put(f"{prefix}.year", year.cell)
            out: dict[str, Any] = {"year": number}
            if year.fiscal is not None:
                out["fiscal"] = _put(
                    self.locator, f"{prefix}.fiscal", year.fiscal.cell, year.fiscal.fields
                )
            streams = []
            for si, s in enumerate(year.streams.values()):
                spath = f"{prefix}.streams[{si}]"
                head: Fields = {
                    "kind": (s.kind, {}),
                    **({"name": (s.name, {"": s.cell})} if s.name is not None else {}),
                }
                stream = _put(self.locator, spath, s.cell, {**head, **s.fields})
                key = item_key(s.kind)
                self.locator.put(f"{spath}.{key}", Cell(s.cell.sheet, s.cell.row, "item"))
                if s.items:
                    stream[key] = [
                        _put(self.locator, f"{spath}.{key}[{k}]", r.cell, r.fields)
                        for k, r in enumerate(s.items)
                    ]
                streams.append(stream)
            if streams:
                out["streams"] = streams
            years.append(out)
        if years:
            data["years"] = years
        return data


def _put(locator: Locator, path: str, cell: Cell, fields: Fields) -> dict[str, Any]:
    """The fields as a dict, each located under ``path``."""
    locator.put(path, cell)
    out = {}
    for name, (value, cells) in fields.items():
        for sub, c in cells.items():
            locator.put(f"{path}.{name}{sub}", c)
        out[name] = value
    return out
