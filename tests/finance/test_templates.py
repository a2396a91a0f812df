"""The Excel templates: their layout (sheets, headers, drop-downs, checks, notes, languages),
a template filled in cell by cell reads back as the same input as YAML, and a template filled
from an input (the demo examples) reads back as that input."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from urbanagenda.errors import DataError, ValidationFailed
from urbanagenda.finance._files_layout import OSR_SHEETS, PLAN_KEYS, PROJECT_FIELDS
from urbanagenda.finance._files_text import _FIELDS, describe
from urbanagenda.finance.files import read_osr_file, read_plan_file
from urbanagenda.finance.invest import parse_plan
from urbanagenda.finance.model import SECTORS, STAGES
from urbanagenda.finance.parse import parse_osr
from urbanagenda.finance.templates import (
    osr_template,
    plan_template,
    write_osr_data,
    write_osr_xlsx,
    write_plan_data,
    write_plan_xlsx,
)
from urbanagenda.model.catalogue import load_catalogue

from .test_files import OSR_YAML, PLAN_YAML

EXAMPLES = resources.files("urbanagenda.finance") / "data" / "examples"
OSR_TITLES = [
    "Instructions",
    "Analysis",
    "Sources",
    "Fiscal",
    "Property tax",
    "Business licences",
    "User charges",
    "Other taxes",
    "_urbanagenda",
]


def _header(ws: Worksheet) -> list[Any]:
    return [c.value for c in ws[1]]


def _validations(ws: Worksheet) -> dict[str, Any]:
    """Data validations by the first cell of their range."""
    return {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}


def _fill(ws: Worksheet, rows: list[dict[str, Any]]) -> None:
    """Type rows into a table sheet below its header, by column name."""
    header = _header(ws)
    for r, row in enumerate(rows, start=2):
        for name, value in row.items():
            ws.cell(row=r, column=header.index(name) + 1, value=value)


def _set(ws: Worksheet, values: dict[str, Any]) -> None:
    """Type values into a key/value sheet's column B, by the key in column A."""
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for key, value in values.items():
        ws.cell(row=rows[key], column=2, value=value)


# ------------------------------------------------------------------- layout


def test_osr_template_layout(tmp_path: Path) -> None:
    wb = load_workbook(osr_template(tmp_path / "osr.xlsx"))
    assert wb.sheetnames == OSR_TITLES
    assert wb["_urbanagenda"].sheet_state == "hidden"
    assert wb["_urbanagenda"]["A1"].value == "urbanagenda-osr-template"
    keys = [wb["Analysis"].cell(row=r, column=1).value for r in range(2, 8)]
    assert keys == ["local_government", "area", "country", "currency", "example", "note"]
    assert _header(wb["Property tax"]) == [
        "year", "stream_name", "estimated", "estimated_low", "estimated_high", "item",
        "registered", "registered_low", "registered_high", "compliant", "compliant_low",
        "compliant_high", "assessed_value", "assessed_value_low", "assessed_value_high",
        "market_value", "market_value_low", "market_value_high", "rate", "rate_low",
        "rate_high", "legislated_rate", "legislated_rate_low", "legislated_rate_high",
        "actual_reported", "sources", "note",
    ]  # fmt: skip
    charges = wb["User charges"]
    assert _header(charges)[:4] == ["year", "stream_kind", "stream_name", "item"]
    checks = _validations(charges)
    assert checks["B2"].formula1 == '"short,long,mixed"'
    per = _header(charges).index("per") + 1
    assert checks[f"{chr(64 + per)}2"].formula1 == '"day,month,year"'
    assert (checks["A2"].type, checks["A2"].formula1, checks["A2"].formula2) == (
        "whole",
        "1950",
        "2100",
    )
    for title in OSR_TITLES[2:-1]:
        ws = wb[title]
        assert ws.freeze_panes == "A2"
        assert all(ws.cell(row=1, column=c).comment for c in range(1, ws.max_column + 1))
        assert ws.max_row == 1  # empty: nothing but the header


def test_property_rates_above_one_only_warn(tmp_path: Path) -> None:
    wb = load_workbook(osr_template(tmp_path / "osr.xlsx"))
    ws = wb["Property tax"]
    column = chr(64 + _header(ws).index("rate") + 1)
    rate = _validations(ws)[f"{column}2"]
    assert (rate.formula2, rate.errorStyle) == ("1", "warning")
    count = _validations(ws)["G2"]  # registered: a stop below 0
    assert (count.operator, count.formula1, count.errorStyle) == (
        "greaterThanOrEqual",
        "0",
        "stop",
    )


def test_plan_template_layout(tmp_path: Path) -> None:
    wb = load_workbook(plan_template(tmp_path / "plan.xlsx"))
    assert wb.sheetnames == ["Instructions", "Plan", "Sources", "Projects", "Codes", "_urbanagenda"]
    assert [wb["Plan"].cell(row=r, column=1).value for r in range(2, 2 + len(PLAN_KEYS))] == list(
        PLAN_KEYS
    )
    projects = wb["Projects"]
    assert _header(projects) == list(PROJECT_FIELDS)
    checks = _validations(projects)
    assert checks["C2"].formula1 == '"' + ",".join(SECTORS) + '"'
    assert checks["J2"].formula1 == '"' + ",".join(STAGES) + '"'
    codes = {(r[0], r[1]) for r in wb["Codes"].iter_rows(min_row=2, values_only=True)}
    targets = [t for t in load_catalogue().targets if t.startswith("11.")]
    assert len(targets) == 10 and all(("sdg_target", t) in codes for t in targets)
    assert sum(1 for kind, _ in codes if kind == "umf_cell") == 20
    assert {c for kind, c in codes if kind == "sector"} == set(SECTORS)


def test_languages(tmp_path: Path) -> None:
    en = load_workbook(osr_template(tmp_path / "en.xlsx"))
    zh = load_workbook(osr_template(tmp_path / "zh.xlsx", lang="zh"))
    fr = load_workbook(osr_template(tmp_path / "fr.xlsx", lang="fr"))
    assert zh["Instructions"]["A1"].value == "自有收入快速分析：填写说明"
    assert fr["Instructions"]["A1"].value == en["Instructions"]["A1"].value
    assert zh["Property tax"]["A1"].comment.text.startswith("参考年份")
    # names the reader matches stay English in every language
    assert zh.sheetnames == en.sheetnames
    assert _header(zh["Property tax"]) == _header(en["Property tax"])
    zh_plan = load_workbook(plan_template(tmp_path / "zh_plan.xlsx", lang="zh"))
    assert zh_plan["Instructions"]["A1"].value == "资本投资优先排序：填写说明"


def test_every_column_has_its_meaning_in_both_languages() -> None:
    assert _FIELDS["en"].keys() == _FIELDS["zh"].keys()
    for lang in ("en", "zh"):
        for layout in OSR_SHEETS:
            assert all(describe(c, layout.title, lang) for c in layout.columns)
        assert all(describe(k, "Plan", lang) for k in PLAN_KEYS)
        assert all(describe(f, "Projects", lang) for f in PROJECT_FIELDS)
    assert describe("rate", "Property tax", "en") != describe("rate", "User charges", "en")


# ------------------------------------------------------------------- filled by hand


def test_a_template_filled_cell_by_cell_reads_like_the_yaml(tmp_path: Path) -> None:
    path = osr_template(tmp_path / "filled.xlsx")
    wb = load_workbook(path)
    _set(wb["Analysis"], {"local_government": "Testville", "currency": "KES", "country": 404})
    _fill(wb["Sources"], [{"id": "acc", "citation": "Testville accounts 2020",
                           "url": "https://example.org/acc"}])  # fmt: skip
    fiscal = {"year": 2020, "population": 100000, "population_low": 90000,
              "population_high": 110000, "usd_rate": 110, "sources": "acc"}  # fmt: skip
    _fill(wb["Fiscal"], [fiscal])
    pt = {"year": 2020, "stream_name": "Rates", "assessed_value": 50000, "rate": 0.01}
    _fill(
        wb["Property tax"],
        [
            # the stream's own fields on its first row; a year typed as text
            {**pt, "estimated": 1250, "actual_reported": 900000, "sources": "acc",
             "item": "residential", "registered": 800, "compliant": 600, "market_value": 80000},
            {**pt, "item": "commercial", "registered": 200, "compliant": 150,
             "compliant_low": 120, "compliant_high": 180, "assessed_value": 200000,
             "market_value": 250000, "rate": 0.02, "legislated_rate": 0.025},
            {**pt, "year": "2021", "estimated": 1300, "item": "residential", "registered": 900,
             "compliant": 700, "market_value": 80000},
        ],
    )  # fmt: skip
    _fill(wb["Business licences"], [{"year": 2020, "stream_name": "Licences", "item": "shops",
          "estimated": 90, "registered": 60, "compliant": 40, "fee": 1500,
          "legislated_fee": 2000}])  # fmt: skip
    _fill(
        wb["User charges"],
        [
            {"year": 2020, "stream_kind": "short", "stream_name": "Markets", "item": "stalls",
             "users_estimated": 500, "users_actual": 400, "rate": 2, "legislated_rate": 3,
             "periods": 300, "per": "day"},
            {"year": 2020, "stream_kind": "long", "stream_name": "Rents", "item": "kiosks",
             "users_estimated": 50, "users_actual": 45, "rate": 1000, "periods": 12},
        ],
    )  # fmt: skip
    _fill(wb["Other taxes"], [{"year": 2020, "stream_name": "Hotel levy", "item": "hotels",
          "users_estimated": 12, "users_actual": 8, "rate": 50000}])  # fmt: skip
    wb.save(path)
    assert read_osr_file(path) == parse_osr(yaml.safe_load(OSR_YAML))


def test_the_empty_template_says_what_to_fill_in(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(osr_template(tmp_path / "empty.xlsx"))
    found = {(i.code, i.sheet, i.row, i.column) for i in exc.value.report.issues}
    assert ("missing-value", "Analysis", 2, "value") in found  # local_government
    assert ("missing-value", "Analysis", 5, "value") in found  # currency


def test_a_plan_template_filled_cell_by_cell_reads_like_the_yaml(tmp_path: Path) -> None:
    path = plan_template(tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    _set(wb["Plan"], {"name": "Testville plan", "area": "ke_kisumu", "currency": "KES",
                      "start_year": 2026, "budget": 1e6, "weights.need": 0.5,
                      "weights.reach": 0.5})  # fmt: skip
    _fill(
        wb["Projects"],
        [
            {"id": "P1", "name": "Bus lanes", "sector": "transport", "cost": 400000, "years": 2,
             "population_served": 30000, "sdg_targets": "11.2;11.6", "umf_cells": "SOC-INCL",
             "stage": "feasibility", "cofinancing": 0.5, "land_secured": "true"},
            {"id": "P2", "name": "Drains", "sector": "drainage_resilience", "cost": 300000,
             "population_served": 10000, "sdg_targets": 11.5, "stage": "idea",
             "environmental_clearance": False, "note": "phase 1"},
        ],
    )  # fmt: skip
    wb.save(path)
    assert read_plan_file(path) == parse_plan(yaml.safe_load(PLAN_YAML))


def test_plan_workbook_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_plan_data(yaml.safe_load(PLAN_YAML), path)
    wb = load_workbook(path)
    _fill(wb["Projects"], [{"sector": "roads", "sdg_targets": "11.2; 12.1"}])
    _set(wb["Plan"], {"horizon": 25})
    wb.save(path)
    with pytest.raises(ValidationFailed) as exc:
        read_plan_file(path)
    found = {(i.code, i.sheet, i.row, i.column) for i in exc.value.report.issues}
    assert ("unknown-code", "Projects", 2, "sector") in found
    assert ("unknown-code", "Projects", 2, "sdg_targets") in found
    assert any(s == "Plan" and r == 6 and c == "value" for _, s, r, c in found)  # horizon


# ------------------------------------------------------------------- filled from an input


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_osr_example_round_trips_through_the_workbook(tmp_path: Path, lang: str) -> None:
    original = read_osr_file(Path(str(EXAMPLES / "freetown_osr.yaml")))
    path = write_osr_xlsx(original, tmp_path / "example.xlsx", lang=lang)
    assert read_osr_file(path) == original
    assert original.example and len(original.years) >= 2  # the case worth testing


def test_the_small_analysis_round_trips_through_the_workbook(tmp_path: Path) -> None:
    original = parse_osr(yaml.safe_load(OSR_YAML))
    path = write_osr_xlsx(original, tmp_path / "small.xlsx")
    assert read_osr_file(path) == original
    # the stream's own fields are written once, on its first row
    ws = load_workbook(path)["Property tax"]
    column = _header(ws).index("actual_reported") + 1
    assert [ws.cell(row=r, column=column).value for r in (2, 3)] == [900000, None]


def test_the_plan_example_round_trips_through_the_workbook(tmp_path: Path) -> None:
    original = read_plan_file(Path(str(EXAMPLES / "freetown_projects.yaml")))
    path = write_plan_xlsx(original, tmp_path / "projects.xlsx")
    assert read_plan_file(path) == original
    small = parse_plan(yaml.safe_load(PLAN_YAML))
    assert read_plan_file(write_plan_xlsx(small, tmp_path / "small.xlsx")) == small


def test_the_writers_refuse_fields_the_template_cannot_hold(tmp_path: Path) -> None:
    data = yaml.safe_load(OSR_YAML)
    data["years"][0]["streams"][0]["colour"] = "red"
    with pytest.raises(DataError, match="colour"):
        write_osr_data(data, tmp_path / "x.xlsx")
    data = yaml.safe_load(OSR_YAML)
    data["years"][0]["streams"][0]["kind"] = "parking"
    with pytest.raises(DataError, match="parking"):
        write_osr_data(data, tmp_path / "x.xlsx")
    with pytest.raises(DataError, match="budget_per_year"):
        write_plan_data({"name": "x", "budget_per_year": [1]}, tmp_path / "y.xlsx")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()
