"""The SDMX-ML and SDMX-CSV readers: real rows in, observation chunks out; bad files → issues."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import data_path, real_ddf_frame
from urbanagenda.export.sdmx_writer import write_sdmx_csv, write_sdmx_ml
from urbanagenda.ingest.sdmx_reader import SdmxCsvReader, SdmxMlReader
from urbanagenda.model.observations import COLUMNS

SPECIMENS = Path(__file__).parents[1] / "specimens" / "sdmx"
KEY = ["series_code", "area_code", "year", "sex", "age", "location", "breakdown"]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.concat(
        [real_ddf_frame("EN_LND_SLUM", 200), real_ddf_frame("EN_ATM_PM25", 200)], ignore_index=True
    )


def _read(reader: SdmxMlReader | SdmxCsvReader, path: Path, chunk_rows: int = 100_000):
    chunks = list(reader.read(path, chunk_rows=chunk_rows))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    return frame, [i for c in chunks for i in c.issues], chunks


@pytest.mark.parametrize("kind", ["structure-specific", "generic", "csv-1.0", "csv-2.0"])
def test_reader_returns_the_written_observations(
    frame: pd.DataFrame, tmp_path: Path, kind: str
) -> None:
    if kind.startswith("csv"):
        path = write_sdmx_csv(frame, tmp_path / "o.csv", version="1.0" if "1" in kind else "2.0")
        reader: SdmxMlReader | SdmxCsvReader = SdmxCsvReader()
    else:
        path = write_sdmx_ml(frame, tmp_path / "o.xml", structure_specific=kind != "generic")
        reader = SdmxMlReader()
    assert reader.sniff(path)
    read, issues, chunks = _read(reader, path, chunk_rows=150)
    assert issues == []
    assert len(chunks) == 3  # 400 rows in chunks of 150
    assert list(read.columns) == [*COLUMNS, "_row", "_sheet"]
    got = read.astype({"value": float}).sort_values(KEY, ignore_index=True)
    want = frame.sort_values(KEY, ignore_index=True)
    assert got[KEY].astype(str).equals(want[KEY].astype(str))
    assert got["value"].tolist() == pytest.approx(want["value"].tolist(), rel=0, abs=0)
    assert got["unit"].tolist() == want["unit"].tolist()
    assert got["nature"].tolist() == want["nature"].tolist()
    first_row = 2 if kind.startswith("csv") else 1  # CSV: file line; XML: observation index
    assert sorted(read["_row"]) == list(range(first_row, first_row + len(frame)))


def test_csv_row_is_the_file_line() -> None:
    read, issues, _ = _read(SdmxCsvReader(), SPECIMENS / "nigeria_slum.csv")
    assert issues == []
    assert read[["year", "_row", "value"]].values.tolist() == [
        [2000, 2, "74.10729"],
        [2002, 3, "71.59477"],
        [2004, 4, "69.08224"],
    ]


def test_generic_message_with_all_dimensions_at_observation_and_a_city_code() -> None:
    read, issues, _ = _read(SdmxMlReader(), SPECIMENS / "city_generic_flat.xml")
    assert issues == []
    row = read.iloc[0]
    assert (row.series_code, row.area_code, row.year, row.location) == (
        "EN_URB_OPENSP",
        "af_kabul",
        2020,
        "CITY",
    )
    assert (row.value, row.unit, row.nature) == ("4.1", "PT", "G")
    assert row.source == "UN-Habitat Urban Indicators Database"  # data-set level attribute


@pytest.mark.parametrize(
    ("name", "code", "row", "column"),
    [
        ("truncated.xml", "parse-error", 17, None),
        ("malformed.xml", "parse-error", 5, None),
        ("wrong_root.xml", "sdmx-error", 2, None),
        ("other_dsd.xml", "sdmx-error", 9, None),
        ("empty.xml", "empty-file", None, None),
    ],
)
def test_bad_sdmx_ml_gives_one_issue(name: str, code: str, row: int | None, column: None) -> None:
    read, issues, _ = _read(SdmxMlReader(), SPECIMENS / name)
    assert read.empty
    assert [(i.code, i.row, i.column) for i in issues] == [(code, row, column)]
    issue = issues[0]
    assert issue.file == str(SPECIMENS / name)
    assert issue.found and issue.expected and issue.fix
    assert "Traceback" not in issue.describe()


@pytest.mark.parametrize(
    ("name", "code", "row", "column"),
    [
        ("no_obs_value.csv", "missing-column", 1, "OBS_VALUE"),
        ("empty.csv", "empty-file", None, None),
        ("header_only.csv", "empty-file", None, None),
        ("nigeria_slum.xml", "sdmx-error", 1, None),  # XML given to the CSV reader
    ],
)
def test_bad_sdmx_csv_gives_one_issue(name: str, code: str, row: int | None, column: str) -> None:
    read, issues, _ = _read(SdmxCsvReader(), SPECIMENS / name)
    assert read.empty
    assert [(i.code, i.row, i.column) for i in issues] == [(code, row, column)]
    assert issues[0].file == str(SPECIMENS / name) and issues[0].fix


def test_sub_annual_period_and_unit_multiplier_are_reported_with_their_line() -> None:
    read, issues, _ = _read(SdmxCsvReader(), SPECIMENS / "period_and_unit_mult.csv")
    assert [(i.code, i.row, i.column, i.found) for i in issues] == [
        ("impossible-year", 3, "TIME_PERIOD", "2002-Q1"),
        ("wrong-unit", 4, "UNIT_MULT", "3"),
    ]
    assert read["year"].tolist() == [2000, 2004]  # the quarterly row is left out
    assert read["value"].tolist() == ["74.10729", "69.08224"]  # not scaled


def test_another_dataflow_in_sdmx_csv_is_an_sdmx_error(tmp_path: Path) -> None:
    text = (SPECIMENS / "nigeria_slum.csv").read_text(encoding="utf-8")
    path = tmp_path / "ecb.csv"
    path.write_text(text.replace("IAEG-SDGs:SDG(1.14)", "ECB:EXR(1.0)"), encoding="utf-8")
    _, issues, _ = _read(SdmxCsvReader(), path)
    assert [(i.code, i.row, i.column) for i in issues] == [("sdmx-error", 2, "DATAFLOW")]


def test_truncated_csv_line_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    text = (SPECIMENS / "nigeria_slum.csv").read_text(encoding="utf-8")
    path.write_text(text + 'IAEG-SDGs:SDG(1.14),A,N,"EN_LND_SLUM,566', encoding="utf-8")
    _, issues, _ = _read(SdmxCsvReader(), path)
    assert [i.code for i in issues] == ["parse-error"]


def test_sniff_tells_the_formats_apart() -> None:
    assert SdmxMlReader().sniff(SPECIMENS / "nigeria_slum.xml")
    assert not SdmxMlReader().sniff(SPECIMENS / "wrong_root.xml")
    assert SdmxCsvReader().sniff(SPECIMENS / "nigeria_slum.csv")
    assert not SdmxCsvReader().sniff(SPECIMENS / "nigeria_slum.xml")
    assert not SdmxCsvReader().sniff(data_path("un_sdg_goal11_ddf/ddf--entities--units.csv"))
