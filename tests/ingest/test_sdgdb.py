"""The UN SDG Global Database export reader, on the real 26-row specimen and bad inputs."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import openpyxl
import pandas as pd

from urbanagenda.ingest.report import Issue
from urbanagenda.ingest.sdgdb import SdgDbReader, city_id
from urbanagenda.model.observations import COLUMNS

DATA = Path(str(resources.files("urbanagenda").joinpath("data", "unhabitat")))
SPECIMEN = DATA / "sdgdb_format_EN_URB_OPENSP_AFG_cities.xlsx"

SPECIMEN_AREAS = [
    *("af_farah", "af_charikar", "af_kabul", "af_jalalabad", "af_khan_abad", "af_herat"),
    *("af_pul_e_khumri", "af_mazar_e_sharif", "af_lashkargah", "af_kandahar"),
    *("dz_el_khroub", "dz_tolga", "dz_tiaret", "dz_tebessa", "dz_annaba", "dz_tamanrasset"),
    *("dz_oran", "dz_msila", "dz_mila", "dz_khemis_miliana", "dz_batna", "dz_el_djazair"),
    *("dz_djelfa", "dz_chlef", "dz_blida", "ao_luanda"),
]


def read_all(path: Path, **kw: int) -> tuple[pd.DataFrame, list[Issue]]:
    chunks = list(SdgDbReader().read(path, **kw))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    return frame, [i for c in chunks for i in c.issues]


def specimen_rows() -> list[list[object]]:
    wb = openpyxl.load_workbook(SPECIMEN, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in wb["Goal11"].iter_rows(values_only=True)]
    finally:
        wb.close()
    width = max(i + 1 for i, h in enumerate(rows[0]) if h is not None)
    return [r[:width] for r in rows]


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Goal11") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for cells in rows:
        ws.append(cells)
    wb.save(path)
    return path


# --------------------------------------------------------------------------- the specimen


def test_specimen_is_recognised() -> None:
    assert SdgDbReader().sniff(SPECIMEN)
    for other in DATA.glob("unhabitat_*.xlsx"):
        assert not SdgDbReader().sniff(other), other


def test_specimen_rows_and_city_codes() -> None:
    frame, issues = read_all(SPECIMEN)
    assert issues == []
    assert list(frame.columns) == [*COLUMNS, "_row", "_sheet"]
    assert len(frame) == 26
    assert list(frame.area_code) == SPECIMEN_AREAS
    assert set(frame.series_code) == {"EN_URB_OPENSP"}
    assert set(frame.year) == {2020}
    assert list(frame._row) == list(range(2, 28))
    assert set(frame._sheet) == {"Goal11"}
    assert set(frame.unit) == {"PERCENT"}  # as given; the validator normalises units
    assert set(frame.nature) == {"E"}
    assert set(frame.source) == {"UN-Habitat Urban Indicators Database"}
    assert set(frame.sex) == set(frame.age) == set(frame.location) == {"_T"}
    assert set(frame.breakdown) == {""}  # Reporting Type G, empty Custom Breakdown
    kabul = frame[frame.area_code == "af_kabul"].iloc[0]
    assert (kabul.value, kabul._row) == (13, 4)
    assert frame[frame.area_code == "dz_el_djazair"].iloc[0].value == 41.2
    assert frame.footnote.iloc[0].startswith("An open public space (OPS) is defined")


def test_specimen_matches_the_sdg_database_mirror() -> None:
    """The same observations as the bundled DDF mirror of the SDG Global Database."""
    frame, _ = read_all(SPECIMEN)
    name = "ddf--datapoints--en_urb_opensp--by--cities--custom_breakdown--geo_area--nature--units--year.csv"  # noqa: E501
    ddf = pd.read_csv(DATA.parent / "un_sdg_goal11_ddf" / name)
    merged = frame.merge(ddf, left_on=["area_code", "year"], right_on=["cities", "year"])
    assert len(merged) == 26
    assert (merged.value.astype(float) == merged.en_urb_opensp).all()


def test_csv_export_gives_the_same_observations(tmp_path: Path) -> None:
    rows = specimen_rows()
    xlsx, _ = read_all(SPECIMEN)
    for name, encoding in (("bom.csv", "utf-8-sig"), ("plain.csv", "utf-8")):
        frame, issues = read_all(write_csv(tmp_path / name, rows, encoding))
        assert issues == []
        assert SdgDbReader().sniff(tmp_path / name)
        assert list(frame.area_code) == SPECIMEN_AREAS
        assert list(frame._row) == list(range(2, 28))
        assert set(frame._sheet) == {""}
        assert list(frame.value) == [float(v) for v in xlsx.value]  # numbers parsed
        assert frame.year.dtype == "int64"


# --------------------------------------------------------------------------- dimensions


def test_dimensions_map_to_dsd_codes(tmp_path: Path) -> None:
    header = [
        *("Goal", "SeriesCode", "GeoAreaCode", "GeoAreaName", "TimePeriod", "Value", "Units"),
        *("[Nature]", "[Sex]", "[Age]", "[Location]", "[Reporting Type]"),
        *("[Level_of_government]", "[Hazard type]", "Source", "FootNote"),
    ]
    rows = [
        header,
        [11, "EN_LND_SLUM", 566, "Nigeria", 2018, "49.3", "PERCENT", "c", "BOTHSEX", "ALLAGE",
         "URBAN", "G", "", "", "UN-Habitat", ""],
        [11, "VC_DSR_MORT", 4, "Afghanistan", 2019, "12", "NUMBER", "C", "FEMALE", "15-24",
         "ALLAREA", "N", "LOCAL", "FLOOD", "DesInventar", "note"],
        [11, "VC_DSR_MORT", 4, "Afghanistan", 2019, "<5", "NUMBER", "", "MALE", "65+",
         "RURAL", "R", "_T", "", "", ""],
    ]  # fmt: skip
    frame, issues = read_all(write_csv(tmp_path / "dims.csv", rows))
    assert issues == []
    got = frame[["area_code", "sex", "age", "location", "breakdown", "nature", "value"]]
    assert got.to_dict("records") == [
        {"area_code": "566", "sex": "_T", "age": "_T", "location": "U", "breakdown": "",
         "nature": "C", "value": 49.3},
        {"area_code": "4", "sex": "F", "age": "Y15T24", "location": "_T",
         "breakdown": "COMPOSITE_BREAKDOWN=LG_LOCAL;HAZARD_TYPE=FLOOD;REPORTING_TYPE=N",
         "nature": "C", "value": 12.0},
        {"area_code": "4", "sex": "M", "age": "Y_GE65", "location": "R",
         "breakdown": "REPORTING_TYPE=R", "nature": "", "value": "<5"},
    ]  # fmt: skip
    assert list(frame.footnote) == ["", "note", ""]


def test_city_ids() -> None:
    assert city_id("Kābul (Kabul)", "4") == "af_kabul"
    assert city_id("Mazār-e Sharīf (Mazar-i-Sharif)", "4") == "af_mazar_e_sharif"
    assert city_id("M'Sila", "12") == "dz_msila"
    assert city_id("AE_DUBAYY", "784") == "ae_dubayy"  # an id is taken as it is
    assert city_id("Łomża", "616") == "pl_lomza"  # only in the UN-Habitat workbooks
    assert city_id("Kabul", "12") is None  # not in Algeria
    assert city_id("Atlantis", "4") is None


def test_national_rows_and_unknown_cities(tmp_path: Path) -> None:
    rows = specimen_rows()
    rows[1][7] = "NOCITI"  # the SDG database's "no city": a national value
    rows[3][7] = "Atlantis"
    frame, issues = read_all(write_xlsx(tmp_path / "cities.xlsx", rows))
    assert frame.area_code.iloc[0] == "4"
    assert frame.area_code.iloc[2] == "Atlantis"  # kept as read, and reported
    assert [(i.code, i.sheet, i.row, i.column, i.found) for i in issues] == [
        ("unknown-area", "Goal11", 4, "Cities", "Atlantis")
    ]
    assert issues[0].fix and "AF_KABUL" in issues[0].fix


def test_multi_line_field_counts_its_first_line(tmp_path: Path) -> None:
    rows = specimen_rows()[:4]
    rows[1][18] = "a footnote\nover two lines"
    frame, issues = read_all(write_csv(tmp_path / "multi.csv", rows))
    assert issues == []
    assert list(frame._row) == [2, 4, 5]


def test_chunks(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", specimen_rows())
    chunks = list(SdgDbReader().read(path, chunk_rows=10))
    assert [len(c.frame) for c in chunks] == [10, 10, 6]
    chunks = list(SdgDbReader().read(SPECIMEN, chunk_rows=10))
    assert [len(c.frame) for c in chunks] == [10, 10, 6]


# --------------------------------------------------------------------------- bad inputs


def only_issue(path: Path) -> Issue:
    frame, issues = read_all(path)
    assert frame.empty
    assert len(issues) == 1, issues
    return issues[0]


def test_latin1_csv_is_an_encoding_error(tmp_path: Path) -> None:
    rows = specimen_rows()
    algeria = [rows[0], *rows[11:26]]  # "Tébessa", "El Djazaïr": Latin-1 can write these
    path = write_csv(tmp_path / "latin1.csv", algeria, encoding="latin-1")
    issue = only_issue(path)
    assert issue.code == "encoding-error"
    data = path.read_bytes()
    offset = data.index("Tébessa".encode("latin-1")) + 1  # the é
    assert issue.row == data[:offset].count(b"\n") + 1 == 5
    assert f"byte 0xE9 at byte offset {offset}" in issue.message
    assert "Windows-1252 or Latin-1" in issue.message
    assert issue.found == " for public use for all (%),12,Algeria,T\ufffdbessa,2020,34.9,PER"
    assert issue.fix and "UTF-8" in issue.fix


def test_truncated_xlsx_is_not_a_zip(tmp_path: Path) -> None:
    data = SPECIMEN.read_bytes()
    path = tmp_path / "export.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert not SdgDbReader().sniff(path)
    issue = only_issue(path)
    assert (issue.code, issue.file, issue.found) == (
        "not-a-zip",
        str(path),
        "a truncated ZIP archive",
    )


def test_csv_renamed_xlsx_is_not_a_zip(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.xlsx", specimen_rows())
    assert not SdgDbReader().sniff(path)
    issue = only_issue(path)
    assert issue.code == "not-a-zip"
    assert issue.found is not None and "Goal" in issue.found


def test_altered_header_is_a_missing_column(tmp_path: Path) -> None:
    rows = specimen_rows()
    rows[0][3] = "Series"
    path = write_xlsx(tmp_path / "export.xlsx", rows)
    assert not SdgDbReader().sniff(path)
    issue = only_issue(path)
    assert issue.code == "missing-column"
    assert (issue.sheet, issue.row, issue.column) == ("Goal11", 1, "SeriesCode")
    assert issue.found is not None and "Series;" in issue.found


def test_semicolon_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("SeriesCode;GeoAreaCode;TimePeriod;Value\nEN_LND_SLUM;566;2018;49,3\n")
    frame, issues = read_all(path)
    assert issues == []
    # a decimal comma is not a number: kept as text for the validator to report
    assert frame[["area_code", "year", "value"]].to_dict("records") == [
        {"area_code": "566", "year": 2018, "value": "49,3"}
    ]


def test_empty_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\xef\xbb\xbf")
    assert only_issue(empty).code == "empty-file"
    header_only = write_csv(tmp_path / "header.csv", specimen_rows()[:1])
    issue = only_issue(header_only)
    assert (issue.code, issue.row) == ("empty-file", 1)
    assert only_issue(tmp_path / "absent.csv").code == "file-not-found"


def test_unclosed_quote_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "unclosed.csv"
    path.write_text('SeriesCode,GeoAreaCode,TimePeriod,Value\nEN_LND_SLUM,4,2020,"12\n')
    frame, issues = read_all(path)
    assert frame.empty
    assert [(i.code, i.row) for i in issues] == [("parse-error", 2)]
