"""Building the template workbooks with openpyxl, the house way of
:mod:`urbanagenda.ingest.template`: an Instructions sheet first, frozen header rows, input
cells coloured, drop-down lists and number checks on the input columns, a note on each header
saying what the field means, and a hidden sheet marking which template the workbook is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from urbanagenda.finance._files_layout import MARKER_SHEET, TEMPLATE_VERSION
from urbanagenda.finance._files_text import describe, instructions

__all__ = ["Check", "key_value_sheet", "marker_sheet", "new_workbook", "table_sheet"]

#: Rows of a table sheet that carry the drop-downs and checks.
MAX_ROWS = 1000
_MAIN = PatternFill("solid", fgColor="FFE699")  # a main field's header
_BOUND = PatternFill("solid", fgColor="EDEDED")  # a _low / _high header
_INPUT = PatternFill("solid", fgColor="FFF2CC")  # a key/value sheet's input cell
_THIN = Side(style="thin", color="BFBFBF")
_OPTIONAL = frozenset(
    {
        "legislated_rate",
        "legislated_fee",
        "actual_reported",
        "sources",
        "note",
        "url",
        "location",
    }
)


@dataclass(frozen=True)
class Check:
    """A cell check: a drop-down ``choices`` list, or a number between ``low`` and ``high``."""

    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    whole: bool = False
    message: str = ""
    warn_only: bool = False  # a warning the user may pass over (an unusual, not wrong, value)

    def validation(self) -> DataValidation:
        if self.choices:
            return DataValidation(
                type="list",
                formula1='"' + ",".join(self.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Choose from the list",
                error=self.message or "One of: " + ", ".join(self.choices),
            )
        kind = "whole" if self.whole else "decimal"
        if self.high is None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=_n(self.low))
        else:
            dv = DataValidation(
                type=kind, operator="between", formula1=_n(self.low), formula2=_n(self.high)
            )
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.errorStyle = "warning" if self.warn_only else "stop"
        dv.errorTitle = "Number"
        dv.error = self.message or "A number ≥ 0."
        return dv


def _n(x: float | None) -> str:
    return "0" if x is None else f"{x:g}"


def new_workbook(which: str, lang: str) -> Workbook:
    """A workbook whose first sheet is the Instructions (``which``: osr or invest)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Instructions"
    for line in instructions(which, lang):
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120
    for row in ws.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return wb


def marker_sheet(wb: Workbook, marker: str) -> None:
    """The hidden sheet by which the readers know the template."""
    ws = wb.create_sheet(MARKER_SHEET)
    ws.append([marker, TEMPLATE_VERSION])
    ws.sheet_state = "hidden"


def key_value_sheet(
    wb: Workbook,
    title: str,
    keys: Sequence[str],
    values: Mapping[str, Any],
    checks: Mapping[str, Check],
    lang: str,
) -> Worksheet:
    """Field names in column A, the values to fill in column B, what they mean in C."""
    ws = wb.create_sheet(title)
    ws.append(["field", "value", "explanation"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, key in enumerate(keys, start=2):
        ws.append([key, values.get(key), describe(key, title, lang)])
        value = ws.cell(row=i, column=2)
        value.fill = _INPUT
        value.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
        ws.cell(row=i, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        if key in checks:
            dv = checks[key].validation()
            ws.add_data_validation(dv)
            dv.add(f"B{i}")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 90
    ws.freeze_panes = "A2"
    return ws


def table_sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    checks: Mapping[str, Check],
    lang: str,
) -> Worksheet:
    """A header row of field names (with a note on each) and one row per record."""
    ws = wb.create_sheet(title)
    ws.append(list(columns))
    for i, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        bound = name.endswith(("_low", "_high"))
        cell.font = Font(bold=not bound, italic=bound)
        if bound:
            cell.fill = _BOUND
        elif name not in _OPTIONAL:
            cell.fill = _MAIN
        cell.comment = Comment(describe(name, title, lang), "urbanagenda", width=300, height=90)
        wide = name in ("stream_name", "item", "citation", "name", "note", "url")
        ws.column_dimensions[get_column_letter(i)].width = 30 if wide else 15
    for row in rows:
        ws.append([row.get(c) for c in columns])
    for i, name in enumerate(columns, start=1):
        check = checks.get(name.removesuffix("_low").removesuffix("_high"))
        if check is None:
            continue
        dv = check.validation()
        ws.add_data_validation(dv)
        letter = get_column_letter(i)
        dv.add(f"{letter}2:{letter}{MAX_ROWS}")
    ws.freeze_panes = "A2"
    return ws
