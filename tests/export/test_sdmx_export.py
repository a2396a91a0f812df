"""Round trips of observation frames through SDMX-ML 2.1 and SDMX-CSV, checked with sdmx1."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sdmx
from sdmx.format.csv import v1
from sdmx.model import v21

from conftest import real_ddf_frame
from urbanagenda.errors import DataError
from urbanagenda.export.sdmx_writer import write_sdmx_csv, write_sdmx_ml
from urbanagenda.ingest.sdmx_reader import SdmxCsvReader, SdmxMlReader, sdg_dsd
from urbanagenda.model.observations import COLUMNS, parse_breakdown

KEY = ["series_code", "area_code", "year", "sex", "age", "location", "breakdown"]
PREPARED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """300 real rows each of EN_LND_SLUM (11.1.1) and EN_ATM_PM25 (11.6.2)."""
    out = pd.concat(
        [real_ddf_frame("EN_LND_SLUM", 300), real_ddf_frame("EN_ATM_PM25", 300)], ignore_index=True
    )
    # Real values with attributes and a breakdown added, to exercise every column.
    out.loc[0, "footnote"] = 'Estimación "urbana", sin datos de 2005'
    out.loc[1, "source"] = "UN-Habitat, Urban Indicators Database"
    out.loc[2, "breakdown"] = "COMPOSITE_BREAKDOWN=LG_LOCAL"
    assert out["unit"].notna().all() and out["location"].notna().all()
    return out


def _expected_sdmx_keys(frame: pd.DataFrame, reporting_type: str = "N") -> pd.Series:
    """The frame as sdmx1's to_pandas() gives it: OBS_VALUE by the full 16-dimension key."""
    dims = [d.id for d in sdg_dsd().dimensions.components]
    records = []
    for row in frame.itertuples(index=False):
        codes = dict.fromkeys(dims, "_T")
        codes.update(
            FREQ="A",
            REPORTING_TYPE=reporting_type,
            SERIES=row.series_code,
            REF_AREA=row.area_code,
            SEX=row.sex,
            AGE=row.age,
            URBANISATION=row.location,
            TIME_PERIOD=str(row.year),
        )
        codes.update(parse_breakdown(row.breakdown))
        records.append((*(codes[d] for d in dims), row.value))
    table = pd.DataFrame(records, columns=[*dims, "value"])
    return table.set_index(dims)["value"].sort_index()


def _read_with_sdmx1(path: Path, **kwargs: object) -> sdmx.message.DataMessage:
    with path.open("rb") as f:
        return sdmx.read_sdmx(f, structure=sdg_dsd(), **kwargs)  # type: ignore[return-value]


def _read_with_reader(path: Path, reader: SdmxMlReader | SdmxCsvReader) -> pd.DataFrame:
    chunks = list(reader.read(path, chunk_rows=250))
    assert [i for c in chunks for i in c.issues] == []
    return pd.concat([c.frame for c in chunks], ignore_index=True)


def _assert_same_observations(read: pd.DataFrame, frame: pd.DataFrame) -> None:
    got = read[list(COLUMNS)].astype({"value": float}).sort_values(KEY, ignore_index=True)
    want = frame[list(COLUMNS)].sort_values(KEY, ignore_index=True)
    assert got[KEY].astype(str).equals(want[KEY].astype(str))
    assert got["value"].to_numpy() == pytest.approx(want["value"].to_numpy(), rel=0, abs=0)
    for col in ("unit", "nature", "source", "footnote"):
        assert got[col].tolist() == want[col].tolist(), col


@pytest.mark.parametrize("structure_specific", [True, False], ids=["structure-specific", "generic"])
def test_sdmx_ml_round_trip_through_sdmx1(
    frame: pd.DataFrame, tmp_path: Path, structure_specific: bool
) -> None:
    path = write_sdmx_ml(
        frame, tmp_path / "out.xml", structure_specific=structure_specific, prepared=PREPARED
    )
    msg = _read_with_sdmx1(path)
    assert len(msg.data) == 1 and msg.data[0].structured_by.urn.endswith("IAEG-SDGs:SDG(1.14)")
    values = sdmx.to_pandas(msg.data[0]).astype(float).sort_index()
    expected = _expected_sdmx_keys(frame)
    assert values.index.equals(expected.index)
    assert values.to_numpy() == pytest.approx(expected.to_numpy(), rel=0, abs=0)

    with_attrs = sdmx.to_pandas(msg.data[0], attributes="dsgo").sort_index()
    assert set(with_attrs["UNIT_MEASURE"]) == {"PT", "GPERM3"}
    assert set(with_attrs["NATURE"]) == set(frame["nature"])
    assert set(with_attrs["UNIT_MULT"]) == {"0"} and set(with_attrs["OBS_STATUS"]) == {"A"}
    assert 'Estimación "urbana", sin datos de 2005' in set(with_attrs["COMMENT_OBS"])
    assert "UN-Habitat, Urban Indicators Database" in set(with_attrs["SOURCE_DETAIL"])


@pytest.mark.parametrize("structure_specific", [True, False], ids=["structure-specific", "generic"])
def test_sdmx_ml_round_trip_through_reader(
    frame: pd.DataFrame, tmp_path: Path, structure_specific: bool
) -> None:
    path = write_sdmx_ml(frame, tmp_path / "out.xml", structure_specific=structure_specific)
    read = _read_with_reader(path, SdmxMlReader())
    _assert_same_observations(read, frame)
    assert sorted(read["_row"]) == list(range(1, len(frame) + 1))
    assert set(read["_sheet"]) == {""}


def test_structure_specific_message_has_standard_dataset_attributes(
    frame: pd.DataFrame, tmp_path: Path
) -> None:
    text = write_sdmx_ml(frame.head(3), tmp_path / "ss.xml").read_text(encoding="utf-8")
    assert "<mes:StructureSpecificData" in text
    assert 'xsi:type="ns1:DataSetType"' in text
    assert 'data:structureRef="SDG"' in text and 'data:dataScope="DataStructure"' in text
    assert 'UNIT_MEASURE="PT"' in text.split("<Obs")[0]  # series-level attribute


def test_sdmx_csv_2_round_trip_through_sdmx1_and_reader(
    frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = write_sdmx_csv(frame, tmp_path / "out.csv", version="2.0", reporting_type="G")
    msg = _read_with_sdmx1(path, format="CSV")
    values = sdmx.to_pandas(msg.data[0]).astype(float).sort_index()
    expected = _expected_sdmx_keys(frame, reporting_type="G")
    assert values.index.equals(expected.index)
    assert values.to_numpy() == pytest.approx(expected.to_numpy(), rel=0, abs=0)
    _assert_same_observations(_read_with_reader(path, SdmxCsvReader()), frame)


def test_sdmx_csv_1_matches_sdmx1_writer_and_round_trips(
    frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = write_sdmx_csv(frame, tmp_path / "out.csv")
    ours = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert ours.columns[0] == "DATAFLOW" and set(ours["DATAFLOW"]) == {"IAEG-SDGs:SDG(1.14)"}

    # sdmx1 has no SDMX-CSV 1.0 reader; compare with its 1.0 writer on the same data.
    msg = _read_with_sdmx1(write_sdmx_ml(frame, tmp_path / "same.xml"))
    dsd = sdg_dsd()
    msg.data[0].described_by = v21.DataflowDefinition(
        id="SDG", maintainer=dsd.maintainer, version="1.14", structure=dsd
    )
    theirs = sdmx.to_csv(
        msg.data[0], format_options=v1.FormatOptions(), attributes="os", rtype=pd.DataFrame
    )
    theirs = theirs.rename(columns={"value": "OBS_VALUE"}).fillna("")
    key = [c for c in ours.columns if c in theirs.columns and c != "OBS_VALUE"]
    assert {"DATAFLOW", "TIME_PERIOD", "UNIT_MEASURE", "NATURE", "COMMENT_OBS"} <= set(key)
    ours_sorted = ours.sort_values(key, ignore_index=True)
    theirs_sorted = theirs.sort_values(key, ignore_index=True)
    assert ours_sorted[key].equals(theirs_sorted[key].astype(str))
    assert ours_sorted["OBS_VALUE"].astype(float).tolist() == pytest.approx(
        theirs_sorted["OBS_VALUE"].astype(float).tolist(), rel=0, abs=0
    )
    _assert_same_observations(_read_with_reader(path, SdmxCsvReader()), frame)


def test_writers_explain_what_they_cannot_write(frame: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="lacks the column"):
        write_sdmx_ml(frame.drop(columns="value"), tmp_path / "x.xml")
    two_units = frame.head(2).assign(year=2010, unit=["PT", "NUMBER"], area_code="566")
    two_units.loc[1, "year"] = 2012
    with pytest.raises(DataError, match="one key has one unit"):
        write_sdmx_ml(two_units, tmp_path / "x.xml")
    with pytest.raises(DataError, match="not dimensions of the SDG DSD"):
        write_sdmx_csv(frame.head(1).assign(breakdown="HAZARD_TYPE=FLOOD"), tmp_path / "x.csv")
    with pytest.raises(DataError, match="CL_REPORTING_TYPE"):
        write_sdmx_csv(frame.head(1), tmp_path / "x.csv", reporting_type="X")
