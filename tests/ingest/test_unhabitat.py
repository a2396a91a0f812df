"""The UN-Habitat Urban Indicators Database readers, on the real bundled workbooks."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.report import Issue
from urbanagenda.ingest.unhabitat import (
    UNHABITAT_READERS,
    GreenAreasReader,
    OpenSpacesReader,
    SlumEstimatesReader,
    resolve_area_name,
)
from urbanagenda.model.observations import COLUMNS

DATA = Path(str(resources.files("urbanagenda").joinpath("data", "unhabitat")))
OPEN_SPACES = DATA / "unhabitat_sdg11-7-1_open_spaces_by_city_2024.xlsx"
GREEN = DATA / "unhabitat_green_areas_by_city_1990-2020_2024.xlsx"
SLUMS = DATA / "unhabitat_slum_estimates_by_country_2000-2020.xlsx"
SDGDB = DATA / "sdgdb_format_EN_URB_OPENSP_AFG_cities.xlsx"

Reader = OpenSpacesReader | GreenAreasReader | SlumEstimatesReader


def read_all(reader: Reader, path: Path, **kw: int) -> tuple[pd.DataFrame, list[Issue]]:
    chunks: list[Chunk] = list(reader.read(path, **kw))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    return frame, [i for c in chunks for i in c.issues]


def one(frame: pd.DataFrame, series: str, area: str, year: int) -> pd.Series:
    hit = frame[(frame.series_code == series) & (frame.area_code == area) & (frame.year == year)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def sheet_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()


@pytest.fixture(scope="module")
def open_spaces() -> pd.DataFrame:
    frame, issues = read_all(OpenSpacesReader(), OPEN_SPACES)
    assert issues == []
    return frame


@pytest.fixture(scope="module")
def green() -> pd.DataFrame:
    frame, issues = read_all(GreenAreasReader(), GREEN)
    assert issues == []
    return frame


@pytest.fixture(scope="module")
def slums() -> pd.DataFrame:
    frame, issues = read_all(SlumEstimatesReader(), SLUMS)
    assert issues == []
    return frame


# --------------------------------------------------------------------------- detection


def test_each_reader_recognises_only_its_own_workbook() -> None:
    expected = {
        "unhabitat-open-spaces": OPEN_SPACES,
        "unhabitat-green-areas": GREEN,
        "unhabitat-slums": SLUMS,
    }
    for reader in UNHABITAT_READERS:
        for path in (OPEN_SPACES, GREEN, SLUMS, SDGDB):
            assert reader.sniff(path) is (path == expected[reader.format_name]), (reader, path)


def test_sniff_is_false_for_files_that_are_not_workbooks(tmp_path: Path) -> None:
    csv_file = tmp_path / "open_spaces.xlsx"
    csv_file.write_text("City Code,Value\nAF_KABUL,1\n", encoding="utf-8")
    missing = tmp_path / "nothing.xlsx"
    for reader in UNHABITAT_READERS:
        assert not reader.sniff(csv_file)
        assert not reader.sniff(missing)


# --------------------------------------------------------------------------- 11.7.1


def test_open_spaces_rows_per_series(open_spaces: pd.DataFrame) -> None:
    assert list(open_spaces.columns) == [*COLUMNS, "_row", "_sheet"]
    counts = open_spaces.groupby("series_code").size().to_dict()
    # 1,380 city rows; 101 of them have no open-space share [a]
    assert counts == {"EN_URB_OPENSP": 1279, "UH_OPENSP_ACCESS": 1380}
    assert set(open_spaces.year) == {2014, 2018, 2020, 2021, 2022}
    assert set(open_spaces.unit) == {"PT"}
    cities = open_spaces[~open_spaces.area_code.isin(["578", "48"])]
    assert cities.area_code.str.fullmatch(r"[a-z]{2}_[a-z0-9_]+").all()
    assert not open_spaces.duplicated(["series_code", "area_code", "year"]).any()


def test_open_spaces_real_values(open_spaces: pd.DataFrame) -> None:
    lomza = one(open_spaces, "EN_URB_OPENSP", "pl_lomza", 2020)
    assert lomza.value == 8.392445859736094
    assert (lomza._row, lomza._sheet) == (2, "SDG 11-7-1 2024")
    assert lomza.source == "Statistics Poland"
    assert lomza.footnote.startswith("[a] [b]Calculated as the proportion of urban area")
    assert one(open_spaces, "UH_OPENSP_ACCESS", "pl_lomza", 2020).value == 77.79878508015231
    # Kandahar has no open-space share [a] (an empty cell): only the access share is read
    kandahar = open_spaces[open_spaces.area_code == "af_kandahar"]
    assert list(kandahar.series_code) == ["UH_OPENSP_ACCESS"]
    assert kandahar.iloc[0].value == 45.938928911038765
    assert kandahar.iloc[0]._row == 39


def test_open_spaces_national_rows_get_the_country_code(open_spaces: pd.DataFrame) -> None:
    # City Code NOCITI_NORWAY, City Name "National", Country or Territory Code 578
    norway = one(open_spaces, "UH_OPENSP_ACCESS", "578", 2022)
    assert (norway.value, norway._row) == (61, 1365)
    assert one(open_spaces, "UH_OPENSP_ACCESS", "48", 2018).value == 17.8  # Bahrain


def test_open_spaces_row_points_at_the_source_cell(open_spaces: pd.DataFrame) -> None:
    rows = sheet_rows(OPEN_SPACES, "SDG 11-7-1 2024")
    header = list(rows[0])
    column = {
        "EN_URB_OPENSP": header.index(
            "Average share of the built-up area of cities that is open space for public use "
            "for all (%) [a]"
        ),
        "UH_OPENSP_ACCESS": header.index(
            "Average share of urban population with convenient access to open public spaces (%) [b]"
        ),
    }
    for obs in (pd.Series(r) for r in open_spaces.to_dict("records")):
        cells = rows[obs._row - 1]
        assert cells[column[obs.series_code]] == obs.value
        city = cells[header.index("City Code")].lower()
        assert obs.area_code == (str(cells[3]) if city.startswith("nociti") else city)
        assert cells[header.index("Data Reference Year")] == obs.year


def test_open_spaces_aggregates_on_request() -> None:
    frame, issues = read_all(OpenSpacesReader(aggregates=True), OPEN_SPACES)
    assert issues == []
    assert frame.groupby("series_code").size().to_dict() == {
        "EN_URB_OPENSP": 1279,
        "UH_OPENSP_ACCESS": 1394,
    }
    world = one(frame, "UH_OPENSP_ACCESS", "1", 2020)
    assert (world.value, world._row) == (44.21464990544337, 1395)
    # the UN regional commissions keep the workbook's own (non-M49) codes
    assert one(frame, "UH_OPENSP_ACCESS", "98100", 2020).value == 23.21141133066219


def test_sdg_database_files_the_access_share_under_en_urb_opensp(
    open_spaces: pd.DataFrame,
) -> None:
    """A fact of the real data worth keeping in view (see the reader's report).

    The SDG Global Database export of EN_URB_OPENSP gives Kabul 13 in 2020: that is this
    workbook's access share [b] (13.04), not its open-space share [a] (19.90).
    """
    assert round(one(open_spaces, "UH_OPENSP_ACCESS", "af_kabul", 2020).value, 1) == 13.0
    assert round(one(open_spaces, "EN_URB_OPENSP", "af_kabul", 2020).value, 1) == 19.9


# --------------------------------------------------------------------------- green areas


def test_green_areas_rows_per_series(green: pd.DataFrame) -> None:
    # 659 cities x 4 years; the 8 regional rows have no City Code
    assert green.groupby("series_code").size().to_dict() == {
        "UH_GREEN_AREA_PC": 2636,
        "UH_GREEN_AREA_SHARE": 2636,
    }
    assert set(green.year) == {1990, 2000, 2010, 2020}
    assert set(zip(green.series_code, green.unit, strict=True)) == {
        ("UH_GREEN_AREA_SHARE", "PT"),
        ("UH_GREEN_AREA_PC", "SQ_M_PER_CAPITA"),
    }
    assert green.area_code.nunique() == 659


def test_green_areas_real_values_and_citation(green: pd.DataFrame) -> None:
    share = one(green, "UH_GREEN_AREA_SHARE", "af_kabul", 1990)
    assert share.value == 5.494391049483738
    assert (share._row, share._sheet) == (2, "Data")
    per_person = one(green, "UH_GREEN_AREA_PC", "af_herat", 2020)
    assert per_person.value == 1.7469827282917845
    assert per_person._row == 3
    assert set(green.source) == {
        "UN-Habitat (United Nations Human Settlements Programme), Global Urban Indicators "
        "Database, share of green areas in cities and green area per capita, 2024"
    }


def test_green_areas_aggregates_resolve_region_names() -> None:
    frame, issues = read_all(GreenAreasReader(aggregates=True), GREEN)
    assert issues == []
    assert len(frame) == 2 * 667 * 4
    # "Global Average" is the World; "Western Asia\xa0and Northern Africa" the SDG region 747
    assert one(frame, "UH_GREEN_AREA_SHARE", "1", 2020).value == 13.861901487618002
    assert one(frame, "UH_GREEN_AREA_PC", "747", 1990).value == 16.525349828785302


def test_green_areas_without_metadata_sheet_cite_the_data_source(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Data"
    header = sheet_rows(GREEN, "Data")[0]
    ws.append(list(header))
    ws.append(list(sheet_rows(GREEN, "Data")[1]))
    path = tmp_path / "green.xlsx"
    wb.save(path)
    frame, issues = read_all(GreenAreasReader(), path)
    assert issues == []
    assert len(frame) == 8
    assert set(frame.source) == {"UN-Habitat Urban Indicators Database, 2553"}


# --------------------------------------------------------------------------- slums


def test_slum_rows_per_series(slums: pd.DataFrame) -> None:
    # 108 countries; cells with "…" give no row
    assert slums.groupby("series_code").size().to_dict() == {
        "EN_LND_SLUM": 1087,
        "EN_LND_SLUMN": 1091,
    }
    assert slums.area_code.nunique() == 108
    assert set(slums.location) == {"U"}
    assert set(zip(slums.series_code, slums.unit, strict=True)) == {
        ("EN_LND_SLUM", "PT"),
        ("EN_LND_SLUMN", "NUMBER"),
    }
    assert set(slums.year) == set(range(2000, 2021, 2))
    assert not slums.value.isin(["…", "..."]).any()
    assert pd.to_numeric(slums.value).notna().all()


def test_slum_missing_markers_are_skipped(slums: pd.DataFrame) -> None:
    afghanistan = slums[(slums.area_code == "4") & (slums.series_code == "EN_LND_SLUM")]
    # 2000, 2002 and 2004 are "…" in the workbook
    assert list(afghanistan.year) == [2006, 2008, 2010, 2012, 2014, 2016, 2018, 2020]
    assert set(afghanistan._row) == {3}
    assert set(afghanistan._sheet) == {"Slum estimates"}
    argentina = slums[(slums.area_code == "32") & (slums.series_code == "EN_LND_SLUMN")]
    assert max(argentina.year) == 2012  # 2014-2020 are "…"


def test_slum_real_values_and_thousands_to_persons(slums: pd.DataFrame) -> None:
    assert one(slums, "EN_LND_SLUM", "4", 2006).value == 63.6
    assert one(slums, "EN_LND_SLUM", "8", 2020).value == 2.8  # Albania
    # the workbook gives 3772.4200080000005 thousand
    assert one(slums, "EN_LND_SLUMN", "4", 2006).value == pytest.approx(3_772_420.008)
    albania = one(slums, "EN_LND_SLUMN", "8", 2000)
    assert albania.value == pytest.approx(366_181.497)
    assert albania._row == 4
    # names spelt differently from M49: Turkey, Vietnam, Republic Moldova, Bosnia & Herzegovina
    for code in ("792", "704", "498", "70", "180", "140"):
        assert code in set(slums.area_code), code
    assert one(slums, "EN_LND_SLUM", "792", 2000).value == 24.5813604670468
    assert slums.iloc[0].source.startswith("United Nations Human Settlement Programme")
    assert "slum household" in slums.iloc[0].footnote


def test_slum_row_points_at_the_source_cell(slums: pd.DataFrame) -> None:
    rows = sheet_rows(SLUMS, "Slum estimates")
    years = rows[1]
    for obs in (pd.Series(r) for r in slums.sample(200, random_state=1).to_dict("records")):
        cells = rows[obs._row - 1]
        block = range(1, 12) if obs.series_code == "EN_LND_SLUM" else range(13, 24)
        column = next(i for i in block if years[i] == obs.year)
        factor = 1 if obs.series_code == "EN_LND_SLUM" else 1000
        assert cells[column] * factor == pytest.approx(obs.value)


def test_slum_aggregates_on_request() -> None:
    frame, issues = read_all(SlumEstimatesReader(aggregates=True), SLUMS)
    assert issues == []
    assert frame.area_code.nunique() == 117
    assert one(frame, "EN_LND_SLUM", "1", 2020).value == 24.20500285224266
    # UN-Habitat's "Oceania" excludes Australia and New Zealand, which have a row of their own
    assert one(frame, "EN_LND_SLUM", "543", 2020).value == 15.252286142515281
    # published with a typo: "Latin America and The Carbbean"
    assert one(frame, "EN_LND_SLUM", "419", 2000).value == 31.860304324141225


def test_area_names_resolve() -> None:
    assert resolve_area_name("Cote d'Ivoire") == "384"
    assert resolve_area_name("Congo") == "178"
    assert resolve_area_name("Sub Saharan Africa") == "202"
    assert resolve_area_name("Latin America and The Carbbean") == "419"
    assert resolve_area_name("Atlantis") is None


# --------------------------------------------------------------------------- bad inputs


def only_issue(reader: Reader, path: Path) -> Issue:
    frame, issues = read_all(reader, path)
    assert frame.empty
    assert len(issues) == 1, issues
    return issues[0]


@pytest.mark.parametrize("source", [OPEN_SPACES, GREEN, SLUMS])
def test_truncated_workbook_is_not_a_zip(tmp_path: Path, source: Path) -> None:
    data = source.read_bytes()
    path = tmp_path / source.name
    path.write_bytes(data[: len(data) // 2])
    for reader in UNHABITAT_READERS:
        issue = only_issue(reader, path)
        assert issue.code == "not-a-zip"
        assert issue.file == str(path)
        assert issue.found == "a truncated ZIP archive"
        assert issue.fix and "save it" in issue.fix


def test_csv_renamed_xlsx_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "slums.xlsx"
    path.write_text("Country,2000\nAfghanistan,…\n", encoding="utf-8")
    issue = only_issue(SlumEstimatesReader(), path)
    assert issue.code == "not-a-zip"
    assert issue.found is not None and "Country" in issue.found


def test_empty_and_absent_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert only_issue(OpenSpacesReader(), empty).code == "empty-file"
    assert only_issue(OpenSpacesReader(), tmp_path / "absent.xlsx").code == "file-not-found"


def test_altered_header_is_a_missing_column(tmp_path: Path) -> None:
    rows = sheet_rows(OPEN_SPACES, "SDG 11-7-1 2024")[:5]
    header = ["City ID" if h == "City Code" else h for h in rows[0]]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "SDG 11-7-1 2024"
    for cells in [header, *rows[1:]]:
        ws.append(list(cells))
    path = tmp_path / "open_spaces.xlsx"
    wb.save(path)
    assert OpenSpacesReader().sniff(path)  # still recognised by its sheet name
    issue = only_issue(OpenSpacesReader(), path)
    assert issue.code == "missing-column"
    assert (issue.sheet, issue.row, issue.column) == ("SDG 11-7-1 2024", 1, "City Code")
    assert issue.found is not None and "City ID" in issue.found
    assert issue.expected and issue.fix


def test_missing_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.append(["Country", "Value"])
    path = tmp_path / "other.xlsx"
    wb.save(path)
    for reader in UNHABITAT_READERS:
        assert not reader.sniff(path)
        issue = only_issue(reader, path)
        assert issue.code == "missing-sheet"
        assert issue.found == "'Sheet1'"


def slum_workbook(path: Path, rows: list[list[object]]) -> Path:
    original = sheet_rows(SLUMS, "Slum estimates")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Slum estimates"
    for cells in [list(original[0]), list(original[1]), *rows]:
        ws.append(cells)
    wb.save(path)
    return path


def test_slum_year_header_altered(tmp_path: Path) -> None:
    original = sheet_rows(SLUMS, "Slum estimates")
    path = slum_workbook(tmp_path / "slums.xlsx", [list(original[3])])
    wb = openpyxl.load_workbook(path)
    wb["Slum estimates"]["D2"] = "Year 2004"
    wb.save(path)
    issue = only_issue(SlumEstimatesReader(), path)
    assert issue.code == "parse-error"
    assert (issue.sheet, issue.row, issue.column, issue.found) == (
        "Slum estimates",
        2,
        "D",
        "Year 2004",
    )


def test_slum_unknown_country_and_text_values(tmp_path: Path) -> None:
    blank: list[object] = [None] * 11
    path = slum_workbook(
        tmp_path / "slums.xlsx",
        [
            ["Atlantis", 12.5, *blank[1:], None, 100, *blank[1:]],
            ["Kenya", "n/a", "…", "...", *blank[3:], None, *blank],
        ],
    )
    frame, issues = read_all(SlumEstimatesReader(), path)
    assert [(i.code, i.row, i.column, i.found) for i in issues] == [
        ("unknown-area", 3, "Country", "Atlantis")
    ]
    assert list(zip(frame.area_code, frame.series_code, frame.value, frame._row, strict=True)) == [
        ("Atlantis", "EN_LND_SLUM", 12.5, 3),
        ("Atlantis", "EN_LND_SLUMN", 100_000.0, 3),
        ("404", "EN_LND_SLUM", "n/a", 4),  # text stays text for the validator; "…" is skipped
    ]


def test_chunks(open_spaces: pd.DataFrame) -> None:
    chunks = list(OpenSpacesReader().read(OPEN_SPACES, chunk_rows=1000))
    assert [len(c.frame) for c in chunks] == [1000, 1000, 659]
    joined = pd.concat([c.frame for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(joined, open_spaces)
