"""Reading OSR analyses and project lists from YAML, JSON, CSV and workbooks: the same input
in every format gives the same value; problems are located at sheet, row and column; files
that cannot be read say why."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance.files import (
    read_osr_data,
    read_osr_file,
    read_plan_data,
    read_plan_file,
)
from urbanagenda.finance.model import Estimate
from urbanagenda.finance.parse import parse_osr
from urbanagenda.finance.templates import plan_template, write_osr_data
from urbanagenda.ingest.report import Issue

# A small analysis with every stream kind, a range, two years and fiscal rows.
OSR_YAML = """
local_government: Testville
currency: KES
country: "404"
sources:
  - {id: acc, citation: "Testville accounts 2020", url: "https://example.org/acc"}
years:
  - year: 2020
    fiscal: {population: {central: 100000, low: 90000, high: 110000}, usd_rate: 110,
             sources: [acc]}
    streams:
      - kind: property_tax
        name: Rates
        estimated: 1250
        actual_reported: 900000
        sources: [acc]
        categories:
          - {name: residential, registered: 800, compliant: 600, assessed_value: 50000,
             market_value: 80000, rate: 0.01}
          - {name: commercial, registered: 200, compliant: {central: 150, low: 120, high: 180},
             assessed_value: 200000, market_value: 250000, rate: 0.02, legislated_rate: 0.025}
      - kind: business_licence
        name: Licences
        categories:
          - {name: shops, estimated: 90, registered: 60, compliant: 40, fee: 1500,
             legislated_fee: 2000}
      - kind: user_charge_short
        name: Markets
        charges:
          - {name: stalls, users_estimated: 500, users_actual: 400, rate: 2,
             legislated_rate: 3, periods: 300, per: day}
      - kind: user_charge_long
        name: Rents
        charges:
          - {name: kiosks, users_estimated: 50, users_actual: 45, rate: 1000, periods: 12}
      - kind: other_tax
        name: Hotel levy
        charges:
          - {name: hotels, users_estimated: 12, users_actual: 8, rate: 50000}
  - year: 2021
    streams:
      - kind: property_tax
        name: Rates
        estimated: 1300
        categories:
          - {name: residential, registered: 900, compliant: 700, assessed_value: 50000,
             market_value: 80000, rate: 0.01}
"""

# The same analysis as CSV (one row per category or charge; stream fields on one row).
OSR_CSV = """\
local_government,currency,country,year,stream_kind,stream_name,item,estimated,registered,\
compliant,compliant_low,compliant_high,assessed_value,market_value,rate,legislated_rate,fee,\
legislated_fee,users_estimated,users_actual,periods,per,actual_reported,population,\
population_low,population_high,usd_rate,sources,citation,url
Testville,KES,404,,source,,acc,,,,,,,,,,,,,,,,,,,,,,Testville accounts 2020,https://example.org/acc
Testville,KES,404,2020,fiscal,,,,,,,,,,,,,,,,,,,100000,90000,110000,110,acc,,
Testville,KES,404,2020,property_tax,Rates,residential,1250,800,600,,,50000,80000,0.01,,,,,,,,900000,,,,,acc,,
Testville,KES,404,2020,property_tax,Rates,commercial,,200,150,120,180,200000,250000,0.02,0.025,,,,,,,,,,,,,,
,,,2020,business_licence,Licences,shops,90,60,40,,,,,,,1500,2000,,,,,,,,,,,,
,,,2020,user_charge_short,Markets,stalls,,,,,,,,2,3,,,500,400,300,day,,,,,,,,
,,,2020,user_charge_long,Rents,kiosks,,,,,,,,1000,,,,50,45,12,,,,,,,,,
,,,2020,other_tax,Hotel levy,hotels,,,,,,,,50000,,,,12,8,,,,,,,,,,
,,,2021,property_tax,Rates,residential,1300,900,700,,,50000,80000,0.01,,,,,,,,,,,,,,,
"""

PLAN_YAML = """
name: Testville plan
area: ke_kisumu
currency: KES
start_year: 2026
budget: 1000000
weights: {need: 0.5, reach: 0.5}
projects:
  - {id: P1, name: Bus lanes, sector: transport, cost: 400000, years: 2,
     population_served: 30000, sdg_targets: ["11.2", "11.6"], umf_cells: [SOC-INCL],
     stage: feasibility, cofinancing: 0.5, land_secured: true}
  - {id: P2, name: Drains, sector: drainage_resilience, cost: 300000,
     population_served: 10000, sdg_targets: ["11.5"], stage: idea,
     environmental_clearance: false, note: "phase 1"}
"""

PLAN_CSV = """\
id,name,sector,cost,years,population_served,sdg_targets,umf_cells,stage,cofinancing,\
land_secured,environmental_clearance,note
P1,Bus lanes,transport,400000,2,30000,11.2; 11.6,SOC-INCL,feasibility,0.5,yes,,
P2,Drains,drainage_resilience,300000,,10000,11.5,,idea,,,no,phase 1
"""
PLAN_DEFAULTS = {
    "name": "Testville plan",
    "area": "ke_kisumu",
    "currency": "KES",
    "start_year": 2026,
    "budget": 1000000,
    "weights": {"need": 0.5, "reach": 0.5},
}


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _issues(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[Issue]:
    return exc.value.report.issues


def _one(path: Path, code: str) -> Issue:
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(path)
    issues = _issues(exc)
    assert [i.code for i in issues] == [code], exc.value.report.summary()
    assert issues[0].file == str(path)
    return issues[0]


@pytest.fixture
def expected() -> object:
    return parse_osr(yaml.safe_load(OSR_YAML))


# ------------------------------------------------------------------- the same in every format


def test_yaml_and_json_give_the_same_analysis(tmp_path: Path, expected: object) -> None:
    data = yaml.safe_load(OSR_YAML)
    assert read_osr_file(_write(tmp_path, "a.yaml", OSR_YAML)) == expected
    assert read_osr_file(_write(tmp_path, "a.json", json.dumps(data))) == expected


def test_csv_gives_the_same_analysis_as_yaml(tmp_path: Path, expected: object) -> None:
    got = read_osr_file(_write(tmp_path, "a.csv", OSR_CSV))
    assert got == expected
    # the range on one bound column pair and the fiscal range came through
    category = got.years[0].streams[0].categories[1]
    assert category.compliant == Estimate(150, 120, 180)
    assert got.years[0].fiscal.population == Estimate(100000, 90000, 110000)
    assert got.sources[0].url == "https://example.org/acc"


def test_semicolon_separated_csv_and_a_byte_order_mark_are_read(
    tmp_path: Path, expected: object
) -> None:
    # Excel in many locales saves ';'-separated CSV with a BOM; no field here has a ';'
    text = OSR_CSV.replace(";", "|").replace(",", ";").replace("|", ";")
    path = _write(tmp_path, "a.csv", "\ufeff" + text)
    assert read_osr_file(path) == expected


def test_csv_plain_data_is_the_yaml_format(tmp_path: Path) -> None:
    data = read_osr_data(_write(tmp_path, "a.csv", OSR_CSV))
    assert data["local_government"] == "Testville" and data["country"] == "404"
    stream = data["years"][0]["streams"][0]
    assert stream["estimated"] == 1250 and stream["sources"] == ["acc"]
    assert stream["categories"][1]["compliant"] == {"central": 150, "low": 120, "high": 180}
    assert [y["year"] for y in data["years"]] == [2020, 2021]


def test_a_suffix_that_lies_is_overruled_by_the_content(tmp_path: Path, expected: object) -> None:
    xlsx = tmp_path / "a.xlsx"
    write_osr_data(yaml.safe_load(OSR_YAML), xlsx)
    lying = _write(tmp_path, "really_a_workbook.csv", xlsx.read_bytes())
    assert read_osr_file(lying) == expected
    # a JSON file without a known suffix is sniffed
    unnamed = _write(tmp_path, "analysis.data", json.dumps(yaml.safe_load(OSR_YAML)))
    assert read_osr_file(unnamed) == expected


# ------------------------------------------------------------------- problems located


def test_csv_problems_are_located_at_line_and_column(tmp_path: Path) -> None:
    lines = OSR_CSV.splitlines()
    # line 4 (residential 2020): compliant 900 > registered 800; line 6: fee not a number
    lines[3] = lines[3].replace(",800,600,", ",800,900,")
    lines[5] = lines[5].replace(",1500,", ",1 500,")
    path = _write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(path)
    where = {(i.code, i.row, i.column) for i in _issues(exc)}
    assert ("rule-broken", 4, "compliant") in where or ("rule-broken", 4, "registered") in where
    assert ("non-numeric-value", 6, "fee") in where
    assert all(i.file == str(path) and i.sheet is None for i in _issues(exc))


def test_every_layout_and_value_problem_is_reported_at_once(tmp_path: Path) -> None:
    lines = OSR_CSV.splitlines()
    lines[0] = lines[0].replace("market_value", "markt_value")  # typo in a header
    lines[4] = lines[4].replace(",2020,", ",,", 1)  # a row without a year
    lines[6] = lines[6].replace("user_charge_short", "user_charge_shortt")
    lines[7] = lines[7].replace(",1000,", ",-5,")  # a negative charge
    path = _write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(path)
    found = {(i.code, i.row, i.column) for i in _issues(exc)}
    assert ("unknown-field", 1, "markt_value") in found
    assert ("missing-value", 5, "year") in found
    assert ("unknown-code", 7, "stream_kind") in found
    assert ("out-of-range", 8, "rate") in found
    # the header typo drops market_value: the parser asks for it on each category's row
    assert ("missing-value", 4, "market_value") in found


def test_stream_fields_given_twice_must_agree(tmp_path: Path) -> None:
    lines = OSR_CSV.splitlines()
    lines[4] = lines[4].replace("commercial,,", "commercial,1300,")  # estimated again, other
    path = _write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(path)
    [issue] = _issues(exc)
    assert (issue.code, issue.row, issue.column) == ("duplicate-key", 5, "estimated")
    assert "row 4" in issue.message
    # the same value on both rows is fine
    same = OSR_CSV.splitlines()
    same[4] = same[4].replace("commercial,,", "commercial,1250,")
    assert read_osr_file(_write(tmp_path, "ok.csv", "\n".join(same) + "\n")).years[0]


def test_header_facts_must_agree_across_rows(tmp_path: Path) -> None:
    text = OSR_CSV.replace("Testville,KES,404,2020,fiscal", "Testville,UGX,404,2020,fiscal")
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(_write(tmp_path, "bad.csv", text))
    [issue] = _issues(exc)
    assert (issue.code, issue.row, issue.column, issue.found) == (
        "duplicate-key",
        3,
        "currency",
        "UGX",
    )


def test_workbook_problems_are_located_at_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    write_osr_data(yaml.safe_load(OSR_YAML), path)
    wb = load_workbook(path)
    ws = wb["Property tax"]
    header = [c.value for c in ws[1]]
    # row 3 is the commercial category of 2020: its compliant_low above the central value
    ws.cell(row=3, column=header.index("compliant_low") + 1, value=170)
    ws.cell(row=2, column=header.index("registered") + 1).value = None  # a required blank
    wb["Analysis"]["B5"] = "kes shillings"  # currency (row 5 of the key/value sheet)
    wb.save(path)
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(path)
    found = {(i.code, i.sheet, i.row, i.column) for i in _issues(exc)}
    assert ("rule-broken", "Property tax", 3, "compliant_low") in found
    assert ("missing-value", "Property tax", 2, "registered") in found
    assert any(s == "Analysis" and r == 5 and c == "value" for _, s, r, c in found)


def test_unknown_and_misnamed_sheets_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    write_osr_data(yaml.safe_load(OSR_YAML), path)
    wb = load_workbook(path)
    wb["Other taxes"].title = "Other taxs"
    wb.save(path)
    with pytest.raises(ValidationFailed) as exc:
        read_osr_file(path)
    [issue] = _issues(exc)
    assert (issue.code, issue.sheet) == ("unknown-field", "Other taxs")


def test_sheet_titles_are_matched_without_case_or_spaces(tmp_path: Path, expected: object) -> None:
    path = tmp_path / "a.xlsx"
    write_osr_data(yaml.safe_load(OSR_YAML), path)
    wb = load_workbook(path)
    wb["Property tax"].title = "PROPERTY_TAX"
    wb.save(path)
    assert read_osr_file(path) == expected


# ------------------------------------------------------------------- files that cannot be read


def test_missing_and_empty_files(tmp_path: Path) -> None:
    assert _one(tmp_path / "nope.yaml", "file-not-found").message.startswith("the path does")
    assert "folder" in _one(tmp_path, "file-not-found").message
    _one(_write(tmp_path, "empty.csv", "  \n"), "empty-file")
    _one(_write(tmp_path, "header_only.csv", "year,stream_kind\n"), "empty-file")
    _one(_write(tmp_path, "empty.yaml", "# nothing\n"), "empty-file")


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    text = OSR_CSV.replace("Testville", "Témoinville").encode("latin-1")
    issue = _one(_write(tmp_path, "latin.csv", text), "encoding-error")
    assert issue.row == 2 and "UTF-8" in (issue.fix or "")


def test_workbooks_that_are_not_zip_archives(tmp_path: Path) -> None:
    renamed = _one(_write(tmp_path, "csv.xlsx", OSR_CSV), "not-a-zip")
    assert ".csv" in (renamed.fix or "")
    xlsx = tmp_path / "full.xlsx"
    write_osr_data(yaml.safe_load(OSR_YAML), xlsx)
    cut = _write(tmp_path, "cut.xlsx", xlsx.read_bytes()[:3000])
    assert "truncated" in _one(cut, "not-a-zip").message
    assert ".xlsx" in (
        _one(_write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 60), "unknown-format").fix
        or ""
    )


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    _one(path, "parse-error")


def test_malformed_and_truncated_text(tmp_path: Path) -> None:
    assert _one(_write(tmp_path, "a.yaml", "years: [1, 2\nname: x\n"), "parse-error").row
    full = json.dumps(yaml.safe_load(OSR_YAML))
    assert "truncated" in _one(_write(tmp_path, "a.json", full[:200]), "parse-error").message
    assert "mapping" in _one(_write(tmp_path, "b.json", "[1, 2]"), "parse-error").message
    broken = OSR_CSV + '2020,"unclosed\n'
    assert _one(_write(tmp_path, "a.csv", broken), "parse-error").row
    extra = OSR_CSV + ",,,2021,other_tax,Levy,x" + "," * 40 + "\n"
    assert _one(_write(tmp_path, "b.csv", extra), "parse-error").row == 11


def test_wrong_workbooks(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Data"  # type: ignore[union-attr]
    wb.save(tmp_path / "other.xlsx")
    issue = _one(tmp_path / "other.xlsx", "missing-sheet")
    assert issue.found == "Data" and "Analysis" in (issue.expected or "")
    plan_template(tmp_path / "plan.xlsx")
    assert "project-list" in _one(tmp_path / "plan.xlsx", "unknown-format").message
    with pytest.raises(ValidationFailed) as exc:
        read_plan_file(_write(tmp_path, "osr.xlsx", (tmp_path / "other.xlsx").read_bytes()))
    assert [i.code for i in _issues(exc)] == ["missing-sheet"]


def test_a_csv_without_the_grouping_columns(tmp_path: Path) -> None:
    issue = _one(_write(tmp_path, "a.csv", "year,item\n2020,x\n"), "missing-column")
    assert issue.column == "stream_kind"


# ------------------------------------------------------------------- project lists


def test_plan_csv_with_defaults_equals_the_yaml(tmp_path: Path) -> None:
    expected = read_plan_file(_write(tmp_path, "p.yaml", PLAN_YAML))
    got = read_plan_file(_write(tmp_path, "p.csv", PLAN_CSV), defaults=PLAN_DEFAULTS)
    assert got == expected
    assert got.projects[0].sdg_targets == ("11.2", "11.6")
    assert got.projects[0].land_secured is True and got.projects[1].note == "phase 1"


def test_plan_defaults_fill_only_what_the_file_lacks(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.yaml", PLAN_YAML)
    plan = read_plan_file(path, defaults={"name": "from the command line", "horizon": 4})
    assert plan.name == "Testville plan" and plan.horizon == 4


def test_plan_csv_problems_are_located(tmp_path: Path) -> None:
    text = PLAN_CSV.replace("transport", "transit").replace("0.5,yes", "1.5,yes")
    with pytest.raises(ValidationFailed) as exc:
        read_plan_file(_write(tmp_path, "p.csv", text), defaults=PLAN_DEFAULTS)
    found = {(i.code, i.row, i.column) for i in _issues(exc)}
    assert ("unknown-code", 2, "sector") in found
    assert ("out-of-range", 2, "cofinancing") in found


def test_plan_csv_without_a_name_says_so(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        read_plan_file(_write(tmp_path, "p.csv", PLAN_CSV))
    assert any(i.code == "missing-value" and i.column == "name" for i in _issues(exc))


def test_plan_workbook_plain_data(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    plan_template(path)
    wb = load_workbook(path)
    keys = {wb["Plan"].cell(row=r, column=1).value: r for r in range(2, 30)}
    wb["Plan"].cell(row=keys["name"], column=2, value="Plan X")
    wb["Plan"].cell(row=keys["budget_by_year"], column=2, value="100; 200;300")
    wb["Plan"].cell(row=keys["weights.need"], column=2, value=0.6)
    projects = wb["Projects"]
    header = [c.value for c in projects[1]]
    row = {
        "id": 7,
        "name": "Market",
        "sector": "economic_development",
        "cost": "2.5e5",
        "population_served": 1000,
        "sdg_targets": 11.3,
        "land_secured": "TRUE",
    }
    for column, value in row.items():
        projects.cell(row=2, column=header.index(column) + 1, value=value)
    wb.save(path)
    data = read_plan_data(path)
    assert data == {
        "name": "Plan X",
        "budget_by_year": [100, 200, 300],
        "weights": {"need": 0.6},
        "projects": [
            {
                "id": "7",
                "name": "Market",
                "sector": "economic_development",
                "cost": 250000.0,
                "population_served": 1000,
                "sdg_targets": ["11.3"],
                "land_secured": True,
            }
        ],
    }
