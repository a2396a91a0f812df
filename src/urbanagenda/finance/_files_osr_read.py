"""An OSR analysis from a CSV file or a filled workbook, as the plain data of the YAML format
(``urbanagenda-osr/1``) with a :class:`~._files_locate.Locator` of its cells."""

from __future__ import annotations

from typing import Any

from urbanagenda.finance._files_io import Opened, SheetRows, fail
from urbanagenda.finance._files_layout import (
    ANALYSIS_KEYS,
    CSV_OSR_KINDS,
    ITEM_FIELDS,
    OSR_SHEETS,
    PLAN_MARKER,
    USER_CHARGE_TERMS,
    TableSheet,
)
from urbanagenda.finance._files_locate import Cell, Locator
from urbanagenda.finance._files_osr import CSV_FACTS, CSV_OSR_COLUMNS, OsrBuilder
from urbanagenda.finance._files_rows import Record, header_of, key_values, records, sheet_key
from urbanagenda.ingest.report import Issue

__all__ = ["osr_data"]

_IGNORED_SHEETS = frozenset({"instructions", "codes"})


def osr_data(opened: Opened, file: str) -> tuple[dict[str, Any], Locator, list[Issue]]:
    """The plain data of a CSV or workbook, where its values came from, and the problems of
    its layout (the values themselves are checked by :func:`~.parse.parse_osr`)."""
    builder = OsrBuilder(file)
    if opened.format == "csv":
        _read_csv(builder, opened.sheets[""])
    else:
        _read_workbook(builder, opened)
    return builder.assemble(), builder.locator, builder.issues


def _read_csv(b: OsrBuilder, sheet: SheetRows) -> None:
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


def _read_workbook(b: OsrBuilder, opened: Opened) -> None:
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


def _read_sheet(b: OsrBuilder, sheet: SheetRows, layout: TableSheet) -> None:
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
