"""The Excel data-entry template: generated with drop-downs, filled in, loaded back."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from urbanagenda import api
from urbanagenda.errors import ValidationFailed
from urbanagenda.store import query


def _fill(path: Path, rows: list[list[object]]) -> None:
    wb = load_workbook(path)
    ws = wb["Data"]
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_template_has_dropdowns_of_valid_codes(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = api.template(tmp_path / "t.xlsx", database=sqlite_engine)
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["Data", "Instructions"]
    assert wb["_urbanagenda"].sheet_state == "hidden"
    validations = {str(dv.sqref): dv.formula1 for dv in wb["Data"].data_validations.dataValidation}
    assert validations["A2:A5000"].startswith("'Series'!$A$2")
    assert validations["B2:B5000"].startswith("'Areas'!$A$2")
    series_choices = [r[0] for r in wb["Series"].iter_rows(min_row=2, values_only=True)]
    assert any(c.startswith("EN_LND_SLUM | ") for c in series_choices)
    area_choices = [r[0] for r in wb["Areas"].iter_rows(min_row=2, values_only=True)]
    assert any(c.startswith("566 | ") for c in area_choices)


def test_filled_template_loads_back(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = api.template(
        tmp_path / "t.xlsx",
        database=sqlite_engine,
        series=["EN_LND_SLUM", "SP_TRN_PUBL"],
        areas=["566"],
    )
    slum_choice = next(
        r[0]
        for r in load_workbook(path)["Series"].iter_rows(min_row=2, values_only=True)
        if r[0].startswith("EN_LND_SLUM")
    )
    area_choice = next(
        r[0]
        for r in load_workbook(path)["Areas"].iter_rows(min_row=2, values_only=True)
        if r[0].startswith("566 |")
    )
    _fill(
        path,
        [
            [
                slum_choice,
                area_choice,
                2018,
                51.49458,
                None,
                None,
                None,
                "U | Urban",
                "G",
                "UN-Habitat",
                None,
            ],
            ["EN_LND_SLUM", "566", 2020, 48.98206, "Percent", None, None, "U", None, None, None],
            [None] * 11,  # blank rows are skipped
            ["SP_TRN_PUBL", "ng_lagos", 2020, 38.1, None, None, None, None, "E", None, "Lagos"],
        ],
    )
    result = api.load([path], database=sqlite_engine)
    assert result.formats == {str(path): "template"}
    assert result.inserted == 3
    nga = query.read_observations(sqlite_engine, series=["EN_LND_SLUM"], areas=["566"])
    assert nga["value"].tolist() == pytest.approx([51.49458, 48.98206])
    assert set(nga["location"]) == {"U"}


def test_template_errors_name_sheet_row_and_column(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = api.template(tmp_path / "t.xlsx", database=sqlite_engine, series=["EN_LND_SLUM"])
    _fill(
        path,
        [
            ["EN_LND_SLUM", "566", 2018, 51.5, None, None, None, "U", None, None, None],
            ["EN_LND_SLUM", "Narnia", 2018, 51.5, None, None, None, "U", None, None, None],
            ["EN_LND_SLUM", "566", 2020, "n/a", None, None, None, "U", None, None, None],
        ],
    )
    with pytest.raises(ValidationFailed) as info:
        api.load([path], database=sqlite_engine)
    issues = {(i.code, i.sheet, i.row, i.column) for i in info.value.report.issues}
    assert ("unknown-area", "Data", 3, "area_code") in issues
    assert ("non-numeric-value", "Data", 4, "value") in issues
    assert query.read_observations(sqlite_engine, series=["EN_LND_SLUM"]).empty
