"""The Excel data-entry template that focal points fill in and load back.

``write_template`` makes a workbook with a ``Data`` sheet whose cells offer drop-down lists
of valid codes (series, areas, sex, age, location, nature), an ``Instructions`` sheet, code
list sheets and a hidden marker sheet by which :class:`TemplateReader` recognises the file.
Drop-down entries read ``CODE | name``; the reader keeps the part before `` | ``.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.report import Issue
from urbanagenda.model.codes import codelist

__all__ = ["DATA_COLUMNS", "TEMPLATE_MARKER", "TemplateReader", "write_template"]

TEMPLATE_MARKER = "urbanagenda-data-entry-template"
TEMPLATE_VERSION = "1"
DATA_SHEET = "Data"
DATA_COLUMNS = (
    ("series_code", "Series", True),
    ("area_code", "Area", True),
    ("year", "Year", True),
    ("value", "Value", True),
    ("unit", "Unit", False),
    ("sex", "Sex", False),
    ("age", "Age", False),
    ("location", "Location", False),
    ("nature", "Nature", False),
    ("source", "Source", False),
    ("footnote", "Footnote", False),
)
MAX_ROWS = 5000
INSTRUCTIONS = [
    "How to fill in this template",
    "1. Enter one observation per row on the 'Data' sheet, starting at row 2.",
    "2. Series, Area, Sex, Age, Location and Nature offer drop-down lists of valid codes "
    "('CODE | name'); pick from the list or type the code alone.",
    "3. Year: the reference year, four digits. Value: a number with '.' as decimal mark, "
    "in the unit the series declares (see the 'Series' sheet). Leave Unit empty to use it.",
    "4. Leave Sex, Age and Location empty for totals.",
    "5. Source and Footnote are free text (the data producer, a note on the value).",
    "6. Save as .xlsx and run: urbanagenda validate FILE, then urbanagenda load FILE.",
    "A load is all or nothing: if any row has a problem, nothing is loaded and the report "
    "says which sheet, row and column to fix.",
]


def _list_sheet(wb: Workbook, title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]):
    ws = wb.create_sheet(title)
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    ws.column_dimensions["A"].width = 48
    return ws


def write_template(
    path: Path,
    series: pd.DataFrame,
    areas: pd.DataFrame,
) -> Path:
    """Write the template.  ``series``: code, name, unit; ``areas``: code, name, kind."""
    wb = Workbook()
    data = wb.active
    data.title = DATA_SHEET
    data.append([label for _, label, _ in DATA_COLUMNS])
    for i, (_, _, required) in enumerate(DATA_COLUMNS, start=1):
        cell = data.cell(row=1, column=i)
        cell.font = Font(bold=True)
        if required:
            cell.fill = PatternFill("solid", fgColor="FFE699")
        data.column_dimensions[get_column_letter(i)].width = 28 if i <= 2 else 14
    data.freeze_panes = "A2"

    ins = wb.create_sheet("Instructions")
    for line in INSTRUCTIONS:
        ins.append([line])
    ins["A1"].font = Font(bold=True, size=14)
    ins.column_dimensions["A"].width = 120

    s_rows: list[tuple[str, ...]] = [
        (f"{c} | {n}", str(c), str(n), str(u))
        for c, n, u in zip(series["code"], series["name"], series["unit"], strict=True)
    ]
    a_rows: list[tuple[str, ...]] = [
        (f"{c} | {n}", str(c), str(n), str(k))
        for c, n, k in zip(areas["code"], areas["name"], areas["kind"], strict=True)
    ]
    lists: dict[str, list[tuple[str, ...]]] = {
        "Series": s_rows,
        "Areas": a_rows,
    }
    _list_sheet(wb, "Series", s_rows, ("choice", "code", "name", "unit"))
    _list_sheet(wb, "Areas", a_rows, ("choice", "code", "name", "kind"))
    for sheet, cl in (
        ("Sex", "CL_SEX"),
        ("Age", "CL_AGE"),
        ("Location", "CL_URBANISATION"),
        ("Nature", "CL_NATURE"),
    ):
        rows: list[tuple[str, ...]] = [(f"{k} | {v}", k, v) for k, v in codelist(cl).items()]
        lists[sheet] = rows
        _list_sheet(wb, sheet, rows, ("choice", "code", "name"))

    col_of = {name: get_column_letter(i) for i, (name, _, _) in enumerate(DATA_COLUMNS, 1)}
    for column, sheet in (
        ("series_code", "Series"),
        ("area_code", "Areas"),
        ("sex", "Sex"),
        ("age", "Age"),
        ("location", "Location"),
        ("nature", "Nature"),
    ):
        n = len(lists[sheet]) + 1
        dv = DataValidation(
            type="list", formula1=f"'{sheet}'!$A$2:$A${n}", allow_blank=True, showErrorMessage=False
        )
        dv.promptTitle = sheet
        dv.prompt = f"Pick from the list ({sheet} sheet)"
        data.add_data_validation(dv)
        dv.add(f"{col_of[column]}2:{col_of[column]}{MAX_ROWS}")
    year_dv = DataValidation(
        type="whole",
        operator="between",
        formula1="1950",
        formula2="2100",
        showErrorMessage=True,
        errorTitle="Year",
        error="A reference year, four digits (e.g. 2020).",
    )
    data.add_data_validation(year_dv)
    year_dv.add(f"{col_of['year']}2:{col_of['year']}{MAX_ROWS}")
    value_dv = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+300",
        formula2="1E+300",
        showErrorMessage=True,
        errorTitle="Value",
        error="A number, in the unit of the series.",
    )
    data.add_data_validation(value_dv)
    value_dv.add(f"{col_of['value']}2:{col_of['value']}{MAX_ROWS}")

    marker = wb.create_sheet("_urbanagenda")
    marker.append([TEMPLATE_MARKER, TEMPLATE_VERSION])
    marker.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _open(path: Path):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return load_workbook(path, read_only=True, data_only=True)


class TemplateReader:
    format_name = "template"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in (".xlsx", ".xlsm") or not zipfile.is_zipfile(path):
            return False
        wb = _open(path)
        try:
            if "_urbanagenda" not in wb.sheetnames:
                return False
            first = next(wb["_urbanagenda"].iter_rows(max_row=1, values_only=True), None)
            return first is not None and len(first) > 0 and first[0] == TEMPLATE_MARKER
        finally:
            wb.close()

    def read(self, path: Path, *, chunk_rows: int = 100_000) -> Iterator[Chunk]:
        wb = _open(path)
        try:
            if DATA_SHEET not in wb.sheetnames:
                yield Chunk(
                    pd.DataFrame(),
                    [
                        Issue(
                            "missing-sheet",
                            f"the sheet {DATA_SHEET!r} is missing.",
                            file=str(path),
                            found=", ".join(wb.sheetnames),
                            expected=f"a sheet named {DATA_SHEET!r}",
                            fix="enter the data on the 'Data' sheet of a fresh template",
                        )
                    ],
                )
                return
            rows = wb[DATA_SHEET].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            labels = {label: name for name, label, _ in DATA_COLUMNS}
            missing = [label for _, label, req in DATA_COLUMNS if req and label not in header]
            if missing:
                yield Chunk(
                    pd.DataFrame(),
                    [
                        Issue(
                            "missing-column",
                            f"the column {m!r} is missing from the header row.",
                            file=str(path),
                            sheet=DATA_SHEET,
                            row=1,
                            column=m,
                            found=", ".join(h for h in header if h),
                            expected=", ".join(label for _, label, _ in DATA_COLUMNS),
                            fix="restore the header row as in a fresh template",
                        )
                        for m in missing
                    ],
                )
                return
            records, row_numbers = [], []
            for excel_row, values in enumerate(rows, start=2):
                if values is None or all(v is None or str(v).strip() == "" for v in values):
                    continue
                records.append(values[: len(header)])
                row_numbers.append(excel_row)
            frame = pd.DataFrame.from_records(records, columns=header) if records else None
        finally:
            wb.close()
        if frame is None:
            yield Chunk(
                pd.DataFrame(),
                [
                    Issue(
                        "empty-file",
                        "the 'Data' sheet has no rows.",
                        file=str(path),
                        sheet=DATA_SHEET,
                        fix="enter observations from row 2 on",
                    )
                ],
            )
            return
        frame = frame[[h for h in header if h in labels]].rename(columns=labels)
        for col in frame.columns:
            if col in ("year", "value"):
                continue
            text = frame[col].astype("string").fillna("")
            frame[col] = text.str.split(" | ", n=1, regex=False).str[0].str.strip()
        frame["_row"] = np.asarray(row_numbers)
        frame["_sheet"] = DATA_SHEET
        yield Chunk(frame)
