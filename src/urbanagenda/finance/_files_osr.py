"""An OSR analysis from a CSV file or a filled workbook, as the plain data of the YAML format
(``urbanagenda-osr/1``) with a :class:`~._files_locate.Locator` of its cells.

Rows are grouped by year and by stream (kind and name, in the order they first appear);
a stream's own fields (``estimated`` of a property tax, ``actual_reported``, ``sources``,
``note``) may be given on any one of its rows, or the same on several.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from urbanagenda.finance._files_io import Opened, SheetRows, fail
from urbanagenda.finance._files_layout import (
    ANALYSIS_KEYS,
    CSV_OSR_KINDS,
    FISCAL_FIELDS,
    ITEM_FIELDS,
    OSR_SHEETS,
    PLAN_MARKER,
    STREAM_FIELDS,
    USER_CHARGE_TERMS,
    TableSheet,
    columns_of,
    item_key,
)
from urbanagenda.finance._files_locate import Cell, Locator
from urbanagenda.finance._files_rows import (
    Fields,
    Record,
    header_of,
    key_values,
    records,
    sheet_key,
)
from urbanagenda.ingest.report import Issue

__all__ = ["CSV_FACTS", "CSV_OSR_COLUMNS", "osr_data"]

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
_IGNORED_SHEETS = frozenset({"instructions", "codes"})


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
class _Builder:
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


def osr_data(opened: Opened, file: str) -> tuple[dict[str, Any], Locator, list[Issue]]:
    """The plain data of a CSV or workbook, where its values came from, and the problems of
    its layout (the values themselves are checked by :func:`~.parse.parse_osr`)."""
    builder = _Builder(file)
    if opened.format == "csv":
        _read_csv(builder, opened.sheets[""])
    else:
        _read_workbook(builder, opened)
    return builder.assemble(), builder.locator, builder.issues


def _read_csv(b: _Builder, sheet: SheetRows) -> None:
    header = header_of(sheet)
    missing = [c for c in ("year", "stream_kind") if c not in header]
    if missing:
        fail(
            b.file,
            Issue(
                "missing-column",
                f"the CSV has no column {', '.join(map(repr, missing))}.",
                file=b.file,
                row=sheet.rows[0][0],
                column=missing[0],
                found=", ".join(h for h in header if h),
                expected="columns year, stream_kind, stream_name, item and the fields",
                fix="see the CSV layout in the documentation of urbanagenda.finance.files",
            ),
        )
    for record in records(
        sheet,
        header,
        allowed=CSV_OSR_COLUMNS,
        file=b.file,
        issues=b.issues,
        locator=b.locator,
        name_column="item",
    ):
        for fact in CSV_FACTS:
            if fact not in record.fields:
                continue
            value, cells = record.fields.pop(fact)
            if fact in b.facts and b.facts[fact] != value:
                b.issue(
                    "duplicate-key",
                    cells[""],
                    f"{fact!r} differs from the first row's.",
                    found=str(value),
                    expected=str(b.facts[fact]),
                    fix=f"give the same {fact} on every row (or on the first only)",
                )
            else:
                b.facts.setdefault(fact, value)
                b.locator.put(fact, cells[""])
        kind = record.pop("stream_kind")
        kind_cell = record.cell_of("stream_kind")
        if kind is None:
            b.issue(
                "missing-value",
                kind_cell,
                "the row has no stream_kind; it is not read.",
                expected=", ".join((*ITEM_FIELDS, *CSV_OSR_KINDS)),
                fix="say on every row what it is",
            )
        elif kind == "fiscal":
            b.fiscal(record)
        elif kind == "source":
            if "item" in record.fields:
                record.fields["id"] = record.fields.pop("item")
            b.source(record)
        elif kind in ITEM_FIELDS:
            _item_name(record)
            b.stream(record, kind)
        else:
            b.issue(
                "unknown-code",
                kind_cell,
                "unknown stream_kind; the row is not read.",
                found=str(kind),
                expected=", ".join((*ITEM_FIELDS, *CSV_OSR_KINDS)),
                fix="use one of the expected values",
            )
    for fact in CSV_FACTS:
        b.locator.put(fact, Cell(None, sheet.rows[0][0], fact))


def _item_name(record: Record) -> None:
    if "item" in record.fields:
        record.fields["name"] = record.fields.pop("item")


def _read_workbook(b: _Builder, opened: Opened) -> None:
    if opened.marker == PLAN_MARKER:
        fail(
            b.file,
            Issue(
                "unknown-format",
                "this is the project-list template, not the OSR analysis one.",
                file=b.file,
                expected="the OSR analysis template (urbanagenda osr template)",
                fix="run an investment ranking with it (urbanagenda invest rank FILE)",
            ),
        )
    by_key = {sheet_key(title): rows for title, rows in opened.sheets.items()}
    analysis = by_key.get("analysis")
    if analysis is None:
        fail(
            b.file,
            Issue(
                "missing-sheet",
                "the workbook has no 'Analysis' sheet.",
                file=b.file,
                found=", ".join(opened.sheets),
                expected="the sheets of the OSR template: Analysis, "
                + ", ".join(s.title for s in OSR_SHEETS),
                fix="enter the analysis in a fresh template (urbanagenda osr template)",
            ),
        )
    b.facts.update(
        key_values(analysis, keys=ANALYSIS_KEYS, file=b.file, issues=b.issues, locator=b.locator)
    )
    known = {"analysis", *_IGNORED_SHEETS}
    for layout in OSR_SHEETS:
        known.add(sheet_key(layout.title))
        sheet = by_key.get(sheet_key(layout.title))
        if sheet is not None and len(sheet.rows) > 1:
            _read_sheet(b, sheet, layout)
    for title, sheet in opened.sheets.items():
        if sheet_key(title) not in known and "year" in header_of(sheet):
            b.issues.append(
                Issue(
                    "unknown-field",
                    f"the sheet {title!r} is not a sheet of the template; its rows are not read.",
                    file=b.file,
                    sheet=title,
                    found=title,
                    expected=", ".join(s.title for s in OSR_SHEETS),
                    fix="rename the sheet as in a fresh template",
                )
            )


def _read_sheet(b: _Builder, sheet: SheetRows, layout: TableSheet) -> None:
    header = header_of(sheet)
    missing = [c for c in layout.required if c not in header]
    if missing:
        b.issues.append(
            Issue(
                "missing-column",
                f"the sheet has no column {missing[0]!r}; its rows are not read.",
                file=b.file,
                sheet=sheet.title,
                row=sheet.rows[0][0],
                column=missing[0],
                found=", ".join(h for h in header if h),
                expected=", ".join(layout.columns),
                fix="restore the header row as in a fresh template",
            )
        )
        return
    name_column = "id" if layout.title == "Sources" else "item"
    rows = records(
        sheet,
        header,
        allowed=layout.columns,
        file=b.file,
        issues=b.issues,
        locator=b.locator,
        name_column=name_column,
    )
    for record in rows:
        if layout.title == "Sources":
            b.source(record)
        elif layout.title == "Fiscal":
            b.fiscal(record)
        elif layout.kind is not None:
            _item_name(record)
            b.stream(record, layout.kind)
        else:
            term = record.pop("stream_kind")
            kind = USER_CHARGE_TERMS.get(str(term), str(term))
            if kind not in USER_CHARGE_TERMS.values():
                b.issue(
                    "missing-value" if term is None else "unknown-code",
                    record.cell_of("stream_kind"),
                    "the kind of user charge is "
                    + ("missing" if term is None else "not known")
                    + "; the row is not read.",
                    found=None if term is None else str(term),
                    expected=", ".join(USER_CHARGE_TERMS),
                    fix="pick short, long or mixed",
                )
                continue
            _item_name(record)
            b.stream(record, kind)
