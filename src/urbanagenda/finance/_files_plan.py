"""A project list from a CSV file (one row per project) or a filled workbook (sheets Plan,
Sources, Projects), as the plain data of the YAML format (``urbanagenda-invest/1``) with a
:class:`~._files_locate.Locator` of its cells."""

from __future__ import annotations

from typing import Any

from urbanagenda.finance._files_io import Opened, SheetRows, fail
from urbanagenda.finance._files_layout import (
    OSR_MARKER,
    PLAN_KEYS,
    PROJECT_FIELDS,
    SOURCE_FIELDS,
)
from urbanagenda.finance._files_locate import Cell, Locator
from urbanagenda.finance._files_rows import header_of, key_values, records, sheet_key
from urbanagenda.ingest.report import Issue

__all__ = ["PLAN_SHEETS", "plan_data"]

#: The workbook's sheets besides Instructions and Codes.
PLAN_SHEETS: tuple[str, ...] = ("Plan", "Sources", "Projects")


def plan_data(opened: Opened, file: str) -> tuple[dict[str, Any], Locator, list[Issue]]:
    """The plain data of a CSV or workbook, where its values came from, and the problems of
    its layout (the values are checked by :func:`~.invest.parse_plan`)."""
    locator, issues = Locator(), list[Issue]()
    data: dict[str, Any] = {}
    if opened.format == "csv":
        projects = opened.sheets[""]
    else:
        if opened.marker == OSR_MARKER:
            fail(
                file,
                Issue(
                    "unknown-format",
                    "this is the OSR analysis template, not the project-list one.",
                    file=file,
                    expected="the project-list template (urbanagenda invest template)",
                    fix="analyse it with urbanagenda osr analyse FILE",
                ),
            )
        by_key = {sheet_key(t): rows for t, rows in opened.sheets.items()}
        missing = [t for t in ("Plan", "Projects") if sheet_key(t) not in by_key]
        if missing:
            fail(
                file,
                Issue(
                    "missing-sheet",
                    f"the workbook has no {' or '.join(map(repr, missing))} sheet.",
                    file=file,
                    sheet=missing[0],
                    found=", ".join(opened.sheets),
                    expected="the sheets " + ", ".join(PLAN_SHEETS),
                    fix="enter the projects in a fresh template (urbanagenda invest template)",
                ),
            )
        flat = key_values(by_key["plan"], keys=PLAN_KEYS, file=file, issues=issues, locator=locator)
        for key, value in flat.items():
            head, _, sub = key.partition(".")
            if sub:
                data.setdefault(head, {})[sub] = value
            else:
                data[key] = value
        sources = by_key.get("sources")
        if sources is not None and len(sources.rows) > 1:
            data["sources"] = _table(sources, SOURCE_FIELDS, "sources", "id", file, issues, locator)
        projects = by_key["projects"]
    if len(projects.rows) > 1:
        data["projects"] = _table(projects, PROJECT_FIELDS, "projects", "id", file, issues, locator)
    locator.put("projects", _header_cell(projects))
    return data, locator, issues


def _table(
    sheet: SheetRows,
    allowed: tuple[str, ...],
    key: str,
    name_column: str,
    file: str,
    issues: list[Issue],
    locator: Locator,
) -> list[dict[str, Any]]:
    out = []
    rows = records(
        sheet,
        header_of(sheet),
        allowed=allowed,
        file=file,
        issues=issues,
        locator=locator,
        name_column=name_column,
    )
    for i, record in enumerate(rows):
        path = f"{key}[{i}]"
        locator.put(path, record.cell)
        item = {}
        for name, (value, cells) in record.fields.items():
            for sub, cell in cells.items():
                locator.put(f"{path}.{name}{sub}", cell)
            item[name] = value
        out.append(item)
    return out


def _header_cell(sheet: SheetRows) -> Cell:
    return Cell(sheet.title, sheet.rows[0][0] if sheet.rows else 1, None)
